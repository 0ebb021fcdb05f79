// Huge answers stay cheap, end to end (real CLI, fake model, fake Bot API): a 10 MB answer comes
// as a few messages plus answer.md, and /status in another chat answers promptly all the while.
import { expect } from 'chai';
import { OWNER, startBot, type Harness } from '../helpers/botHarness.ts';
import { waitUntil } from '../helpers/processes.ts';

const HUGE = 10_000_000;

describe('a huge answer end to end', function () {
  this.timeout(180_000);
  let h: Harness;
  before(async () => {
    h = await startBot();
    await h.start();
  });
  after(async () => {
    await h?.close();
  });

  it('a 10 MB answer: at most 3 messages and the whole text as a document; /status elsewhere stays prompt', async () => {
    const big = 3001;
    h.tg.sendText({ chatId: big, userId: OWNER, text: `write a lot [[long: ${HUGE}]]`, chatType: 'private' });
    await waitUntil(() => h.model.mainRequests().some((r) => r.lastUserText.includes('write a lot')), 30_000, 'model request');
    // Ask for /status in other chats (a fresh one each time: no chat's pacing in the figure) until
    // the answer is delivered.
    const latencies: number[] = [];
    const delivered = () => h.tg.chatLog(big).some((m) => m.document !== undefined);
    for (let i = 0; !delivered() && i < 200; i++) {
      const other = 3100 + i;
      const asked = Date.now();
      const before = h.tg.chatLog(other).length;
      h.tg.sendText({ chatId: other, userId: OWNER, text: '/status', chatType: 'private' });
      await h.tg.waitFor(() => h.tg.chatLog(other).length > before, 30_000, () => `/status answer in chat ${other}`);
      latencies.push(Date.now() - asked);
    }
    await h.tg.waitFor(() => delivered(), 60_000, () => `a document in chat ${big}; chat has ${JSON.stringify(h.tg.chatLog(big).map((m) => m.text?.slice(0, 60) ?? m.document?.fileName))}`);
    const log = h.tg.chatLog(big);
    const texts = log.filter((m) => m.text !== undefined);
    const doc = log.find((m) => m.document !== undefined)!;
    expect(texts.length, 'messages of the answer').to.be.within(1, 3);
    expect(doc.document!.fileName).to.equal('answer.md');
    expect(doc.document!.content.length).to.equal(HUGE);
    expect(texts.at(-1)!.text).to.contain('the whole answer is in answer.md below');
    console.log(`      /status latencies while the huge answer was on its way (ms): ${latencies.join(', ')}`);
    expect(Math.max(...latencies), '/status in another chat').to.be.below(3000);
  });
});
