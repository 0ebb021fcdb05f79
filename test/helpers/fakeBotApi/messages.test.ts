// fakeBotApi, driven through node-telegram-bot-api. What the bot writes: Message objects, text and entity limits, edits, deletes, drafts, commands.
import { expect } from 'chai';
import { type MessageEntity } from 'node-telegram-bot-api';
import { apiError, fakeAndClient, keyboard, NOT_MODIFIED } from './testing.ts';

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  describe('validation', () => {
    const s = fakeAndClient({ rateLimit: false });

    it('returns realistic Message objects', async () => {
      const m = await s.api.sendMessage({ chat_id: -100200, text: 'hi', message_thread_id: 3, reply_markup: keyboard('x') });
      expect(m.chat).to.deep.include({ id: -100200, type: 'supergroup' });
      expect(m.from).to.include({ id: 123456, is_bot: true });
      expect(m.date).to.be.closeTo(Date.now() / 1000, 5);
      expect(m).to.include({ text: 'hi', message_thread_id: 3 });
      expect(m.reply_markup).to.deep.equal(keyboard('x'));
      const m2 = await s.api.sendMessage({ chat_id: -100200, text: 'again' });
      expect(m2.message_id).to.equal(m.message_id + 1);
      const p = await s.api.sendMessage({ chat_id: 77, text: 'private' });
      expect(p.chat.type).to.equal('private');
      expect(s.fake.chatLog(-100200).map((s) => s.text)).to.deep.equal(['hi', 'again']);
    });

    it('enforces the 4096 UTF-16 unit text limit and empty text', async () => {
      const long = await apiError(s.api.sendMessage({ chat_id: 1, text: 'a'.repeat(4097) }));
      expect(long.errorCode).to.equal(400);
      expect(long.description).to.equal('Bad Request: message is too long');
      await s.api.sendMessage({ chat_id: 1, text: 'a'.repeat(4096) });
      await s.api.sendMessage({ chat_id: 1, text: '😀'.repeat(2048) }); // 4096 UTF-16 units
      const emoji = await apiError(s.api.sendMessage({ chat_id: 1, text: '😀'.repeat(2049) }));
      expect(emoji.description).to.equal('Bad Request: message is too long');
      const empty = await apiError(s.api.sendMessage({ chat_id: 1, text: '' }));
      expect(empty.description).to.equal('Bad Request: message text is empty');
      const blank = await apiError(s.api.sendMessage({ chat_id: 1, text: ' \n ' }));
      expect(blank.description).to.equal('Bad Request: message text is empty');
    });

    it('rejects bad entities with "can\'t parse entities"', async () => {
      const text = 'hello 😀 world';
      const cases: Array<[string, unknown[]]> = [
        ['unknown type', [{ type: 'blink', offset: 0, length: 5 }]],
        ['past the end', [{ type: 'bold', offset: 6, length: 20 }]],
        ['zero length', [{ type: 'bold', offset: 0, length: 0 }]],
        ['negative offset', [{ type: 'bold', offset: -1, length: 2 }]],
        ['non-integer', [{ type: 'bold', offset: 0.5, length: 2 }]],
        ['splits a surrogate pair', [{ type: 'bold', offset: 0, length: 7 }]],
        ['bad text_link', [{ type: 'text_link', offset: 0, length: 5, url: 'javascript:alert(1)' }]],
        ['missing text_link url', [{ type: 'text_link', offset: 0, length: 5 }]],
        [
          'partial overlap',
          [
            { type: 'bold', offset: 0, length: 5 },
            { type: 'italic', offset: 3, length: 5 },
          ],
        ],
      ];
      for (const [name, entities] of cases) {
        const err = await apiError(s.api.sendMessage({ chat_id: 1, text, entities: entities as MessageEntity[] }));
        expect(err.errorCode, name).to.equal(400);
        expect(err.description, name).to.match(/^Bad Request: can't parse entities: /);
      }
    });

    it('accepts nested entities, pre with language, links, and more than 100 entities', async () => {
      const text = 'hello 😀 world';
      await s.api.sendMessage({
        chat_id: 1,
        text,
        entities: [
          { type: 'bold', offset: 0, length: text.length },
          { type: 'italic', offset: 0, length: 5 },
          { type: 'text_link', offset: 6, length: 2, url: 'https://example.com/x' },
          { type: 'pre', offset: 9, length: 5, language: 'ts' },
        ],
      });
      const many = Array.from({ length: 150 }, (_, i) => ({ type: 'bold', offset: i * 2, length: 1 }));
      const m = await s.api.sendMessage({ chat_id: 1, text: 'a '.repeat(150), entities: many });
      expect(m.entities).to.have.length(100); // extras are ignored, not rejected
    });

    it('validates entities on drafts too', async () => {
      const err = await apiError(
        s.api.sendMessageDraft({ chat_id: 1, draft_id: 1, text: 'abc', entities: [{ type: 'bold', offset: 2, length: 5 }] }),
      );
      expect(err.description).to.match(/can't parse entities/);
    });

    it('editMessageText: not modified, not found, and keyboard removal', async () => {
      const m = await s.api.sendMessage({ chat_id: 5, text: 'v1', reply_markup: keyboard('a') });
      const same = await apiError(
        s.api.editMessageText({ chat_id: 5, message_id: m.message_id, text: 'v1', reply_markup: keyboard('a') }),
      );
      expect(same.description).to.equal(NOT_MODIFIED);

      const edited = await s.api.editMessageText({ chat_id: 5, message_id: m.message_id, text: 'v2', reply_markup: keyboard('a') });
      expect(edited).to.include({ text: 'v2' });
      const stored = s.fake.messages.get(`5:${m.message_id}`);
      expect(stored).to.include({ text: 'v2', edits: 1 });
      expect(stored?.history.map((h) => h.text)).to.deep.equal(['v1']);

      // same text but the keyboard is dropped: that is a modification (Telegram removes the keyboard)
      await s.api.editMessageText({ chat_id: 5, message_id: m.message_id, text: 'v2' });
      expect(s.fake.messages.get(`5:${m.message_id}`)?.reply_markup).to.equal(undefined);

      const entityChange = await s.api.editMessageText({
        chat_id: 5,
        message_id: m.message_id,
        text: 'v2',
        entities: [{ type: 'bold', offset: 0, length: 2 }],
      });
      if (typeof entityChange === 'boolean') throw new Error('expected the edited Message, got a boolean');
      expect(entityChange.entities).to.have.length(1);

      const missing = await apiError(s.api.editMessageText({ chat_id: 5, message_id: 999, text: 'x' }));
      expect(missing.description).to.equal('Bad Request: message to edit not found');

      expect(s.fake.messages.get(`5:${m.message_id}`)?.edits).to.equal(3);
    });

    it('deleteMessage removes the message from the chat log', async () => {
      const m = await s.api.sendMessage({ chat_id: 6, text: 'bye' });
      expect(await s.api.deleteMessage({ chat_id: 6, message_id: m.message_id })).to.equal(true);
      expect(s.fake.chatLog(6)).to.deep.equal([]);
      expect(s.fake.deletedMessages).to.have.length(1);
      const again = await apiError(s.api.deleteMessage({ chat_id: 6, message_id: m.message_id }));
      expect(again.description).to.equal('Bad Request: message to delete not found');
    });

    it('rejects callback_data longer than 64 bytes', async () => {
      await s.api.sendMessage({ chat_id: 1, text: 'ok', reply_markup: keyboard('x'.repeat(64)) });
      const err = await apiError(s.api.sendMessage({ chat_id: 1, text: 'ok', reply_markup: keyboard('é'.repeat(33)) }));
      expect(err.description).to.equal('Bad Request: BUTTON_DATA_INVALID');
    });

    it('decodes params: JSON fields parsed, integers as numbers', async () => {
      await s.api.sendMessage({ chat_id: 8, text: '12', entities: [{ type: 'code', offset: 0, length: 2 }] });
      const call = s.fake.calls.find((c) => c.method === 'sendMessage');
      expect(call?.params).to.deep.equal({ chat_id: 8, text: '12', entities: [{ type: 'code', offset: 0, length: 2 }] });
    });

    it('sendMessageDraft: private chats only, non-zero draft_id, 0-4096 text', async () => {
      expect(await s.api.sendMessageDraft({ chat_id: 10, draft_id: 1, text: 'partial', can_stop: true })).to.equal(true);
      expect(await s.api.sendMessageDraft({ chat_id: 10, draft_id: 1, text: '' })).to.equal(true);
      expect(s.fake.drafts.map((d) => d.text)).to.deep.equal(['partial', '']);
      expect(s.fake.drafts[0]).to.include({ chatId: 10, draftId: 1, canStop: true });

      const group = await apiError(s.api.sendMessageDraft({ chat_id: -100300, draft_id: 1, text: 'x' }));
      expect(group.errorCode).to.equal(400);
      expect(group.description).to.equal('Bad Request: TEXTDRAFT_PEER_INVALID');
      const zero = await apiError(s.api.sendMessageDraft({ chat_id: 10, draft_id: 0, text: 'x' }));
      expect(zero.errorCode).to.equal(400);
      const long = await apiError(s.api.sendMessageDraft({ chat_id: 10, draft_id: 2, text: 'a'.repeat(4097) }));
      expect(long.description).to.equal('Bad Request: message is too long');
      expect(s.fake.drafts).to.have.length(2);
    });

    it('setMyCommands validates names, descriptions and count', async () => {
      await s.api.setMyCommands({ commands: [{ command: 'new_session', description: 'Start a new session' }] });
      expect(s.fake.commands).to.deep.equal([{ command: 'new_session', description: 'Start a new session' }]);
      expect((await apiError(s.api.setMyCommands({ commands: [{ command: 'New', description: 'x' }] }))).description).to.equal(
        'Bad Request: BOT_COMMAND_INVALID',
      );
      expect((await apiError(s.api.setMyCommands({ commands: [{ command: 'ok', description: '' }] }))).description).to.equal(
        'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID',
      );
      const tooMany = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: 'd' }));
      expect((await apiError(s.api.setMyCommands({ commands: tooMany }))).description).to.equal(
        'Bad Request: BOT_COMMANDS_TOO_MUCH',
      );
    });

    it('sendChatAction accepts known actions', async () => {
      expect(await s.api.sendChatAction({ chat_id: 1, action: 'typing' })).to.equal(true);
      expect((await apiError(s.api.sendChatAction({ chat_id: 1, action: 'dancing' }))).errorCode).to.equal(400);
    });

    it('refuses what the bot never sends: a scoped command menu, a non-urlencoded body, methods it never calls', async () => {
      const scoped = await apiError(s.api.setMyCommands({ commands: [{ command: 'x', description: 'y' }], scope: { type: 'all_private_chats' } }));
      expect(scoped.description).to.match(/^Bad Request: fakeBotApi models only the default command menu/);
      const res = await fetch(`${s.fake.apiRoot}/bot${s.fake.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 1, text: 'json' }),
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { description: string }).description).to.contain('fakeBotApi decodes only urlencoded bodies');
      for (const method of ['editMessageReplyMarkup', 'setWebhook', 'getMyCommands']) {
        const r = await fetch(`${s.fake.apiRoot}/bot${s.fake.token}/${method}`, { method: 'POST' });
        expect(r.status, method).to.equal(404);
      }
      expect(s.fake.chatLog(1)).to.deep.equal([]);
    });

    it('unknown methods are 404 Not Found', async () => {
      const err = await apiError(s.api.sendDice({ chat_id: 1 }));
      expect(err.errorCode).to.equal(404);
    });
  });
});
