// fakeBotApi, driven through node-telegram-bot-api. Flood limits: 429 with retry_after per chat, per group and globally.
import { expect } from 'chai';
import { apiError, fakeAndClient } from './testing.ts';

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  describe('rate limits', () => {
    const s = fakeAndClient();

    it('per chat: a burst of 3 per second, then 429 with retry_after', async () => {
      await s.start();
      for (let i = 0; i < 3; i++) await s.api.sendMessage({ chat_id: 1, text: `m${i}` });
      const err = await apiError(s.api.sendMessage({ chat_id: 1, text: 'one too many' }));
      expect(err.errorCode).to.equal(429);
      expect(err.description).to.match(/^Too Many Requests: retry after \d+$/);
      expect(err.retryAfter).to.be.at.least(1);
      expect(s.fake.stats.tooMany).to.equal(1);
      expect(s.fake.stats.byMethod.sendMessage).to.equal(4);
      // another chat, drafts and chat actions are not affected
      await s.api.sendMessage({ chat_id: 2, text: 'other chat' });
      for (let i = 0; i < 5; i++) {
        await s.api.sendMessageDraft({ chat_id: 1, draft_id: 1, text: `d${i}` });
        await s.api.sendChatAction({ chat_id: 1, action: 'typing' });
      }
    });

    it('per group: more than groupPerMinute in 60 s is refused', async () => {
      await s.start({ rateLimit: { groupPerMinute: 2, burst: 10 } });
      await s.api.sendMessage({ chat_id: -100500, text: 'a' });
      const m = await s.api.sendMessage({ chat_id: -100500, text: 'b' });
      const err = await apiError(s.api.editMessageText({ chat_id: -100500, message_id: m.message_id, text: 'c' }));
      expect(err.errorCode).to.equal(429);
      expect(err.retryAfter).to.be.within(55, 60);
    });

    it('globally: more than globalPerSecond across chats is refused', async () => {
      await s.start({ rateLimit: { globalPerSecond: 2 } });
      await s.api.sendMessage({ chat_id: 1, text: 'a' });
      await s.api.sendMessage({ chat_id: 2, text: 'b' });
      const err = await apiError(s.api.sendMessage({ chat_id: 3, text: 'c' }));
      expect(err.errorCode).to.equal(429);
      expect(err.parameters?.retry_after).to.be.at.least(1);
    });
  });
});
