// End to end: Claude Code working when nobody types (real CLI, fake model, fake Bot API). A
// background task's follow-up turn reaches the chat by itself, a message typed during it is answered
// after it; a ScheduleWakeup fires with the idle reaper set shorter than the wait; a usage limit
// holds the queue and resumes by itself at the reset time.
import { expect } from 'chai';
import { startBot, OWNER, type Harness } from '../helpers/botHarness.ts';
import { usageLimitError, type ModelRequest } from '../helpers/fakeModel.ts';

// The CLI clamps a wakeup to at least 60 s: the two wakeup tests take about 4 minutes together, so
// they run with `npm run test:slow` (and in CI), not in every `npm test`.
const slowIt = process.env.SLOW_TESTS === '1' ? it : it.skip;

describe('Claude working between turns (e2e)', function () {
  this.timeout(200_000);
  let h: Harness;
  let chat = 3000;
  const say = (chatId: number, text: string) => h.tg.sendText({ chatId, userId: OWNER, text, chatType: 'private' });
  const limitOnce = new Set<string>();
  const director = (req: ModelRequest) => {
    const m = /\[\[limitonce: (\d+)\]\]/.exec(req.lastUserText);
    // Keyed by the marker: the CLI's retry of an unanswered message is a different request text.
    if (m && req.toolResults.length === 0 && !limitOnce.has(m[0])) {
      limitOnce.add(m[0]);
      return { error: usageLimitError(Number(m[1])) };
    }
    return undefined;
  };
  before(async () => {
    // Idle processes are reaped after 3 s: shorter than the background task and the wakeup.
    h = await startBot({ director, env: { IDLE_MINUTES: '0.05' } });
    await h.start();
  });
  after(async () => {
    await h?.close();
  });

  it('a finished background task: the CLI\'s own follow-up turn reaches the chat; a message typed during it is answered after it', async () => {
    const c = ++chat;
    say(c, 'start it [[bgbash: sleep 3; echo BG-DONE]]');
    await h.waitForMessage(c, /TOOL RESULT: Command running in background/);
    // Nothing typed: the CLI starts a turn when the task ends (after the idle time), marked as such.
    await h.tg.waitFor(() => h.model.mainRequests().some((r) => r.lastUserText.includes('<task-notification>')), 30_000, 'the notification turn');
    // …and while it streams (its reply is slow), the user types.
    const typed = say(c, 'typed while it works') as { message: { message_id: number } };
    const auto = await h.waitForMessage(c, /🔔 Background task finished/, 30_000);
    expect(auto.replyToMessageId, 'a new message, not a reply (Telegram notifies)').to.equal(undefined);
    const answer = await h.waitForMessage(c, /MOCK REPLY to: typed while it works/, 30_000);
    const done = h.find(c, /BACKGROUND DONE: Background command/)!;
    expect(done, 'the follow-up turn carries the model\'s answer to the notification').to.exist;
    expect(done.text).to.match(/🔔 Background task finished: Background command .* completed/);
    expect(done.messageId).to.be.lessThan(answer.messageId);
    expect(answer.replyToMessageId).to.equal(typed.message.message_id);
    expect(h.tg.chatLog(c).filter((m) => /MOCK REPLY to: typed while it works/.test(m.text ?? ''))).to.have.length(1);
    expect(h.tg.chatLog(c).some((m) => /queued and answered right after it/.test(m.text ?? '')), 'the wait is visible').to.equal(true);
  });

  slowIt('a ScheduleWakeup fires and its turn reaches the chat, though the idle reaper is shorter than the wait', async () => {
    const c = ++chat;
    say(c, 'check back later [[wakeup: 5 WAKEUP-FIRED-MARKER]]');
    await h.waitForMessage(c, /TOOL RESULT: Next wakeup scheduled/);
    say(c, '/status');
    await h.waitForMessage(c, /Scheduled \(keeps the process alive\): wakeup/);
    const fired = await h.waitForMessage(c, /MOCK REPLY to: WAKEUP-FIRED-MARKER/, 150_000);
    expect(fired.text).to.match(/^⏰ Scheduled/);
  });

  slowIt('a wakeup pending at a restart is re-created by the bot and runs on time, marked as such', async () => {
    const c = ++chat;
    say(c, 'later [[wakeup: 5 AFTER-RESTART-MARKER]]');
    await h.waitForMessage(c, /TOOL RESULT: Next wakeup scheduled/);
    expect(await h.stop('SIGTERM')).to.equal(0);
    await h.start();
    await h.waitForMessage(c, /re-created 1 scheduled job Claude had set up/);
    const fired = await h.waitForMessage(c, /MOCK REPLY to: AFTER-RESTART-MARKER/, 150_000);
    expect(fired.text).to.match(/^⏰ Scheduled \(re-created by the bot after a restart\): wakeup at/);
  });

  it('a usage limit holds the queue, says when it resumes, and answers the message by itself at the reset time', async () => {
    const c = ++chat;
    say(c, 'over the limit [[limitonce: 4]]');
    const held = await h.waitForMessage(c, /usage limit is reached/);
    expect(held.text).to.match(/on hold until \d\d:\d\d UTC/);
    say(c, 'queued behind the hold');
    const resumed = await h.waitForMessage(c, /MOCK REPLY to: over the limit/, 30_000);
    const second = await h.waitForMessage(c, /MOCK REPLY to: queued behind the hold/, 30_000);
    expect(resumed.messageId).to.be.lessThan(second.messageId);
    expect(h.find(c, /usage limit has reset/)).to.exist;
  });
});
