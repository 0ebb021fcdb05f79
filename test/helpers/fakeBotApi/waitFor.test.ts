// fakeBotApi, driven through node-telegram-bot-api. waitFor: wakes on changes, and says what it saw when it times out.
import { expect } from 'chai';
import { fakeAndClient, rejection } from './testing.ts';

describe('fakeBotApi (driven through node-telegram-bot-api)', function () {
  this.timeout(10_000);

  describe('waitFor', () => {
    const s = fakeAndClient();

    it('resolves after a request makes the predicate true', async () => {
      const waiting = s.fake.waitFor(() => s.fake.chatLog(7)[0]);
      await s.api.sendMessage({ chat_id: 7, text: 'hi' });
      expect((await waiting).text).to.equal('hi');
    });

    it('rejects with a clear message on timeout', async () => {
      await s.api.getMe();
      const err = await rejection(s.fake.waitFor(() => s.fake.chatLog(99).length > 0, 50, 'a message in chat 99'));
      expect(err).to.be.instanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).to.contain('timed out after 50 ms waiting for a message in chat 99');
      expect(msg).to.contain('chatLog(99)');
      expect(msg).to.contain('getMe → 200');
    });
  });
});
