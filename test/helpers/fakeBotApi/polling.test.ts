// fakeBotApi, driven through node-telegram-bot-api. Long polling (offset, allowed_updates, held polls, 409 between pollers) and injected updates.
import { expect } from 'chai';
import { Api, TelegramApiError, longPoll } from 'node-telegram-bot-api';
import { apiError, CONFLICT, fakeAndClient, messageOf, rejection } from './testing.ts';

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  describe('basics and long polling', () => {
    const s = fakeAndClient();

    it('listens on 127.0.0.1 and answers getMe with the bot user', async () => {
      expect(s.fake.apiRoot).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.fake.token).to.equal('123456:TEST-TOKEN');
      const me = await s.api.getMe();
      expect(me).to.include({ id: 123456, is_bot: true });
      expect(s.fake.calls[0]).to.include({ method: 'getMe', status: 200 });
    });

    it('rejects a wrong token with 401', async () => {
      const other = new Api('999:WRONG', { apiRoot: s.fake.apiRoot, maxRetries: 0 });
      const err = await apiError(other.getMe());
      expect(err.errorCode).to.equal(401);
      expect(err.description).to.equal('Unauthorized');
    });

    it('longPoll receives an injected update and the next poll confirms it via offset', async () => {
      const ac = new AbortController();
      const updates = longPoll(s.api, { timeout: 5 }, ac.signal);
      const first = updates.next();
      await s.fake.waitFor(() => s.fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0), 2000, 'a pending long poll');

      const sent = s.fake.sendText({ chatId: 42, userId: 42, text: '/start hello' });
      const got = await first;
      expect(got.value).to.deep.equal(sent);
      const msg = messageOf(sent);
      expect(msg.entities).to.deep.equal([{ type: 'bot_command', offset: 0, length: 6 }]);
      expect(msg.chat).to.include({ id: 42, type: 'private' });
      expect(msg.from).to.include({ id: 42, is_bot: false });
      expect(s.fake.pendingUpdates()).to.have.length(1); // not confirmed yet

      const second = updates.next(); // polls again with offset = update_id + 1
      const poll2 = await s.fake.waitFor(() => s.fake.calls.filter((c) => c.method === 'getUpdates')[1]);
      expect(poll2.params.offset).to.equal(sent.update_id + 1);
      expect(s.fake.pendingUpdates()).to.deep.equal([]);

      ac.abort();
      expect((await second).done).to.equal(true);
    });

    it('redelivers unconfirmed updates and forgets confirmed ones', async () => {
      const u1 = s.fake.sendText({ chatId: 1, userId: 1, text: 'one' });
      const u2 = s.fake.sendText({ chatId: 1, userId: 1, text: 'two' });
      expect(u2.update_id).to.be.greaterThan(u1.update_id);
      expect(await s.api.getUpdates({})).to.deep.equal([u1, u2]);
      expect(await s.api.getUpdates({ limit: 1 })).to.deep.equal([u1]);
      expect(await s.api.getUpdates({ offset: u1.update_id + 1 })).to.deep.equal([u2]);
      expect(await s.api.getUpdates({})).to.deep.equal([u2]); // u1 is gone for good
      expect(await s.api.getUpdates({ offset: -1 })).to.deep.equal([u2]);
    });

    it('holds a long poll until the timeout passes when nothing arrives', async () => {
      const t0 = Date.now();
      expect(await s.api.getUpdates({ timeout: 1 })).to.deep.equal([]);
      expect(Date.now() - t0).to.be.at.least(900);
    });

    it('answers a held long poll as soon as an update is injected', async () => {
      const poll = s.api.getUpdates({ timeout: 20 });
      await s.fake.waitFor(() => s.fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0));
      const u = s.fake.sendText({ chatId: 3, userId: 3, text: 'hi' });
      expect(await poll).to.deep.equal([u]);
    });

    it('a second concurrent long poll terminates the earlier one with 409 (as the real server does)', async () => {
      const first = rejection(s.api.getUpdates({ timeout: 20 }));
      await s.fake.waitFor(() => s.fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0));
      const second = s.api.getUpdates({ timeout: 20 });
      const err = await first;
      expect(err).to.be.instanceOf(TelegramApiError);
      expect((err as TelegramApiError).errorCode).to.equal(409);
      expect((err as TelegramApiError).description).to.equal(CONFLICT);
      const u = s.fake.sendText({ chatId: 3, userId: 3, text: 'for the survivor' });
      expect(await second).to.deep.equal([u]);
    });

    it('applies allowed_updates to updates created after the call', async () => {
      await s.api.getUpdates({ allowed_updates: ['message'] });
      s.fake.stopDraft({ chatId: 9, draftId: 5 });
      const m = s.fake.sendText({ chatId: 9, userId: 9, text: 'kept' });
      expect(s.fake.droppedUpdates).to.have.length(1);
      expect(await s.api.getUpdates({})).to.deep.equal([m]);

      await s.api.getUpdates({ offset: m.update_id + 1, allowed_updates: ['message', 'stopped_message_generation'] });
      const stop = s.fake.stopDraft({ chatId: 9, draftId: 5, threadId: 2 });
      const [got] = await s.api.getUpdates({});
      expect(got).to.deep.equal(stop);
      expect(got && 'stopped_message_generation' in got && got.stopped_message_generation).to.deep.include({
        draft_id: 5,
        message_thread_id: 2,
      });
    });

    it('close() ends a pending long poll', async () => {
      const poll = s.api.getUpdates({ timeout: 30 });
      await s.fake.waitFor(() => s.fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0));
      await s.fake.close();
      expect(await poll).to.deep.equal([]);
    });

    it('injects realistic updates: topics, replies, documents, callbacks', async () => {
      const sent = await s.api.sendMessage({ chat_id: -1001, text: 'question?', message_thread_id: 7 });
      const reply = messageOf(
        s.fake.sendText({
          chatId: -1001,
          userId: 5,
          text: 'answer',
          threadId: 7,
          replyTo: { message_id: sent.message_id, text: 'question?' },
        }),
      );
      expect(reply.chat).to.include({ id: -1001, type: 'supergroup' });
      expect(reply).to.include({ message_thread_id: 7, is_topic_message: true });
      expect(reply.reply_to_message).to.include({ message_id: sent.message_id, text: 'question?' });
      expect(reply.reply_to_message?.from?.is_bot).to.equal(true);
      expect(reply.message_id).to.be.greaterThan(sent.message_id);

      const doc = messageOf(
        s.fake.sendDocument({ chatId: 5, userId: 5, fileName: 'a.txt', content: Buffer.from('abc'), caption: 'see', mimeType: 'text/plain' }),
      );
      expect(doc.document).to.include({ file_name: 'a.txt', mime_type: 'text/plain', file_size: 3 });
      expect(doc.caption).to.equal('see');

      const cbUpdate = s.fake.sendCallback({ chatId: -1001, userId: 5, messageId: sent.message_id, data: 'ap:1' });
      if (!('callback_query' in cbUpdate)) throw new Error('expected a callback_query');
      const cq = cbUpdate.callback_query;
      expect(cq).to.include({ data: 'ap:1' });
      expect(cq.chat_instance).to.be.a('string');
      expect(cq.message).to.deep.include({ message_id: sent.message_id });
      expect(cq.message?.chat.id).to.equal(-1001);
      expect(await s.api.answerCallbackQuery({ callback_query_id: cq.id })).to.equal(true);
      const again = await apiError(s.api.answerCallbackQuery({ callback_query_id: cq.id }));
      expect(again.description).to.contain('query is too old');
    });
  });
});
