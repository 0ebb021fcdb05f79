// Chooses how Claude Code is started so that its tools cannot read the bot's secrets, and proves
// it: a self-test through the chosen launcher tries to open the .env, /proc/<bot pid>/environ and
// /proc/<bot pid>/mem; if any opens, the bot refuses to serve (ISOLATION=none skips all this).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bwrapLauncher, directLauncher, installDirOf, realBin, userLauncher, type Exec, type Launcher } from './launcher.ts';
import { childEnv } from './process.ts';

export interface IsolationOptions {
  mode: 'auto' | 'bwrap' | 'user' | 'none';
  sessionsDir: string;
  botDir: string;
  secretFiles: string[];
  claudeBin: string;
  agentUid: number;
  env: NodeJS.ProcessEnv;
  log: (msg: string) => void;
  /** The bubblewrap binary (tests point it at a missing one). */
  bwrapBin?: string;
}

export type IsolationResult = { ok: true; launcher: Launcher } | { ok: false; message: string };

export const UNISOLATED_WARNING = [
  "⚠ Claude's tools can read this bot's secrets (TELEGRAM_BOT_TOKEN, .env). Isolation needs one of:",
  '  (1) bubblewrap: `apt-get install bubblewrap`, with unprivileged user namespaces allowed (on Ubuntu 24.04+ an AppArmor userns profile for bwrap; in Docker --security-opt seccomp=unconfined);',
  '  (2) a separate user: start the bot as root (it runs Claude as AGENT_UID, default 10001), or grant it CAP_SETUID, CAP_SETGID and CAP_KILL (systemd AmbientCapabilities=) so it can use setpriv.',
  '  Set ISOLATION=none to silence this warning.',
].join('\n');

const SELF_TEST = [
  'echo RAN',
  'pid=$1; shift',
  // A hidden file reads as empty (/dev/null is mounted over it); any byte read means it leaks.
  'for f in "$@"; do [ -n "$(head -c 64 "$f" 2>/dev/null)" ] && echo "READABLE $f"; done',
  'cat /proc/$pid/environ >/dev/null 2>&1 && echo ENVIRON-READABLE',
  '(: < /proc/$pid/mem) 2>/dev/null && echo MEM-OPENABLE',
  'env | grep -q "^TELEGRAM_" && echo ENV-HAS-TELEGRAM',
  'true',
].join('\n');

export interface SelfTest {
  ran: boolean;
  leaks: string[];
  detail: string;
  ms: number;
}

/** Runs the self-test through a launcher, in a directory made like a session directory. */
export function selfTest(launcher: Launcher, o: Pick<IsolationOptions, 'sessionsDir' | 'secretFiles' | 'env'>, prepare?: (dir: string) => void): SelfTest {
  const dir = join(o.sessionsDir, '.isolation-check');
  mkdirSync(dir, { recursive: true });
  prepare?.(dir);
  const files = o.secretFiles.filter((f) => existsSync(f));
  const run = launcher.wrap({ bin: '/bin/sh', args: ['-c', SELF_TEST, 'self-test', String(process.pid), ...files], cwd: dir, env: childEnv(o.env) });
  const t0 = Date.now();
  const r = spawnSync(run.bin, run.args, { cwd: run.cwd, env: run.env, uid: run.uid, gid: run.gid, encoding: 'utf8', timeout: 20_000 });
  const out = `${r.stdout ?? ''}`;
  const lines = out.split('\n').filter(Boolean);
  return { ran: lines.includes('RAN'), leaks: lines.filter((l) => l !== 'RAN'), detail: `${r.error?.message ?? ''} ${(r.stderr ?? '').trim()}`.trim().slice(0, 300), ms: Date.now() - t0 };
}

const capEff = (): bigint => {
  const m = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
};
const canSwitchUser = (): boolean => process.geteuid?.() === 0 || ((capEff() >> 6n) & 3n) === 3n;

function candidate(mode: 'bwrap' | 'user', o: IsolationOptions): { launcher: Launcher; prepare?: (dir: string) => void } | { unavailable: string } {
  const root = process.geteuid?.() === 0;
  if (mode === 'bwrap') {
    const hideFiles = o.secretFiles;
    const hide = [o.botDir, o.sessionsDir];
    const install = installDirOf(o.claudeBin);
    const bin = o.bwrapBin ?? 'bwrap';
    const launcher = bwrapLauncher({ hide, hideFiles, showReadOnly: hide.some((h) => install.startsWith(h)) ? [install] : [], root }, bin);
    const probe = spawnSync(bin, ['--die-with-parent', '--unshare-pid', ...(root ? ['--unshare-user', '--cap-drop', 'ALL'] : []), '--bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', 'true'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.error) return { unavailable: `bubblewrap is not installed (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message})` };
    if (probe.status !== 0) return { unavailable: `bubblewrap cannot create namespaces here: ${(probe.stderr ?? '').trim().slice(0, 200)}` };
    return { launcher };
  }
  if (!canSwitchUser()) return { unavailable: 'the bot is neither root nor has CAP_SETUID and CAP_SETGID' };
  const uid = o.agentUid;
  const home = o.env.AGENT_HOME ?? join(o.sessionsDir, '.agent-home');
  const own = (p: string) => {
    mkdirSync(p, { recursive: true });
    chownSync(p, uid, uid);
  };
  own(home);
  // The agent must be able to pass through SESSIONS_DIR to its session directories (not list it).
  if ((statSync(o.sessionsDir).mode & 0o001) === 0) chmodSync(o.sessionsDir, (statSync(o.sessionsDir).mode & 0o7777) | 0o711);
  const base = userLauncher(uid, uid, home, root);
  // Session directories belong to the agent user, so it can work in them (never a directory of the user's own).
  const launcher: Launcher = { mode: 'user', wrap: (e: Exec) => (e.cwd.startsWith(`${o.sessionsDir}/`) && own(e.cwd), base.wrap(e)) };
  return { launcher };
}

export function setupIsolation(o: IsolationOptions): IsolationResult {
  if (o.mode === 'none') {
    o.log("ISOLATION=none: Claude Code runs as this bot's user and its tools can read the bot's secrets");
    return { ok: true, launcher: directLauncher };
  }
  const modes: ('bwrap' | 'user')[] = o.mode === 'auto' ? ['bwrap', 'user'] : [o.mode];
  const why: string[] = [];
  for (const mode of modes) {
    const c = candidate(mode, o);
    if ('unavailable' in c) {
      why.push(`${mode}: ${c.unavailable}`);
      continue;
    }
    const t = selfTest(c.launcher, o, c.prepare);
    if (!t.ran) {
      why.push(`${mode}: the self-test did not run (${t.detail || 'no output'})`);
      continue;
    }
    if (t.leaks.length) {
      return { ok: false, message: `Isolation self-test failed: through the ${mode} launcher Claude Code's tools could read the bot's secrets (${t.leaks.join(', ')}). Refusing to serve. Fix the set-up (see "Keeping the token from Claude" in README.md), or set ISOLATION=none to run without isolation.` };
    }
    o.log(`isolation: ${mode} (self-test passed in ${t.ms} ms: ${o.secretFiles.filter((f) => existsSync(f)).length} secret file(s), /proc/${process.pid}/environ and /mem not reachable; CLI ${realBin(o.claudeBin)})`);
    return { ok: true, launcher: c.launcher };
  }
  o.log(`isolation unavailable (${why.join('; ')})\n${UNISOLATED_WARNING}`);
  return { ok: true, launcher: directLauncher };
}
