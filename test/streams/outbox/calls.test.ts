// OutOp → Bot API call: through the outbox (what exec sees) and directly (toCall is pure).
import { expect } from 'chai';
import { of } from 'rxjs';
import type { OutOp } from '../../../src/domain/telegram.ts';
import { contentOf, toCall } from '../../../src/streams/outbox/calls.ts';
import { bold, chat, del, edit, outcomeOf, send, simulate } from './simulate.ts';

describe('outbox', () => {
  describe('mapping ops to Bot API calls', () => {
    it('maps a send with thread, entities, markup and reply, and reports the message_id', () => {
      const markup = { inline_keyboard: [[{ text: 'ok', callback_data: 'y' }]] };
      const op: OutOp = { op: 'send', ref: 'r', chat: chat(-5, 7), text: 'hi', entities: bold, replyMarkup: markup, replyTo: 42 };
      const run = simulate([[0, op]], () => of({ message_id: 9 }));
      expect(run.calls).to.deep.equal([
        {
          t: 0,
          method: 'sendMessage',
          params: {
            chat_id: -5, message_thread_id: 7, text: 'hi', entities: bold, reply_markup: markup,
            reply_parameters: { message_id: 42, allow_sending_without_reply: true },
          },
        },
      ]);
      expect(run.outcomes).to.deep.equal([{ t: 0, outcome: { op, ok: true, messageId: 9, attempts: 1 } }]);
    });

    it('omits empty entities and absent options', () => {
      const run = simulate([[0, send('r', 'hi', 1, { entities: [] })]]);
      expect(run.calls[0]!.params).to.deep.equal({ chat_id: 1, text: 'hi' });
    });

    it('edits and deletes the message remembered for the ref', () => {
      const run = simulate([[0, send('r', 'v1')], [0, edit('r', 'v2', 1, { entities: bold, replyMarkup: { k: 1 } })], [0, del('r')]]);
      expect(run.calls.map((c) => [c.method, c.params])).to.deep.equal([
        ['sendMessage', { chat_id: 1, text: 'v1' }],
        ['editMessageText', { chat_id: 1, message_id: 100, text: 'v2', entities: bold, reply_markup: { k: 1 } }],
        ['deleteMessage', { chat_id: 1, message_id: 100 }],
      ]);
      expect(run.outcomes.map((o) => [o.outcome.ok, o.outcome.messageId])).to.deep.equal([[true, 100], [true, 100], [true, 100]]);
    });

    it('maps drafts and typing, with the thread', () => {
      const d: OutOp = { op: 'draft', chat: chat(3, 4), draftId: 11, text: 'thinking', entities: bold, canStop: true };
      const run = simulate([[0, { op: 'typing', chat: chat(3, 4) }], [5000, d]]);
      expect(run.calls).to.deep.equal([
        { t: 0, method: 'sendChatAction', params: { chat_id: 3, message_thread_id: 4, action: 'typing' } },
        { t: 5000, method: 'sendMessageDraft', params: { chat_id: 3, message_thread_id: 4, draft_id: 11, text: 'thinking', entities: bold, can_stop: true } },
      ]);
    });

    it('answers callback queries at once, past a busy chat', () => {
      const cb: OutOp = { op: 'answerCallback', callbackQueryId: 'q1', text: 'Approved' };
      const run = simulate([[0, send('a', '1')], [0, send('b', '2')], [10, cb]]);
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([
        [0, 'sendMessage'],
        [10, 'answerCallbackQuery'],
        [1000, 'sendMessage'],
      ]);
      expect(run.calls[1]!.params).to.deep.equal({ callback_query_id: 'q1', text: 'Approved' });
      expect(outcomeOf(run, cb).outcome).to.deep.equal({ op: cb, ok: true, attempts: 1 });
    });
  });
});

describe('toCall', () => {
  const plainForm = { plain: false, asSend: false };
  const markup = { inline_keyboard: [[{ text: 'ok', callback_data: 'y' }]] };

  it('sends a send with its own content, or with the content of an edit merged into it', () => {
    const s = send('r', 'partial', 1, { entities: bold, replyTo: 5 });
    expect(toCall(s, plainForm)).to.deep.equal({
      method: 'sendMessage',
      params: { chat_id: 1, text: 'partial', entities: bold, reply_parameters: { message_id: 5, allow_sending_without_reply: true } },
    });
    const merged = toCall(s, { ...plainForm, content: { text: 'final', replyMarkup: markup } });
    expect(merged.params).to.deep.equal({
      chat_id: 1, text: 'final', reply_markup: markup, reply_parameters: { message_id: 5, allow_sending_without_reply: true },
    });
  });

  it('drops entities, and only entities, when plain', () => {
    const s = send('r', 'hi', 1, { entities: bold, replyMarkup: markup });
    expect(toCall(s, { ...plainForm, plain: true }).params).to.deep.equal({ chat_id: 1, text: 'hi', reply_markup: markup });
    const e = edit('r', 'hi', 1, { entities: bold });
    expect(toCall(e, { plain: true, asSend: false, messageId: 3 }).params).to.deep.equal({ chat_id: 1, message_id: 3, text: 'hi' });
  });

  it('keeps answers off the wire: it is for whoever reads the Outcome', () => {
    const s = send('r', 'done', 1, { answers: 'turn-1' });
    expect(toCall(s, plainForm)).to.deep.equal({ method: 'sendMessage', params: { chat_id: 1, text: 'done' } });
  });

  it('edits the known message, and sends anew when asked to or when no message_id is known', () => {
    const e: OutOp = { op: 'edit', ref: 'r', chat: chat(-5, 7), text: 'v2', entities: bold, replyMarkup: markup };
    expect(toCall(e, { ...plainForm, messageId: 9 })).to.deep.equal({
      method: 'editMessageText',
      params: { chat_id: -5, message_id: 9, text: 'v2', entities: bold, reply_markup: markup },
    });
    const anew = { method: 'sendMessage', params: { chat_id: -5, message_thread_id: 7, text: 'v2', entities: bold, reply_markup: markup } };
    expect(toCall(e, { plain: false, asSend: true, messageId: 9 })).to.deep.equal(anew);
    expect(toCall(e, plainForm)).to.deep.equal(anew);
  });

  it('deletes the given message', () => {
    expect(toCall(del('r', 4), { ...plainForm, messageId: 12 })).to.deep.equal({
      method: 'deleteMessage',
      params: { chat_id: 4, message_id: 12 },
    });
  });

  it('omits empty draft entities but keeps canStop false, and a callback answer without text', () => {
    const d: OutOp = { op: 'draft', chat: chat(2), draftId: 3, text: 'x', entities: [], canStop: false };
    expect(toCall(d, plainForm).params).to.deep.equal({ chat_id: 2, draft_id: 3, text: 'x', can_stop: false });
    expect(toCall({ op: 'answerCallback', callbackQueryId: 'q' }, plainForm)).to.deep.equal({
      method: 'answerCallbackQuery',
      params: { callback_query_id: 'q' },
    });
  });

  it('contentOf keeps text, entities and markup only', () => {
    const e = edit('r', 'v', 1, { entities: bold, replyMarkup: markup, important: true });
    expect(contentOf(e as Extract<OutOp, { op: 'edit' }>)).to.deep.equal({ text: 'v', entities: bold, replyMarkup: markup });
  });
});
