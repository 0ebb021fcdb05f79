// Session lifecycle end to end: interrupts, idle reaping, LRU eviction, restart recovery, graceful
// shutdown and permission prompts — the bot as `npm start` runs it, the real CLI, both fakes.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBot, OWNER, STRANGER, type Harness } from '../helpers/botHarness.ts';
import { claudeCliPids, isAlive, taggedClaudePids, waitUntil } from '../helpers/processes.ts';

const history = (h: Harness, marker: string) => JSON.stringify(h.model.mainRequests().filter((r) => r.lastUserText.includes(marker)).at(-1)?.body.messages ?? []);

describe('session lifecycle end to end', function () {
  this.timeout(120_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('another instance polling the same token (409) is a clear fatal error, not a retry loop', async () => {
    h = await startBot();
    h.tg.failNext('getUpdates', { status: 409 }, 1);
    await h.start();
    await h.waitForOutput(/another instance is already polling this bot token/);
    expect(await h.stop()).to.equal(1);
    expect(h.tg.calls.filter((k) => k.method === 'getUpdates')).to.have.length(1);
  });

  it('the draft stop button interrupts the turn; the same process answers the next message with the history', async () => {
    h = await startBot();
    await h.start();
    const c = 2001;
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'count slowly [[slow: 20000]]' });
    const draft = await h.tg.waitFor(() => h!.tg.drafts.find((d) => d.chatId === c && d.canStop), 20_000, 'a stoppable draft');
    const pids = taggedClaudePids(h.env);
    expect(pids.length).to.be.greaterThan(0);
    h.tg.stopDraft({ chatId: c, draftId: draft.draftId });
    await h.waitForMessage(c, /⏹ Stopped/, 20_000);
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'and now?' });
    await h.waitForMessage(c, /MOCK REPLY to: and now\?/);
    expect(history(h, 'and now?')).to.contain('count slowly');
    expect(taggedClaudePids(h.env)).to.include.members(pids);
  });

  it('reaps idle processes, evicts the least recently used over the cap, and resumes both transparently', async () => {
    h = await startBot({ env: { MAX_LIVE_SESSIONS: '1', IDLE_MINUTES: '0.05' } });
    await h.start();
    const [a, b] = [2101, 2102];
    h.tg.sendText({ chatId: a, userId: OWNER, text: 'alpha remembers mango' });
    await h.waitForMessage(a, /MOCK REPLY to: alpha remembers mango/);
    const alphaPids = claudeCliPids(h.env);
    expect(alphaPids).to.have.length(1);
    h.tg.sendText({ chatId: b, userId: OWNER, text: 'beta remembers plum' });
    await h.waitForMessage(b, /MOCK REPLY to: beta remembers plum/);
    // The cap is 1: alpha's idle process was evicted when beta's started.
    await waitUntil(() => !alphaPids.some(isAlive), 10_000, 'alpha evicted');
    expect(claudeCliPids(h.env)).to.have.length(1);
    // IDLE_MINUTES=0.05: beta's process goes after 3 s without turns.
    await waitUntil(() => taggedClaudePids(h!.env).length === 0, 15_000, 'idle reap');
    h.tg.sendText({ chatId: a, userId: OWNER, text: 'alpha: which fruit?' });
    await h.waitForMessage(a, /MOCK REPLY to: alpha: which fruit\?/);
    expect(history(h, 'alpha: which fruit?')).to.contain('alpha remembers mango');
    h.tg.sendText({ chatId: a, userId: OWNER, text: '/status' });
    const status = await h.waitForMessage(a, /Live processes: 1 of 1/);
    expect(status.text).to.match(/pid \d+, \d+ MiB/);
  });

  it('SIGTERM with running and queued turns: exit 0, no process left, state saved; after the restart both are answered and the conversation continues', async () => {
    h = await startBot({ env: { SHUTDOWN_GRACE_SECONDS: '1' } });
    await h.start();
    const c = 2201;
    h.tg.sendText({ chatId: c, userId: OWNER, text: '/new work' });
    await h.waitForMessage(c, /Started session "work"/);
    h.tg.sendText({ chatId: c, userId: OWNER, text: '/persona terse' });
    await h.waitForMessage(c, /now uses persona "terse"/);
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'remember kiwi' });
    await h.waitForMessage(c, /MOCK REPLY to: remember kiwi/);
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'long job [[slow: 30000]]' });
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'queued question' });
    await waitUntil(() => h!.model.mainRequests().some((r) => r.lastUserText.includes('long job')), 20_000, 'long job running');

    const code = await h.stop('SIGTERM');
    expect(code).to.equal(0);
    expect(taggedClaudePids(h.env)).to.deep.equal([]);
    await h.waitForMessage(c, /answered when it is back/);
    const journal = JSON.parse(readFileSync(join(h.sessionsDir, 'journal.json'), 'utf8')) as { prompt: string }[];
    expect(journal.map((e) => e.prompt)).to.deep.equal(['long job [[slow: 30000]]', 'queued question']);
    const chats = JSON.parse(readFileSync(join(h.sessionsDir, 'chats.json'), 'utf8'));
    expect(chats[String(c)]).to.deep.include({ active: 'work' });
    expect(chats[String(c)].sessions.work.persona).to.equal('terse');
    expect(existsSync(join(h.sessionsDir, `chat${c}`, 'work', '.claude-telegram-session.json'))).to.equal(true);

    // Restart on the same state: the journal's messages are answered, once each.
    h.model.setDirector((req) => (req.lastUserText.includes('long job') ? { text: 'LONG JOB DONE' } : undefined));
    await h.start();
    await h.waitForMessage(c, /♻️ The bot restarted before answering (2 messages \(the first: )?"long job/);
    await h.waitForMessage(c, /LONG JOB DONE/, 30_000);
    await h.waitForMessage(c, /MOCK REPLY to: [\s\S]*queued question/, 30_000);
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'which fruit did I say?' });
    await h.waitForMessage(c, /MOCK REPLY to: which fruit did I say\?/);
    expect(history(h, 'which fruit did I say?')).to.contain('remember kiwi');
    const last = h.model.mainRequests().filter((r) => r.lastUserText.includes('which fruit')).at(-1)!;
    expect(JSON.stringify(last.body.system)).to.contain('Answer as briefly as possible');
    expect(h.tg.chatLog(c).filter((m) => /LONG JOB DONE/.test(m.text ?? ''))).to.have.length(1);
    // The journal is written after Telegram confirms the answer, so poll the file itself.
    await waitUntil(() => (JSON.parse(readFileSync(join(h!.sessionsDir, 'journal.json'), 'utf8')) as unknown[]).length === 0, 10_000, 'journal emptied');
  });

  describe('permission prompts (persona "careful", real CLI asking over stdio)', () => {
    const ask = async (h: Harness, c: number, file: string) => {
      h.tg.sendText({ chatId: c, userId: OWNER, text: '/persona careful' });
      await h.waitForMessage(c, /now uses persona "careful"/);
      h.tg.sendText({ chatId: c, userId: OWNER, text: `make it [[bash: touch ${file}]]` });
      return h.waitForMessage(c, /asks to use a tool/);
    };
    const press = (h: Harness, c: number, msg: { messageId: number; reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] } }, label: RegExp, userId = OWNER) => {
      const button = msg.reply_markup!.inline_keyboard.flat().find((b) => label.test(b.text))!;
      expect(Buffer.byteLength(button.callback_data!)).to.be.at.most(64);
      h.tg.sendCallback({ chatId: c, userId, messageId: msg.messageId, data: button.callback_data! });
    };

    it('allow runs the command; a stranger pressing the button is ignored', async () => {
      h = await startBot();
      await h.start();
      const c = 2301;
      const msg = await ask(h, c, 'allowed-file');
      expect(msg.text).to.contain('Bash: touch allowed-file');
      press(h, c, msg, /^❌ Deny/, STRANGER);
      await h.tg.waitFor(() => h!.tg.calls.some((k) => k.method === 'answerCallbackQuery' && /Only the bot owner/.test(String(k.params.text))), 10_000, 'stranger answered');
      press(h, c, msg, /^✅ Allow$/);
      await h.waitForMessage(c, /TOOL RESULT/, 30_000);
      expect(h.find(c, /✅ Allowed: Bash touch allowed-file/)).to.exist;
      expect(existsSync(join(h.sessionsDir, `chat${c}`, 'default', 'allowed-file'))).to.equal(true);
    });

    it('deny keeps the command from running and says so', async () => {
      h = await startBot();
      await h.start();
      const c = 2302;
      const msg = await ask(h, c, 'denied-file');
      press(h, c, msg, /^❌ Deny/);
      await h.waitForMessage(c, /❌ Denied: Bash touch denied-file/);
      await h.waitForMessage(c, /TOOL RESULT|⏱/, 30_000);
      expect(existsSync(join(h.sessionsDir, `chat${c}`, 'default', 'denied-file'))).to.equal(false);
      const req = h.model.mainRequests().at(-1)!;
      expect(req.toolResults[0]?.content).to.contain('The user denied this in Telegram');
    });

    it('no answer within the timeout means deny', async () => {
      h = await startBot({ env: { PERMISSION_TIMEOUT_MINUTES: '0.05' } });
      await h.start();
      const c = 2303;
      await ask(h, c, 'timeout-file');
      await h.waitForMessage(c, /⏱ Denied \(no answer within/, 20_000);
      await h.waitForMessage(c, /TOOL RESULT|⏱ [\d.]+ s/, 30_000);
      expect(existsSync(join(h.sessionsDir, `chat${c}`, 'default', 'timeout-file'))).to.equal(false);
    });
  });
});
