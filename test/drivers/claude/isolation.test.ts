// The isolation launcher and its self-test on this machine: a direct launch can read the secret
// file, /proc/<bot>/environ and /mem (so the self-test can fail); bwrap and another uid cannot;
// an unavailable mechanism is reported with what to do, and the bot still runs.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfTest, setupIsolation } from '../../../src/drivers/claude/isolation.ts';
import { bwrapArgs, directLauncher } from '../../../src/drivers/claude/launcher.ts';

const hasBwrap = spawnSync('bwrap', ['--version']).status === 0;

describe('isolation of the CLI from the bot', function () {
  this.timeout(60_000);
  let dir: string;
  let secret: string;
  let sessionsDir: string;
  let logs: string[];
  const opts = (mode: 'auto' | 'bwrap' | 'user' | 'none', extra = {}) => ({ mode, sessionsDir, botDir: join(dir, 'bot'), secretFiles: [secret], claudeBin: '/bin/sh', agentUid: 10001, env: { PATH: process.env.PATH, TELEGRAM_BOT_TOKEN: '1:x' }, log: (m: string) => logs.push(m), ...extra });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iso-'));
    secret = join(dir, '.env');
    writeFileSync(secret, 'TELEGRAM_BOT_TOKEN=123:SECRET\n', { mode: 0o600 });
    sessionsDir = join(dir, 'sessions');
    logs = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the self-test catches a direct launch (same uid): file, environ and mem all open', () => {
    const t = selfTest(directLauncher, opts('none'));
    expect(t.ran).to.equal(true);
    expect(t.leaks).to.include.members([`READABLE ${secret}`, 'ENVIRON-READABLE', 'MEM-OPENABLE']);
  });

  it('bwrap: the self-test passes and the launch is chosen', function () {
    if (!hasBwrap) this.skip();
    const r = setupIsolation(opts('bwrap'));
    expect(r.ok && r.launcher.mode).to.equal('bwrap');
    expect(logs.join('\n')).to.match(/isolation: bwrap \(self-test passed/);
  });

  it('a separate user (the bot is root): the self-test passes', function () {
    if (process.geteuid?.() !== 0) this.skip();
    const r = setupIsolation(opts('user'));
    expect(r.ok && r.launcher.mode).to.equal('user');
  });

  it('bubblewrap missing: says so with what to do, and runs unisolated', () => {
    const r = setupIsolation(opts('bwrap', { bwrapBin: join(dir, 'no-such-bwrap') }));
    expect(r.ok && r.launcher.mode).to.equal('none');
    expect(logs.join('\n')).to.match(/bubblewrap is not installed[\s\S]*apt-get install bubblewrap[\s\S]*AGENT_UID/);
  });

  it('bwrap hides the bot dir and SESSIONS_DIR, shows the session, isolates pids, and drops capabilities as root', () => {
    const a = bwrapArgs({ hide: ['/bot', '/s'], hideFiles: [], showReadOnly: ['/bot/node_modules/x'], root: true }, '/s/chat1/default');
    expect(a.join(' ')).to.contain('--die-with-parent --new-session --unshare-pid');
    expect(a.join(' ')).to.contain('--unshare-user --cap-drop ALL');
    expect(a.join(' ')).to.match(/--tmpfs \/bot --tmpfs \/s --ro-bind \/bot\/node_modules\/x \/bot\/node_modules\/x.*--bind \/s\/chat1\/default \/s\/chat1\/default --chdir \/s\/chat1\/default$/);
  });
});
