// The bot on a real 400 KiB tmpfs as SESSIONS_DIR: a full disk refuses new messages with a clear
// word and crashes nothing; when space returns it serves again by itself; a torn chats.json is
// moved aside at the next start, logged, and the bot still starts. Needs root and mount(8): skipped
// where that is not allowed (the state module's injected-fault tests cover the same paths).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBot, OWNER, type Harness } from '../helpers/botHarness.ts';
import { waitUntil } from '../helpers/processes.ts';

const run = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe', timeout: 10_000 });

describe('bot end to end on a full disk (tmpfs)', function () {
  this.timeout(120_000);
  let h: Harness;
  let mounted = false;
  const say = (chatId: number, text: string) => h.tg.sendText({ chatId, userId: OWNER, text, chatType: 'private' });
  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    h = await startBot();
    try {
      run('mount', '-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', h.sessionsDir);
      mounted = true;
    } catch {
      await h.close();
      this.skip();
    }
    await h.start();
  });
  after(async () => {
    if (!h) return;
    await h.stop().catch(() => undefined);
    if (mounted) run('umount', '-l', h.sessionsDir);
    await h.close();
  });

  it('refuses a message it cannot record, keeps serving, and accepts again once space returns', async () => {
    say(3001, 'before the disk fills');
    await h.waitForMessage(3001, /MOCK REPLY to: before the disk fills/);
    const filler = join(h.sessionsDir, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(1 << 20, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).to.equal('ENOSPC');
    }
    say(3001, 'while the disk is full');
    await h.waitForMessage(3001, /Not accepted: the disk is full/);
    // Another chat's command still gets its answer (nothing to record for it).
    say(3002, '/help');
    await h.waitForMessage(3002, /Commands:/);
    expect(h.bot.exitCode).to.equal(null);
    rmSync(filler);
    say(3001, 'after space returned');
    await h.waitForMessage(3001, /MOCK REPLY to: after space returned/);
    // No temporary file is left behind (the answer's journal write may still be in flight when the
    // reply lands, so its temporary file is given a bounded moment to be renamed), and the state
    // files parse.
    const temps = () => readdirSync(h.sessionsDir).filter((n) => /\.(tmp|part)$/.test(n));
    await waitUntil(() => temps().length === 0, 5_000, `no temporary files (have ${JSON.stringify(temps())})`).catch(() => undefined);
    expect(temps()).to.deep.equal([]);
    JSON.parse(readFileSync(join(h.sessionsDir, 'chats.json'), 'utf8'));
    JSON.parse(readFileSync(join(h.sessionsDir, 'journal.json'), 'utf8'));
    expect(h.output.join('\n')).to.not.match(/ENOSPC.*\n\s+at /); // no stack trace
  });

  it('moves a torn chats.json aside at start, says so in the log, and starts', async () => {
    expect(await h.stop()).to.equal(0);
    writeFileSync(join(h.sessionsDir, 'chats.json'), '{"3001": {"active": "defa');
    const from = h.output.length;
    await h.start();
    expect(readdirSync(h.sessionsDir).some((n) => n.startsWith('chats.json.corrupt-'))).to.equal(true);
    expect(h.output.slice(from).join('\n')).to.match(/chats\.json/);
    say(3001, 'after the restart');
    await h.waitForMessage(3001, /MOCK REPLY to: after the restart/);
  });
});
