// fakeBotApi, driven through node-telegram-bot-api. Injected failures: consumed once, with Telegram's descriptions, or no answer at all.
import { expect } from 'chai';
import { Api, NetworkError, TelegramApiError, TimeoutError, longPoll } from 'node-telegram-bot-api';
import { apiError, CONFLICT, fakeAndClient, rejection } from './testing.ts';

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  describe('failure injection', () => {
    const s = fakeAndClient();

    it('500 and 502 surface as TelegramApiError and are consumed once', async () => {
      s.fake.failNext('sendMessage', { status: 500 });
      const err = await apiError(s.api.sendMessage({ chat_id: 1, text: 'x' }));
      expect(err.errorCode).to.equal(500);
      await s.api.sendMessage({ chat_id: 1, text: 'x' }); // consumed
      s.fake.failNext('*', { status: 502 }, 2);
      expect((await apiError(s.api.getMe())).errorCode).to.equal(502);
      expect((await apiError(s.api.sendChatAction({ chat_id: 1, action: 'typing' }))).errorCode).to.equal(502);
      await s.api.getMe();
    });

    it('injected 429 carries retry_after', async () => {
      s.fake.failNext('editMessageText', { status: 429, retryAfter: 7 });
      const err = await apiError(s.api.editMessageText({ chat_id: 1, message_id: 1, text: 'x' }));
      expect(err.errorCode).to.equal(429);
      expect(err.retryAfter).to.equal(7);
      expect(s.fake.stats.tooMany).to.equal(1);
    });

    it('injected 400 description gets the Bad Request prefix', async () => {
      s.fake.failNext('sendMessage', { status: 400, description: "can't parse entities: boom" });
      const err = await apiError(s.api.sendMessage({ chat_id: 1, text: 'x' }));
      expect(err.description).to.equal("Bad Request: can't parse entities: boom");
    });

    it('409 on getUpdates makes longPoll throw', async () => {
      s.fake.failNext('getUpdates', { status: 409 });
      const err = await rejection(longPoll(s.api, { timeout: 1 }).next());
      expect(err).to.be.instanceOf(TelegramApiError);
      expect((err as TelegramApiError).errorCode).to.equal(409);
      expect((err as TelegramApiError).description).to.equal(CONFLICT);
    });

    it('timeoutMs: the client times out first (TimeoutError), or the connection drops (NetworkError)', async () => {
      s.fake.failNext('getMe', { timeoutMs: 5000 });
      const impatient = new Api(s.fake.token, { apiRoot: s.fake.apiRoot, maxRetries: 0, timeoutMs: 150 });
      expect(await rejection(impatient.getMe())).to.be.instanceOf(TimeoutError);
      await s.fake.waitFor(() => s.fake.calls[0]?.response === 'injected timeout: client gave up first');

      s.fake.failNext('getMe', { timeoutMs: 50 });
      expect(await rejection(s.api.getMe())).to.be.instanceOf(NetworkError);
      expect(s.fake.calls[1]?.status).to.equal(0);
    });
  });
});
