import { expect } from 'chai';
import {
  Api,
  InputFile,
  NetworkError,
  TelegramApiError,
  TimeoutError,
  longPoll,
  type InlineKeyboardMarkup,
  type MessageEntity,
  type Update,
} from 'node-telegram-bot-api';
import { startFakeBotApi, type FakeBotApi } from './helpers/fakeBotApi.ts';

const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const CONFLICT = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

/** Resolves with the TelegramApiError a call fails with; fails the test if it succeeds. */
async function apiError(p: Promise<unknown>): Promise<TelegramApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TelegramApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail with a TelegramApiError, but it succeeded');
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

function messageOf(u: Update): Extract<Update, { message: unknown }>['message'] {
  if (!('message' in u)) throw new Error(`not a message update: ${JSON.stringify(u)}`);
  return u.message;
}

const keyboard = (data: string): InlineKeyboardMarkup => ({ inline_keyboard: [[{ text: 'Go', callback_data: data }]] });

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  let fake: FakeBotApi;
  let api: Api;

  const start = async (opts?: Parameters<typeof startFakeBotApi>[0]): Promise<void> => {
    fake = await startFakeBotApi(opts);
    api = new Api(fake.token, { apiRoot: fake.apiRoot, maxRetries: 0 });
  };

  afterEach(async () => {
    await fake?.close();
  });

  describe('basics and long polling', () => {
    beforeEach(() => start());

    it('listens on 127.0.0.1 and answers getMe with the bot user', async () => {
      expect(fake.apiRoot).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(fake.token).to.equal('123456:TEST-TOKEN');
      const me = await api.getMe();
      expect(me).to.include({ id: 123456, is_bot: true });
      expect(fake.calls[0]).to.include({ method: 'getMe', status: 200 });
    });

    it('rejects a wrong token with 401', async () => {
      const other = new Api('999:WRONG', { apiRoot: fake.apiRoot, maxRetries: 0 });
      const err = await apiError(other.getMe());
      expect(err.errorCode).to.equal(401);
      expect(err.description).to.equal('Unauthorized');
    });

    it('longPoll receives an injected update and the next poll confirms it via offset', async () => {
      const ac = new AbortController();
      const updates = longPoll(api, { timeout: 5 }, ac.signal);
      const first = updates.next();
      await fake.waitFor(() => fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0), 2000, 'a pending long poll');

      const sent = fake.sendText({ chatId: 42, userId: 42, text: '/start hello' });
      const got = await first;
      expect(got.value).to.deep.equal(sent);
      const msg = messageOf(sent);
      expect(msg.entities).to.deep.equal([{ type: 'bot_command', offset: 0, length: 6 }]);
      expect(msg.chat).to.include({ id: 42, type: 'private' });
      expect(msg.from).to.include({ id: 42, is_bot: false });
      expect(fake.pendingUpdates()).to.have.length(1); // not confirmed yet

      const second = updates.next(); // polls again with offset = update_id + 1
      const poll2 = await fake.waitFor(() => fake.calls.filter((c) => c.method === 'getUpdates')[1]);
      expect(poll2.params.offset).to.equal(sent.update_id + 1);
      expect(fake.pendingUpdates()).to.deep.equal([]);

      ac.abort();
      expect((await second).done).to.equal(true);
    });

    it('redelivers unconfirmed updates and forgets confirmed ones', async () => {
      const u1 = fake.sendText({ chatId: 1, userId: 1, text: 'one' });
      const u2 = fake.sendText({ chatId: 1, userId: 1, text: 'two' });
      expect(u2.update_id).to.be.greaterThan(u1.update_id);
      expect(await api.getUpdates({})).to.deep.equal([u1, u2]);
      expect(await api.getUpdates({ limit: 1 })).to.deep.equal([u1]);
      expect(await api.getUpdates({ offset: u1.update_id + 1 })).to.deep.equal([u2]);
      expect(await api.getUpdates({})).to.deep.equal([u2]); // u1 is gone for good
      expect(await api.getUpdates({ offset: -1 })).to.deep.equal([u2]);
    });

    it('holds a long poll until the timeout passes when nothing arrives', async () => {
      const t0 = Date.now();
      expect(await api.getUpdates({ timeout: 1 })).to.deep.equal([]);
      expect(Date.now() - t0).to.be.at.least(900);
    });

    it('answers a held long poll as soon as an update is injected', async () => {
      const poll = api.getUpdates({ timeout: 20 });
      await fake.waitFor(() => fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0));
      const u = fake.sendText({ chatId: 3, userId: 3, text: 'hi' });
      expect(await poll).to.deep.equal([u]);
    });

    it('a second concurrent long poll terminates the earlier one with 409 (as the real server does)', async () => {
      const first = rejection(api.getUpdates({ timeout: 20 }));
      await fake.waitFor(() => fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0));
      const second = api.getUpdates({ timeout: 20 });
      const err = await first;
      expect(err).to.be.instanceOf(TelegramApiError);
      expect((err as TelegramApiError).errorCode).to.equal(409);
      expect((err as TelegramApiError).description).to.equal(CONFLICT);
      const u = fake.sendText({ chatId: 3, userId: 3, text: 'for the survivor' });
      expect(await second).to.deep.equal([u]);
    });

    it('applies allowed_updates to updates created after the call', async () => {
      await api.getUpdates({ allowed_updates: ['message'] });
      fake.stopDraft({ chatId: 9, draftId: 5 });
      const m = fake.sendText({ chatId: 9, userId: 9, text: 'kept' });
      expect(fake.droppedUpdates).to.have.length(1);
      expect(await api.getUpdates({})).to.deep.equal([m]);

      await api.getUpdates({ offset: m.update_id + 1, allowed_updates: ['message', 'stopped_message_generation'] });
      const stop = fake.stopDraft({ chatId: 9, draftId: 5, threadId: 2 });
      const [got] = await api.getUpdates({});
      expect(got).to.deep.equal(stop);
      expect(got && 'stopped_message_generation' in got && got.stopped_message_generation).to.deep.include({
        draft_id: 5,
        message_thread_id: 2,
      });
    });

    it('close() ends a pending long poll', async () => {
      const poll = api.getUpdates({ timeout: 30 });
      await fake.waitFor(() => fake.calls.find((c) => c.method === 'getUpdates' && c.status === 0));
      await fake.close();
      expect(await poll).to.deep.equal([]);
    });

    it('injects realistic updates: topics, replies, documents, photos, callbacks', async () => {
      const sent = await api.sendMessage({ chat_id: -1001, text: 'question?', message_thread_id: 7 });
      const reply = messageOf(
        fake.sendText({
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
        fake.sendDocument({ chatId: 5, userId: 5, fileName: 'a.txt', content: Buffer.from('abc'), caption: 'see', mimeType: 'text/plain' }),
      );
      expect(doc.document).to.include({ file_name: 'a.txt', mime_type: 'text/plain', file_size: 3 });
      expect(doc.caption).to.equal('see');

      const photo = messageOf(fake.sendPhoto({ chatId: 5, userId: 5, content: Buffer.from('jpeg'), caption: 'pic' }));
      expect(photo.photo).to.have.length(3);
      expect(photo.photo?.[2]).to.include({ width: 1280 });

      const cbUpdate = fake.sendCallback({ chatId: -1001, userId: 5, messageId: sent.message_id, data: 'ap:1' });
      if (!('callback_query' in cbUpdate)) throw new Error('expected a callback_query');
      const cq = cbUpdate.callback_query;
      expect(cq).to.include({ data: 'ap:1' });
      expect(cq.chat_instance).to.be.a('string');
      expect(cq.message).to.deep.include({ message_id: sent.message_id });
      expect(cq.message?.chat.id).to.equal(-1001);
      expect(await api.answerCallbackQuery({ callback_query_id: cq.id })).to.equal(true);
      const again = await apiError(api.answerCallbackQuery({ callback_query_id: cq.id }));
      expect(again.description).to.contain('query is too old');
    });
  });

  describe('validation', () => {
    beforeEach(() => start({ rateLimit: false }));

    it('returns realistic Message objects', async () => {
      const m = await api.sendMessage({ chat_id: -100200, text: 'hi', message_thread_id: 3, reply_markup: keyboard('x') });
      expect(m.chat).to.deep.include({ id: -100200, type: 'supergroup' });
      expect(m.from).to.include({ id: 123456, is_bot: true });
      expect(m.date).to.be.closeTo(Date.now() / 1000, 5);
      expect(m).to.include({ text: 'hi', message_thread_id: 3 });
      expect(m.reply_markup).to.deep.equal(keyboard('x'));
      const m2 = await api.sendMessage({ chat_id: -100200, text: 'again' });
      expect(m2.message_id).to.equal(m.message_id + 1);
      const p = await api.sendMessage({ chat_id: 77, text: 'private' });
      expect(p.chat.type).to.equal('private');
      expect(fake.chatLog(-100200).map((s) => s.text)).to.deep.equal(['hi', 'again']);
    });

    it('enforces the 4096 UTF-16 unit text limit and empty text', async () => {
      const long = await apiError(api.sendMessage({ chat_id: 1, text: 'a'.repeat(4097) }));
      expect(long.errorCode).to.equal(400);
      expect(long.description).to.equal('Bad Request: message is too long');
      await api.sendMessage({ chat_id: 1, text: 'a'.repeat(4096) });
      await api.sendMessage({ chat_id: 1, text: '😀'.repeat(2048) }); // 4096 UTF-16 units
      const emoji = await apiError(api.sendMessage({ chat_id: 1, text: '😀'.repeat(2049) }));
      expect(emoji.description).to.equal('Bad Request: message is too long');
      const empty = await apiError(api.sendMessage({ chat_id: 1, text: '' }));
      expect(empty.description).to.equal('Bad Request: message text is empty');
      const blank = await apiError(api.sendMessage({ chat_id: 1, text: ' \n ' }));
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
        const err = await apiError(api.sendMessage({ chat_id: 1, text, entities: entities as MessageEntity[] }));
        expect(err.errorCode, name).to.equal(400);
        expect(err.description, name).to.match(/^Bad Request: can't parse entities: /);
      }
    });

    it('accepts nested entities, pre with language, links, and more than 100 entities', async () => {
      const text = 'hello 😀 world';
      await api.sendMessage({
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
      const m = await api.sendMessage({ chat_id: 1, text: 'a '.repeat(150), entities: many });
      expect(m.entities).to.have.length(100); // extras are ignored, not rejected
    });

    it('validates entities on drafts and captions too', async () => {
      const err = await apiError(
        api.sendMessageDraft({ chat_id: 1, draft_id: 1, text: 'abc', entities: [{ type: 'bold', offset: 2, length: 5 }] }),
      );
      expect(err.description).to.match(/can't parse entities/);
    });

    it('editMessageText: not modified, not found, and keyboard removal', async () => {
      const m = await api.sendMessage({ chat_id: 5, text: 'v1', reply_markup: keyboard('a') });
      const same = await apiError(
        api.editMessageText({ chat_id: 5, message_id: m.message_id, text: 'v1', reply_markup: keyboard('a') }),
      );
      expect(same.description).to.equal(NOT_MODIFIED);

      const edited = await api.editMessageText({ chat_id: 5, message_id: m.message_id, text: 'v2', reply_markup: keyboard('a') });
      expect(edited).to.include({ text: 'v2' });
      const stored = fake.messages.get(`5:${m.message_id}`);
      expect(stored).to.include({ text: 'v2', edits: 1 });
      expect(stored?.history.map((h) => h.text)).to.deep.equal(['v1']);

      // same text but the keyboard is dropped: that is a modification (Telegram removes the keyboard)
      await api.editMessageText({ chat_id: 5, message_id: m.message_id, text: 'v2' });
      expect(fake.messages.get(`5:${m.message_id}`)?.reply_markup).to.equal(undefined);

      const entityChange = await api.editMessageText({
        chat_id: 5,
        message_id: m.message_id,
        text: 'v2',
        entities: [{ type: 'bold', offset: 0, length: 2 }],
      });
      if (typeof entityChange === 'boolean') throw new Error('expected the edited Message, got a boolean');
      expect(entityChange.entities).to.have.length(1);

      const missing = await apiError(api.editMessageText({ chat_id: 5, message_id: 999, text: 'x' }));
      expect(missing.description).to.equal('Bad Request: message to edit not found');

      await api.editMessageReplyMarkup({ chat_id: 5, message_id: m.message_id, reply_markup: keyboard('b') });
      const sameMarkup = await apiError(
        api.editMessageReplyMarkup({ chat_id: 5, message_id: m.message_id, reply_markup: keyboard('b') }),
      );
      expect(sameMarkup.description).to.equal(NOT_MODIFIED);
      expect(fake.messages.get(`5:${m.message_id}`)?.edits).to.equal(4);
    });

    it('deleteMessage removes the message from the chat log', async () => {
      const m = await api.sendMessage({ chat_id: 6, text: 'bye' });
      expect(await api.deleteMessage({ chat_id: 6, message_id: m.message_id })).to.equal(true);
      expect(fake.chatLog(6)).to.deep.equal([]);
      expect(fake.deletedMessages).to.have.length(1);
      const again = await apiError(api.deleteMessage({ chat_id: 6, message_id: m.message_id }));
      expect(again.description).to.equal('Bad Request: message to delete not found');
    });

    it('rejects callback_data longer than 64 bytes', async () => {
      await api.sendMessage({ chat_id: 1, text: 'ok', reply_markup: keyboard('x'.repeat(64)) });
      const err = await apiError(api.sendMessage({ chat_id: 1, text: 'ok', reply_markup: keyboard('é'.repeat(33)) }));
      expect(err.description).to.equal('Bad Request: BUTTON_DATA_INVALID');
    });

    it('accepts parse_mode but records it', async () => {
      await api.sendMessage({ chat_id: 1, text: '*bold*', parse_mode: 'MarkdownV2' });
      const call = fake.calls.find((c) => c.method === 'sendMessage');
      expect(call?.params.parse_mode).to.equal('MarkdownV2');
      expect(fake.chatLog(1)[0]?.parse_mode).to.equal('MarkdownV2');
    });

    it('decodes params: JSON fields parsed, integers as numbers', async () => {
      await api.sendMessage({ chat_id: 8, text: '12', entities: [{ type: 'code', offset: 0, length: 2 }] });
      const call = fake.calls.find((c) => c.method === 'sendMessage');
      expect(call?.params).to.deep.equal({ chat_id: 8, text: '12', entities: [{ type: 'code', offset: 0, length: 2 }] });
    });

    it('sendMessageDraft: private chats only, non-zero draft_id, 0-4096 text', async () => {
      expect(await api.sendMessageDraft({ chat_id: 10, draft_id: 1, text: 'partial', can_stop: true })).to.equal(true);
      expect(await api.sendMessageDraft({ chat_id: 10, draft_id: 1, text: '' })).to.equal(true);
      expect(fake.drafts.map((d) => d.text)).to.deep.equal(['partial', '']);
      expect(fake.drafts[0]).to.include({ chatId: 10, draftId: 1, canStop: true });

      const group = await apiError(api.sendMessageDraft({ chat_id: -100300, draft_id: 1, text: 'x' }));
      expect(group.errorCode).to.equal(400);
      expect(group.description).to.equal('Bad Request: TEXTDRAFT_PEER_INVALID');
      const zero = await apiError(api.sendMessageDraft({ chat_id: 10, draft_id: 0, text: 'x' }));
      expect(zero.errorCode).to.equal(400);
      const long = await apiError(api.sendMessageDraft({ chat_id: 10, draft_id: 2, text: 'a'.repeat(4097) }));
      expect(long.description).to.equal('Bad Request: message is too long');
      expect(fake.drafts).to.have.length(2);
    });

    it('setMyCommands validates names, descriptions and count', async () => {
      await api.setMyCommands({ commands: [{ command: 'new_session', description: 'Start a new session' }] });
      expect(fake.commands).to.deep.equal([{ command: 'new_session', description: 'Start a new session' }]);
      expect((await apiError(api.setMyCommands({ commands: [{ command: 'New', description: 'x' }] }))).description).to.equal(
        'Bad Request: BOT_COMMAND_INVALID',
      );
      expect((await apiError(api.setMyCommands({ commands: [{ command: 'ok', description: '' }] }))).description).to.equal(
        'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID',
      );
      const tooMany = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: 'd' }));
      expect((await apiError(api.setMyCommands({ commands: tooMany }))).description).to.equal(
        'Bad Request: BOT_COMMANDS_TOO_MUCH',
      );
    });

    it('sendChatAction accepts known actions', async () => {
      expect(await api.sendChatAction({ chat_id: 1, action: 'typing' })).to.equal(true);
      expect((await apiError(api.sendChatAction({ chat_id: 1, action: 'dancing' }))).errorCode).to.equal(400);
    });

    it('unknown methods are 404 Not Found', async () => {
      const err = await apiError(api.sendDice({ chat_id: 1 }));
      expect(err.errorCode).to.equal(404);
    });
  });

  describe('files', () => {
    beforeEach(() => start());

    it('getFile + download of a user document', async () => {
      const content = Buffer.from('hello file contents');
      const msg = messageOf(fake.sendDocument({ chatId: 5, userId: 5, fileName: 'notes.txt', content, mimeType: 'text/plain' }));
      const fileId = msg.document?.file_id ?? '';
      const file = await api.getFile({ file_id: fileId });
      expect(file.file_path).to.be.a('string');
      expect(file.file_size).to.equal(content.length);
      const res = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(content)).to.equal(true);
      const missing = await fetch(`${fake.apiRoot}/file/bot${fake.token}/documents/nope.txt`);
      expect(missing.status).to.equal(404);
      expect(fake.downloads.map((d) => d.status)).to.deep.equal([200, 404]);
    });

    it('getFile refuses files over 20 MB', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024 + 1);
      const msg = messageOf(fake.sendDocument({ chatId: 5, userId: 5, fileName: 'big.bin', content: big }));
      const err = await apiError(api.getFile({ file_id: msg.document?.file_id ?? '' }));
      expect(err.description).to.equal('Bad Request: file is too big');
    });

    it('records a multipart sendDocument from the bot', async () => {
      const bytes = new TextEncoder().encode('agent log\n');
      const m = await api.sendDocument({
        chat_id: 5,
        document: new InputFile(bytes, { filename: 'agent.log', contentType: 'text/plain' }),
        caption: 'full log',
      });
      expect(m.document).to.include({ file_name: 'agent.log', mime_type: 'text/plain', file_size: bytes.length });
      expect(m.caption).to.equal('full log');
      const [stored] = fake.chatLog(5);
      expect(stored?.content?.toString()).to.equal('agent log\n');
      const call = fake.calls.find((c) => c.method === 'sendDocument');
      expect(call?.params).to.include({ chat_id: 5, caption: 'full log' });
    });
  });

  describe('rate limits', () => {
    it('per chat: a burst of 3 per second, then 429 with retry_after', async () => {
      await start();
      for (let i = 0; i < 3; i++) await api.sendMessage({ chat_id: 1, text: `m${i}` });
      const err = await apiError(api.sendMessage({ chat_id: 1, text: 'one too many' }));
      expect(err.errorCode).to.equal(429);
      expect(err.description).to.match(/^Too Many Requests: retry after \d+$/);
      expect(err.retryAfter).to.be.at.least(1);
      expect(fake.stats.tooMany).to.equal(1);
      expect(fake.stats.byMethod.sendMessage).to.equal(4);
      // another chat, drafts and chat actions are not affected
      await api.sendMessage({ chat_id: 2, text: 'other chat' });
      for (let i = 0; i < 5; i++) {
        await api.sendMessageDraft({ chat_id: 1, draft_id: 1, text: `d${i}` });
        await api.sendChatAction({ chat_id: 1, action: 'typing' });
      }
    });

    it('per group: more than groupPerMinute in 60 s is refused', async () => {
      await start({ rateLimit: { groupPerMinute: 2, burst: 10 } });
      await api.sendMessage({ chat_id: -100500, text: 'a' });
      const m = await api.sendMessage({ chat_id: -100500, text: 'b' });
      const err = await apiError(api.editMessageText({ chat_id: -100500, message_id: m.message_id, text: 'c' }));
      expect(err.errorCode).to.equal(429);
      expect(err.retryAfter).to.be.within(55, 60);
    });

    it('globally: more than globalPerSecond across chats is refused', async () => {
      await start({ rateLimit: { globalPerSecond: 2 } });
      await api.sendMessage({ chat_id: 1, text: 'a' });
      await api.sendMessage({ chat_id: 2, text: 'b' });
      const err = await apiError(api.sendMessage({ chat_id: 3, text: 'c' }));
      expect(err.errorCode).to.equal(429);
      expect(err.parameters?.retry_after).to.be.at.least(1);
    });
  });

  describe('failure injection', () => {
    beforeEach(() => start());

    it('500 and 502 surface as TelegramApiError and are consumed once', async () => {
      fake.failNext('sendMessage', { status: 500 });
      const err = await apiError(api.sendMessage({ chat_id: 1, text: 'x' }));
      expect(err.errorCode).to.equal(500);
      await api.sendMessage({ chat_id: 1, text: 'x' }); // consumed
      fake.failNext('*', { status: 502 }, 2);
      expect((await apiError(api.getMe())).errorCode).to.equal(502);
      expect((await apiError(api.sendChatAction({ chat_id: 1, action: 'typing' }))).errorCode).to.equal(502);
      await api.getMe();
    });

    it('injected 429 carries retry_after', async () => {
      fake.failNext('editMessageText', { status: 429, retryAfter: 7 });
      const err = await apiError(api.editMessageText({ chat_id: 1, message_id: 1, text: 'x' }));
      expect(err.errorCode).to.equal(429);
      expect(err.retryAfter).to.equal(7);
      expect(fake.stats.tooMany).to.equal(1);
    });

    it('injected 400 description gets the Bad Request prefix', async () => {
      fake.failNext('sendMessage', { status: 400, description: "can't parse entities: boom" });
      const err = await apiError(api.sendMessage({ chat_id: 1, text: 'x' }));
      expect(err.description).to.equal("Bad Request: can't parse entities: boom");
    });

    it('409 on getUpdates makes longPoll throw', async () => {
      fake.failNext('getUpdates', { status: 409 });
      const err = await rejection(longPoll(api, { timeout: 1 }).next());
      expect(err).to.be.instanceOf(TelegramApiError);
      expect((err as TelegramApiError).errorCode).to.equal(409);
      expect((err as TelegramApiError).description).to.equal(CONFLICT);
    });

    it('timeoutMs: the client times out first (TimeoutError), or the connection drops (NetworkError)', async () => {
      fake.failNext('getMe', { timeoutMs: 5000 });
      const impatient = new Api(fake.token, { apiRoot: fake.apiRoot, maxRetries: 0, timeoutMs: 150 });
      expect(await rejection(impatient.getMe())).to.be.instanceOf(TimeoutError);
      await fake.waitFor(() => fake.calls[0]?.response === 'injected timeout: client gave up first');

      fake.failNext('getMe', { timeoutMs: 50 });
      expect(await rejection(api.getMe())).to.be.instanceOf(NetworkError);
      expect(fake.calls[1]?.status).to.equal(0);
    });
  });

  describe('waitFor', () => {
    beforeEach(() => start());

    it('resolves after a request makes the predicate true', async () => {
      const waiting = fake.waitFor(() => fake.chatLog(7)[0]);
      await api.sendMessage({ chat_id: 7, text: 'hi' });
      expect((await waiting).text).to.equal('hi');
    });

    it('rejects with a clear message on timeout', async () => {
      await api.getMe();
      const err = await rejection(fake.waitFor(() => fake.chatLog(99).length > 0, 50, 'a message in chat 99'));
      expect(err).to.be.instanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).to.contain('timed out after 50 ms waiting for a message in chat 99');
      expect(msg).to.contain('chatLog(99)');
      expect(msg).to.contain('getMe → 200');
    });
  });
});
