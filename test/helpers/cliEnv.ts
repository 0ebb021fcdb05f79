// Environment for running the real `claude` CLI against the fake model (fakeModel.ts), plus a
// small process helper (spawnCli) used by the recorder and the tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signalGroup } from './processes.ts';

/** Repo root, found from this file's location (test/helpers/cliEnv.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The CLI binary: $CLAUDE_BIN, else <repo>/node_modules/.bin/claude. */
export function claudeBin(): string {
  const fromEnv = process.env.CLAUDE_BIN;
  if (fromEnv) return fromEnv;
  return path.join(REPO_ROOT, 'node_modules', '.bin', 'claude');
}

/**
 * A minimal, isolated environment for the CLI:
 * - PATH from the parent (Bash tool needs it), a fresh temp HOME (config, sessions, transcripts
 *   all live under `<home>/.claude`), TMPDIR/LANG/TERM only if the parent has them;
 * - ANTHROPIC_BASE_URL = baseUrl, ANTHROPIC_API_KEY = 'sk-test-dummy';
 * - DISABLE_AUTOUPDATER=1, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, CLAUDE_CODE_MAX_RETRIES=2;
 * - CLAUDE_CODE_GATEWAY_HINT_HEADERS=1 so every model call says what it is
 *   (`x-claude-code-request-class`), which is how the fake model tells main from auxiliary;
 * Nothing from the parent's Claude Code variables (CLAUDECODE, CLAUDE_CODE_*, ANTHROPIC_*,
 * NODE_OPTIONS) is copied. `extra` is applied last and can override anything.
 */
