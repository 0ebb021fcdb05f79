// Virtual-time tests of the Telegram outbox: pacing, coalescing, error handling, teardown.
// A recording fake exec notes (virtual time, call) and answers from a script.
import { expect } from 'chai';
import fc from 'fast-check';
import { EMPTY, NEVER, Observable, defer, from, map, mergeMap, of, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { outbox } from '../../../src/streams/outbox/outbox.ts';
import type { OutboxOptions } from '../../../src/streams/outbox/outbox.ts';
import type { ApiCall, ApiError, ChatRef, Exec, OutOp, Outcome } from '../../../src/domain/telegram.ts';
import type { Entity } from '../../../src/domain/render/entities.ts';

type Recorded = { t: number; method: string; params: Record<string, unknown> };
/** Answers call number n (counted over all calls). */
type Script = (call: ApiCall, n: number) => Observable<unknown>;

const ok: Script = (call, n) => of(call.method === 'sendMessage' ? { message_id: 100 + n } : true);
const fail = (error: ApiError) => throwError(() => error);
const e429 = (retryAfter: number): ApiError => ({ code: 429, description: `Too Many Requests: retry after ${retryAfter}`, retryAfter });
const e502: ApiError = { code: 502, description: 'Bad Gateway' };
const e400 = (description: string): ApiError => ({ code: 400, description: `Bad Request: ${description}` });

const chat = (chatId: number, threadId?: number): ChatRef => (threadId === undefined ? { chatId } : { chatId, threadId });
const send = (ref: string, text: string, chatId = 1, extra: Partial<Extract<OutOp, { op: 'send' }>> = {}): OutOp => ({
  op: 'send', ref, chat: chat(chatId), text, ...extra,
});
const edit = (ref: string, text: string, chatId = 1, extra: Partial<Extract<OutOp, { op: 'edit' }>> = {}): OutOp => ({
  op: 'edit', ref, chat: chat(chatId), text, ...extra,
});
const del = (ref: string, chatId = 1): OutOp => ({ op: 'delete', ref, chat: chat(chatId) });
const draft = (draftId: number, text: string, chatId = 1): OutOp => ({ op: 'draft', chat: chat(chatId), draftId, text });
const typing = (chatId = 1): OutOp => ({ op: 'typing', chat: chat(chatId) });
const bold: Entity[] = [{ type: 'bold', offset: 0, length: 2 }];

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

/** ops at virtual times; completes after the last one. */
const timeline = (entries: Array<[number, OutOp]>): Observable<OutOp> =>
  from(entries).pipe(mergeMap(([t, op]) => timer(t).pipe(map(() => op))));

interface Run {
  calls: Recorded[];
  outcomes: Array<{ t: number; outcome: Outcome }>;
  completedAt?: number;
}

/** Runs the outbox to the end in virtual time and returns what exec saw and what came out. */
function simulate(ops: Array<[number, OutOp]>, script: Script = ok, options: OutboxOptions = {}): Run {
  const ts = newScheduler();
  const run: Run = { calls: [], outcomes: [] };
  ts.run(() => {
    const exec = recordingExec(ts, run.calls, script);
    outbox(timeline(ops), exec, { scheduler: ts, ...options }).subscribe({
      next: (outcome) => run.outcomes.push({ t: ts.now(), outcome }),
      complete: () => (run.completedAt = ts.now()),
    });
  });
  return run;
}

function recordingExec(ts: TestScheduler, calls: Recorded[], script: Script): Exec {
  return (call) => {
    const n = calls.length;
    calls.push({ t: ts.now(), ...call });
    return script(call, n);
  };
}

const timesOf = (calls: Recorded[], pred: (c: Recorded) => boolean = () => true) => calls.filter(pred).map((c) => c.t);
const toChat = (chatId: number) => (c: Recorded) => c.params['chat_id'] === chatId;
const outcomeOf = (run: Run, op: OutOp) => {
  const found = run.outcomes.filter((o) => o.outcome.op === op);
  expect(found, 'exactly one Outcome per op').to.have.length(1);
  return found[0]!;
};

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

  describe('pacing', () => {
    it('spaces calls to one chat by perChatIntervalMs', () => {
      const run = simulate([[0, send('a', '1')], [0, send('b', '2')], [0, send('c', '3')]]);
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000]);
      expect(run.calls.map((c) => c.params['text'])).to.deep.equal(['1', '2', '3']);
    });

    it('runs two chats in parallel, with no cross-chat delay', () => {
      const ops: Array<[number, OutOp]> = [1, 2, 3].flatMap((i) => [
        [0, send(`a${i}`, 'a', 1)] as [number, OutOp],
        [0, send(`b${i}`, 'b', 2)] as [number, OutOp],
      ]);
      const run = simulate(ops);
      expect(timesOf(run.calls, toChat(1))).to.deep.equal([0, 1000, 2000]);
      expect(timesOf(run.calls, toChat(2))).to.deep.equal([0, 1000, 2000]);
    });

    it('paces topics of one chat together (pacing is per chat_id)', () => {
      const run = simulate([
        [0, { op: 'send', ref: 'a', chat: chat(1, 5), text: '1' }],
        [0, { op: 'send', ref: 'b', chat: chat(1, 6), text: '2' }],
      ]);
      expect(timesOf(run.calls)).to.deep.equal([0, 1000]);
    });

    it('allows a group at most groupPerMinute calls in any 60 s, private chats unaffected', () => {
      const ops: Array<[number, OutOp]> = [];
      for (let i = 0; i < 22; i++) ops.push([0, send(`g${i}`, 'x', -100)], [0, send(`p${i}`, 'x', 7)]);
      const run = simulate(ops);
      const group = timesOf(run.calls, toChat(-100));
      expect(group.slice(0, 20)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i * 1000));
      expect(group.slice(20)).to.deep.equal([60_000, 61_000]);
      expect(timesOf(run.calls, toChat(7)).at(-1)).to.equal(21_000);
    });

    it('honours a custom group limit', () => {
      const ops: Array<[number, OutOp]> = [0, 1, 2, 3].map((i) => [0, send(`g${i}`, 'x', -1)]);
      const run = simulate(ops, ok, { groupPerMinute: 2, perChatIntervalMs: 10 });
      expect(timesOf(run.calls)).to.deep.equal([0, 10, 60_000, 60_010]);
    });

    it('makes at most globalPerSecond calls per second across all chats', () => {
      const ops: Array<[number, OutOp]> = Array.from({ length: 32 }, (_, i) => [0, send(`c${i}`, 'x', i + 1)]);
      const run = simulate(ops);
      const times = timesOf(run.calls);
      expect(times.filter((t) => t === 0)).to.have.length(30);
      expect(times.slice(30)).to.deep.equal([1000, 1000]);
      expect(run.calls.slice(30).map((c) => c.params['chat_id'])).to.deep.equal([31, 32]);
    });

    it('counts retries against the global window too', () => {
      const ops: Array<[number, OutOp]> = [[0, send('a', 'x', 1)], [0, send('b', 'x', 2)], [300, send('c', 'x', 3)]];
      const run = simulate(ops, (_c, n) => (n === 0 ? fail(e502) : ok(_c, n)), { globalPerSecond: 2, perChatIntervalMs: 0 });
      // a fails at 0 and may retry at 500, but a and b (both at 0) fill the window until 1000;
      // c, arriving at 300 in an idle chat, waits for the same global window.
      expect(run.calls.map((c) => [c.t, c.params['chat_id']])).to.deep.equal([[0, 1], [0, 2], [1000, 3], [1000, 1]]);
    });
  });

  describe('coalescing', () => {
    it('sends only the latest of quick edits; the superseded ones report with it', () => {
      const edits = [1, 2, 3, 4, 5].map((i) => edit('r', `v${i}`));
      const run = simulate([[0, send('r', 'v0')], ...edits.map((e, i): [number, OutOp] => [10 * (i + 1), e])]);
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'v0'],
        [1000, 'editMessageText', 'v5'],
      ]);
      expect(run.outcomes.slice(1)).to.deep.equal([
        ...edits.slice(0, 4).map((op) => ({ t: 1000, outcome: { op, ok: true, messageId: 100, attempts: 0, coalesced: true } })),
        { t: 1000, outcome: { op: edits[4], ok: true, messageId: 100, attempts: 1 } },
      ]);
    });

    it('keeps at most one edit queued while another is in flight', () => {
      const run = simulate(
        [[0, send('r', 'v0')], [1000, edit('r', 'v1')], [1100, edit('r', 'v2')], [1200, edit('r', 'v3')]],
        (call, n) => (call.method === 'editMessageText' ? timer(500).pipe(map(() => true)) : ok(call, n)),
      );
      expect(run.calls.map((c) => [c.t, c.params['text']])).to.deep.equal([[0, 'v0'], [1000, 'v1'], [2000, 'v3']]);
      expect(run.outcomes).to.have.length(4);
    });

    it('merges an edit into its still-queued send', () => {
      const e = edit('b', 'b-final', 1, { important: true });
      const run = simulate([[0, send('a', 'a')], [0, send('b', 'b-partial')], [10, e]]);
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'a'],
        [1000, 'sendMessage', 'b-final'],
      ]);
      expect(outcomeOf(run, e)).to.deep.equal({ t: 1000, outcome: { op: e, ok: true, messageId: 101, attempts: 0, coalesced: true } });
    });

    it('makes an edit wait for the message_id of its send in flight', () => {
      const run = simulate([[0, send('r', 'v0')], [100, edit('r', 'v1')]], (call) =>
        call.method === 'sendMessage' ? timer(1500).pipe(map(() => ({ message_id: 77 }))) : of(true),
      );
      expect(run.calls.map((c) => [c.t, c.method, c.params['message_id']])).to.deep.equal([
        [0, 'sendMessage', undefined],
        [1500, 'editMessageText', 77],
      ]);
    });

    it('does not fold an edit past a delete of the same ref', () => {
      const run = simulate([[0, send('x', 'busy')], [0, send('r', 'v0')], [0, del('r')], [0, edit('r', 'v1')]]);
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage', 'sendMessage', 'deleteMessage', 'sendMessage']);
    });

    it('replaces a queued draft with the same draft_id, not others', () => {
      const d = [draft(1, 'a'), draft(1, 'ab'), draft(1, 'abc'), draft(2, 'z')];
      const run = simulate([[0, d[0]!], [100, d[1]!], [200, d[2]!], [300, d[3]!]]);
      expect(run.calls.map((c) => [c.t, c.params['draft_id'], c.params['text']])).to.deep.equal([
        [0, 1, 'a'],
        [1000, 1, 'abc'],
        [2000, 2, 'z'],
      ]);
      expect(outcomeOf(run, d[1]!).outcome).to.include({ ok: true, coalesced: true, attempts: 0 });
    });
  });

  describe('errors', () => {
    it('holds only the rate-limited chat for retry_after, then retries the same op', () => {
      const x = send('x', 'x', 1);
      const run = simulate(
        [[0, x], [0, send('y', 'y', 1)], [0, send('b1', 'b', 2)], [0, send('b2', 'b', 2)], [0, send('b3', 'b', 2)]],
        (call, n) => (n === 0 ? fail(e429(5)) : ok(call, n)),
      );
      expect(timesOf(run.calls, toChat(1))).to.deep.equal([0, 5000, 6000]);
      expect(timesOf(run.calls, toChat(2))).to.deep.equal([0, 1000, 2000]);
      expect(outcomeOf(run, x)).to.deep.equal({ t: 5000, outcome: { op: x, ok: true, messageId: 104, attempts: 2 } });
    });

    it('does not count 429s toward maxAttempts', () => {
      const x = send('x', 'x');
      const run = simulate([[0, x]], (call, n) => (n < 3 ? fail(e429(1)) : ok(call, n)), { maxAttempts: 1 });
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000, 3000]);
      expect(outcomeOf(run, x).outcome).to.include({ ok: true, attempts: 4 });
    });

    it('treats "message is not modified" as success', () => {
      const e = edit('r', 'same');
      const run = simulate([[0, send('r', 'same')], [0, e]], (call, n) =>
        call.method === 'editMessageText'
          ? fail(e400('message is not modified: specified new message content and reply markup are exactly the same'))
          : ok(call, n),
      );
      expect(run.calls).to.have.length(2);
      expect(outcomeOf(run, e).outcome).to.deep.equal({ op: e, ok: true, messageId: 100, attempts: 1 });
    });

    it('retries a send once, at once, as plain text when entities are rejected', () => {
      const s = send('r', 'hi', 1, { entities: bold });
      const run = simulate([[0, s]], (call, n) =>
        'entities' in call.params ? fail(e400("can't parse entities: Unsupported start tag at byte offset 0")) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.params])).to.deep.equal([
        [0, { chat_id: 1, text: 'hi', entities: bold }],
        [0, { chat_id: 1, text: 'hi' }],
      ]);
      expect(outcomeOf(run, s).outcome).to.deep.equal({ op: s, ok: true, messageId: 101, attempts: 2, plainFallback: true });
    });

    it('retries an edit as plain text too, and gives up if plain text fails the same way', () => {
      const e = edit('r', 'v1', 1, { entities: bold });
      const run = simulate([[0, send('r', 'v0')], [0, e]], (call, n) =>
        call.method === 'editMessageText' ? fail(e400('entities are wrong')) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.method, 'entities' in c.params])).to.deep.equal([
        [0, 'sendMessage', false],
        [1000, 'editMessageText', true],
        [1000, 'editMessageText', false],
      ]);
      expect(outcomeOf(run, e).outcome).to.include({ ok: false, attempts: 2, plainFallback: true });
    });

    it('fails other 400s without retrying and moves on', () => {
      const s = send('r', 'x'.repeat(5000));
      const run = simulate([[0, s], [0, send('n', 'next')]], (call, n) => (n === 0 ? fail(e400('message is too long')) : ok(call, n)));
      expect(timesOf(run.calls)).to.deep.equal([0, 1000]);
      expect(outcomeOf(run, s).outcome).to.deep.equal({ op: s, ok: false, error: e400('message is too long'), attempts: 1 });
    });

    it('falls back to a send when the message to edit is gone, and edits the new one afterwards', () => {
      const e1 = edit('r', 'v1');
      const run = simulate([[0, send('r', 'v0')], [0, e1], [2000, edit('r', 'v2')]], (call, n) =>
        n === 1 ? fail(e400('message to edit not found')) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.method, c.params['message_id'], c.params['text']])).to.deep.equal([
        [0, 'sendMessage', undefined, 'v0'],
        [1000, 'editMessageText', 100, 'v1'],
        [1000, 'sendMessage', undefined, 'v1'],
        [2000, 'editMessageText', 102, 'v2'],
      ]);
      expect(outcomeOf(run, e1).outcome).to.deep.equal({ op: e1, ok: true, messageId: 102, attempts: 2 });
    });

    it('sends an important edit anew when the message cannot be edited', () => {
      const e = edit('r', 'final', 1, { important: true });
      const run = simulate([[0, send('r', 'v0')], [0, e]], (call, n) =>
        call.method === 'editMessageText' ? fail(e400("message can't be edited")) : ok(call, n),
      );
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage', 'editMessageText', 'sendMessage']);
      expect(outcomeOf(run, e).outcome).to.include({ ok: true, messageId: 102 });
    });

    it('backs off exponentially on 5xx and network errors, then gives up on a normal op', () => {
      const s = send('r', 'x');
      const errors: ApiError[] = [e502, { code: 0, description: 'ETIMEOUT' }, e502, { code: 500, description: 'Internal' }];
      const run = simulate([[0, s], [0, send('n', 'next')]], (call, n) => (n < 4 ? fail(errors[n]!) : ok(call, n)), {
        perChatIntervalMs: 100,
        maxAttempts: 4,
      });
      expect(timesOf(run.calls)).to.deep.equal([0, 500, 1500, 3500, 3600]);
      expect(outcomeOf(run, s)).to.deep.equal({ t: 3500, outcome: { op: s, ok: false, error: errors[3], attempts: 4 } });
    });

    it('retries an important op until it succeeds, backoff capped at 30 s', () => {
      const s = send('r', 'final', 1, { important: true });
      const run = simulate([[0, s]], (call, n) => (n < 9 ? fail(e502) : ok(call, n)), { maxAttempts: 3 });
      // Gaps: max(interval 1000, backoff 500·2^k capped 30000).
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000, 4000, 8000, 16_000, 32_000, 62_000, 92_000, 122_000]);
      expect(outcomeOf(run, s)).to.deep.equal({ t: 122_000, outcome: { op: s, ok: true, messageId: 109, attempts: 10 } });
    });

    it('sends an edit as a send when its send ultimately failed', () => {
      const e = edit('r', 'final', 1, { important: true });
      const run = simulate([[0, send('r', 'partial')], [10, e]], (call, n) => (n < 2 ? fail(e502) : ok(call, n)), {
        maxAttempts: 2,
      });
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'partial'],
        [1000, 'sendMessage', 'partial'],
        [2000, 'sendMessage', 'final'],
      ]);
      expect(outcomeOf(run, e).outcome).to.deep.equal({ op: e, ok: true, messageId: 102, attempts: 1 });
    });

    it('deletes nothing when the send failed (no call, ok)', () => {
      const d = del('r');
      const run = simulate([[0, send('r', 'x')], [0, d]], (call, n) => (call.method === 'sendMessage' ? fail(e400('chat not found')) : ok(call, n)));
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage']);
      expect(outcomeOf(run, d).outcome).to.deep.equal({ op: d, ok: true, attempts: 0 });
    });

    it('never retries drafts or typing, but a 429 on them still holds the chat', () => {
      const d = draft(1, 'a');
      const t = typing();
      const s = send('s', 'after');
      const run = simulate([[0, d], [5000, t], [5100, s]], (call, n) =>
        n === 0 ? fail(e502) : n === 1 ? fail(e429(3)) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([
        [0, 'sendMessageDraft'],
        [5000, 'sendChatAction'],
        [8000, 'sendMessage'],
      ]);
      expect(outcomeOf(run, d).outcome).to.deep.equal({ op: d, ok: false, error: e502, attempts: 1 });
      expect(outcomeOf(run, t).outcome).to.deep.equal({ op: t, ok: false, error: e429(3), attempts: 1 });
    });

    it('accepts driver errors in Telegram and ntba shapes', () => {
      const s = send('r', 'x');
      const ntba = Object.assign(new Error('ETELEGRAM'), { code: 'ETELEGRAM', errorCode: 429, description: 'Too Many Requests', parameters: { retry_after: 2 } });
      const run = simulate([[0, s]], (call, n) => (n === 0 ? throwError(() => ntba) : ok(call, n)));
      expect(timesOf(run.calls)).to.deep.equal([0, 2000]);
    });
  });

  describe('typing', () => {
    it('sends typing to an idle chat at most once per 4 s', () => {
      const run = simulate([[0, typing()], [1000, typing()], [3999, typing()], [4000, typing()]]);
      expect(timesOf(run.calls)).to.deep.equal([0, 4000]);
      expect(run.outcomes.filter((o) => o.outcome.dropped).map((o) => o.t)).to.deep.equal([1000, 3999]);
    });

    it('drops typing when other work waits for the chat', () => {
      const t = typing();
      const run = simulate([[0, send('a', '1')], [0, send('b', '2')], [10, t]]);
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage', 'sendMessage']);
      expect(outcomeOf(run, t)).to.deep.equal({ t: 10, outcome: { op: t, ok: true, attempts: 0, dropped: true } });
    });

    it('sends a typing at once, without waiting for or using the chat interval', () => {
      const t = typing();
      const run = simulate([[0, send('a', '1')], [100, t], [200, send('b', '2')]]);
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([
        [0, 'sendMessage'],
        [100, 'sendChatAction'],
        [1000, 'sendMessage'],
      ]);
      expect(outcomeOf(run, t)!.outcome).to.include({ ok: true, attempts: 1 });
    });
  });

  describe('lifecycle', () => {
    const refs = (o: Outcome) => ('ref' in o.op ? o.op.ref : o.op.op);

    it('completes after the input completes and the queue drains', () => {
      const sched = newScheduler();
      sched.run(({ cold, expectObservable, expectSubscriptions }) => {
        const ops = cold('(abc|)', { a: send('a', '1'), b: send('b', '2'), c: send('c', '3') });
        const calls: Recorded[] = [];
        const out$ = outbox(ops, recordingExec(sched, calls, ok), { scheduler: sched }).pipe(map(refs));
        expectObservable(out$).toBe('a 999ms b 999ms (c|)');
        expectSubscriptions(ops.subscriptions).toBe('(^!)');
      });
    });

    it('waits for retries before completing', () => {
      const run = simulate([[0, send('r', 'x', 1, { important: true })]], (call, n) => (n < 2 ? fail(e502) : ok(call, n)));
      expect(run.completedAt).to.equal(2000);
    });

    it('completes at once on empty input and never on never', () => {
      const sched = newScheduler();
      sched.run(({ expectObservable }) => {
        expectObservable(outbox(EMPTY, recordingExec(sched, [], ok), { scheduler: sched })).toBe('|');
        expectObservable(outbox(NEVER, recordingExec(sched, [], ok), { scheduler: sched })).toBe('-');
      });
    });

    it('refuses nonsense options when subscribed', () => {
      let error: unknown;
      outbox(EMPTY, () => of(true), { groupPerMinute: 0 }).subscribe({ error: (e: unknown) => (error = e) });
      expect(error).to.be.instanceOf(RangeError).with.property('message').that.match(/groupPerMinute must be an integer >= 1, got 0/);
    });

    it('passes an input error through', () => {
      const sched = newScheduler();
      sched.run(({ cold, expectObservable }) => {
        const ops = cold('a#', { a: send('a', '1') }, new Error('boom'));
        const out$ = outbox(ops, recordingExec(sched, [], ok), { scheduler: sched }).pipe(map(refs));
        expectObservable(out$).toBe('a#', undefined, new Error('boom'));
      });
    });

    it('cancels pending timers and calls in flight on unsubscribe', () => {
      const sched = newScheduler();
      const calls: Recorded[] = [];
      sched.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const ops = hot('(abc)', { a: send('a', '1'), b: send('b', '2'), c: send('c', '3') });
        const slow = cold('700ms (r|)', { r: { message_id: 1 } });
        const exec: Exec = (call) => (calls.push({ t: sched.now(), ...call }), calls.length === 2 ? slow : of({ message_id: 1 }));
        const out$ = outbox(ops, exec, { scheduler: sched }).pipe(map(refs));
        expectObservable(out$, '^ 1500ms !').toBe('a');
        expectSubscriptions(ops.subscriptions).toBe('^ 1500ms !');
        expectSubscriptions(slow.subscriptions).toBe('1000ms ^ 500ms !');
      });
      // c would have gone out at 2000: its timer died with the subscription.
      expect(timesOf(calls)).to.deep.equal([0, 1000]);
    });

    it('gives every op exactly one Outcome and completes, whatever Telegram answers', () => {
      const opArb = fc.oneof(
        fc.record({ k: fc.constant('send' as const), ref: fc.constantFrom('a', 'b', 'c'), important: fc.boolean() }),
        fc.record({ k: fc.constant('edit' as const), ref: fc.constantFrom('a', 'b', 'c'), important: fc.boolean() }),
        fc.record({ k: fc.constant('delete' as const), ref: fc.constantFrom('a', 'b', 'c') }),
        fc.record({ k: fc.constantFrom('draft' as const, 'typing' as const, 'cb' as const) }),
      );
      const errorArb = fc.constantFrom<ApiError | null>(
        null, null, null, e429(2), e502, { code: 0, description: 'timeout' },
        e400('message is not modified'), e400("can't parse entities"), e400('message to edit not found'), e400('chat not found'),
      );
      const entryArb = fc.record({ t: fc.integer({ min: 0, max: 5000 }), chatId: fc.constantFrom(1, 2, -3), op: opArb });
      fc.assert(
        fc.property(fc.array(entryArb, { maxLength: 25 }), fc.array(errorArb, { maxLength: 60 }), fc.array(fc.nat(1500), { maxLength: 60 }), (entries, errors, latencies) => {
          const ops = entries
            .sort((x, y) => x.t - y.t)
            .map(({ t, chatId, op }): [number, OutOp] => {
              const c = chat(chatId);
              switch (op.k) {
                case 'send': return [t, { op: 'send', ref: `${chatId}${op.ref}`, chat: c, text: 't', entities: bold, important: op.important }];
                case 'edit': return [t, { op: 'edit', ref: `${chatId}${op.ref}`, chat: c, text: 'u', entities: bold, important: op.important }];
                case 'delete': return [t, { op: 'delete', ref: `${chatId}${op.ref}`, chat: c }];
                case 'draft': return [t, { op: 'draft', chat: c, draftId: 1, text: 'd' }];
                case 'typing': return [t, { op: 'typing', chat: c }];
                case 'cb': return [t, { op: 'answerCallback', callbackQueryId: 'q' }];
              }
            });
          const run = simulate(ops, (call, n) => {
            const error = errors[n] ?? null;
            const reply$ = error === null ? ok(call, n) : defer(() => fail(error));
            return timer(latencies[n] ?? 0).pipe(mergeMap(() => reply$));
          });
          expect(run.completedAt, 'completes').to.be.a('number');
          expect(run.outcomes.map((o) => o.outcome.op)).to.have.members(ops.map(([, op]) => op));
          expect(run.outcomes).to.have.length(ops.length);
          // Important ops are never given up on transient errors: they fail only on a rejecting 4xx.
          for (const { outcome } of run.outcomes) {
            const important = 'important' in outcome.op && outcome.op.important === true;
            if (important && !outcome.ok) expect(outcome.error?.code).to.be.within(400, 428);
          }
        }),
        { numRuns: 150 },
      );
    });
  });
});