export async function makeCliEnv(
  baseUrl: string,
  extra?: Record<string, string>,
): Promise<{ env: NodeJS.ProcessEnv; home: string; cleanup(): Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'claude-test-home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-test-dummy',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '2',
    CLAUDE_CODE_GATEWAY_HINT_HEADERS: '1',
  };
  for (const k of ['TMPDIR', 'LANG', 'TERM', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, extra ?? {});
  return {
    env,
    home,
    cleanup: async () => {
      await rm(home, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

/** argv for a long-lived stream-json session (add more flags after these). */
export const STREAM_JSON_ARGS: readonly string[] = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'];

export type CliMessage = { type?: string; subtype?: string; [k: string]: unknown };

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliSession {
  child: ChildProcess;
  pid: number;
  /** Every stdout line, verbatim (without the trailing newline), in order. */
  lines: string[];
  /** stdout lines that parsed as JSON objects, in order. */
  messages: CliMessage[];
  stderr(): string;
  /** Writes `JSON.stringify(msg) + '\n'` to stdin. */
  send(msg: unknown): void;
  /** Writes a stream-json user message with string content. */
  sendUser(text: string): void;
  /** Closes stdin (the CLI finishes queued turns, then exits). */
  endInput(): void;
  /**
   * Resolves with the first message (index >= `from`, default 0) matching `pred`. Rejects after
   * `timeoutMs` (default 30 s) or when the process exits first.
   */
  waitFor(pred: (m: CliMessage) => boolean, opts?: { timeoutMs?: number; from?: number }): Promise<CliMessage>;
  /** Resolves with the n-th `result` message (1-based) of this process. */
  waitForResult(n?: number, timeoutMs?: number): Promise<CliMessage>;
  exited: Promise<CliExit>;
  /** End stdin, wait up to graceMs (default 10 s) for exit, then SIGTERM the group, then SIGKILL. */
  close(graceMs?: number): Promise<CliExit>;
  /** SIGKILL the process group now. */
  kill(): void;
}

const liveClis = new Set<CliSession>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a CLI behind when the test/recorder process goes away.
  process.on('exit', () => {
    for (const s of liveClis) signalGroup(s.pid, 'SIGKILL');
  });
}

/** Sessions started by spawnCli that have not exited yet. */
export function liveCliSessions(): ReadonlySet<CliSession> {
  return liveClis;
}

/** Kills every CLI started by spawnCli that is still running and waits for them to exit. */
export async function killAllClis(): Promise<void> {
  const all = [...liveClis];
  for (const s of all) s.kill();
  await Promise.all(all.map((s) => s.exited));
}

/**
 * Spawns the CLI in its own process group with piped stdio. `args` defaults to STREAM_JSON_ARGS.
 * The caller must eventually call close() or kill().
 */
export function spawnCli(opts: { env: NodeJS.ProcessEnv; cwd: string; args?: readonly string[]; bin?: string }): CliSession {
  installExitHook();
  const child = spawn(opts.bin ?? claudeBin(), [...(opts.args ?? STREAM_JSON_ARGS)], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`failed to spawn ${opts.bin ?? claudeBin()}`);
  const pid = child.pid;
  const lines: string[] = [];
  const messages: CliMessage[] = [];
  let stderrBuf = '';
  let outBuf = '';
  let exitInfo: CliExit | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };

  const onLine = (line: string) => {
    lines.push(line);
    if (!line.trim()) return;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) messages.push(v as CliMessage);
    } catch {
      /* not JSON: keep the raw line only */
    }
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    outBuf += d;
    let i: number;
    while ((i = outBuf.indexOf('\n')) >= 0) {
      onLine(outBuf.slice(0, i));
      outBuf = outBuf.slice(i + 1);
    }
    notify();
  });
  child.stdout.on('end', () => {
    if (outBuf.length) onLine(outBuf);
    outBuf = '';
    notify();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderrBuf += d;
    if (stderrBuf.length > 64_000) stderrBuf = stderrBuf.slice(-32_000);
  });
  child.stdin.on('error', () => {
    /* EPIPE after exit */
  });

  const exited = new Promise<CliExit>((resolve) => {
    child.on('close', (code, signal) => {
      exitInfo = { code, signal };
      liveClis.delete(session);
      notify();
      resolve(exitInfo);
    });
  });

  const describe = () =>
    `pid ${pid}, ${lines.length} stdout lines; last: ${lines.slice(-3).join('\n').slice(-1500)}; stderr: ${stderrBuf.slice(-1500)}`;

  const waitFor: CliSession['waitFor'] = (pred, o) =>
    new Promise<CliMessage>((resolve, reject) => {
      const from = o?.from ?? 0;
      let timer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void) => {
        listeners.delete(check);
        if (timer) clearTimeout(timer);
        fn();
      };
      function check() {
        for (let i = from; i < messages.length; i++) {
          const m = messages[i]!;
          if (pred(m)) return finish(() => resolve(m));
        }
        if (exitInfo) finish(() => reject(new Error(`CLI exited (${JSON.stringify(exitInfo)}) before the awaited message; ${describe()}`)));
      }
      listeners.add(check);
      timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${o?.timeoutMs ?? 30_000} ms waiting for a CLI message; ${describe()}`))), o?.timeoutMs ?? 30_000);
      check();
    });

  const kill = () => {
    if (!exitInfo) signalGroup(pid, 'SIGKILL');
  };

  const session: CliSession = {
    child,
    pid,
    lines,
    messages,
    stderr: () => stderrBuf,
    send: (msg) => {
      if (!child.stdin.destroyed && child.stdin.writable) child.stdin.write(JSON.stringify(msg) + '\n');
    },
    sendUser: (text) => session.send({ type: 'user', message: { role: 'user', content: text } }),
    endInput: () => {
      if (!child.stdin.destroyed) child.stdin.end();
    },
    waitFor,
    waitForResult: (n = 1, timeoutMs) =>
      waitFor(
        (m) => m.type === 'result' && messages.filter((x) => x.type === 'result').indexOf(m) === n - 1,
        timeoutMs === undefined ? undefined : { timeoutMs },
      ),
    exited,
    close: async (graceMs = 10_000) => {
      session.endInput();
      const race = (ms: number) => Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
      if (await race(graceMs)) return exited;
      if (!exitInfo) signalGroup(pid, 'SIGTERM');
      if (await race(3_000)) return exited;
      kill();
      return exited;
    },
    kill,
  };
  liveClis.add(session);
  return session;
}
