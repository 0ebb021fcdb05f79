// One bot per SESSIONS_DIR. The lock is a listening Unix socket in Linux's abstract namespace,
// named after the directory's real path: the kernel frees it when the process dies, however it
// dies, so no stale file can block a start. The holder answers a connection with its pid.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { durableWrite } from './durableWrite.ts';
import { codeOf } from './writeResult.ts';

export type InstanceLock = { release(): void };
export type LockResult = { ok: true; lock: InstanceLock } | { ok: false; message: string };

/** The socket address for a directory: abstract on Linux, a socket file in tmpdir elsewhere. */
export function lockAddress(sessionsDir: string): string {
  let real: string;
  try {
    real = realpathSync(sessionsDir);
  } catch {
    real = resolve(sessionsDir);
  }
  const id = createHash('sha256').update(real).digest('hex').slice(0, 32);
  return process.platform === 'linux' ? `\0claude-telegram-${id}` : join(tmpdir(), `claude-telegram-${id}.sock`);
}

const listen = (server: Server, path: string) =>
  new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen({ path, exclusive: true }, () => {
      server.off('error', fail);
      ok();
    });
  });

/** Asks the holder for its pid; undefined if it does not answer within `timeoutMs`. */
export function holderPid(address: string, timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((done) => {
    let text = '';
    const sock = connect({ path: address });
    const finish = (pid?: number) => {
      clearTimeout(timer);
      sock.destroy();
      done(pid);
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('end', () => {
      const pid = Number(/"pid":\s*(\d+)/.exec(text)?.[1]);
      finish(Number.isInteger(pid) ? pid : undefined);
    });
    sock.on('error', () => finish());
  });
}

const readPidHint = (path: string): string => {
  try {
    return /"pid":\s*(\d+)/.exec(readFileSync(path, 'utf8'))?.[1] ?? 'nothing';
  } catch {
    return 'nothing';
  }
};

/**
 * Takes the lock for `sessionsDir` (which must exist), or says who holds it. Writes
 * `bot.pid` for humans; nothing reads it back.
 */
export async function acquireLock(sessionsDir: string, retried = false): Promise<LockResult> {
  const address = lockAddress(sessionsDir);
  const server = createServer((sock) => sock.end(JSON.stringify({ pid: process.pid }) + '\n'));
  try {
    await listen(server, address);
  } catch (err) {
    if (codeOf(err) !== 'EADDRINUSE') return { ok: false, message: `Could not take the lock on SESSIONS_DIR (${sessionsDir}): ${(err as Error).message}.` };
    const pid = await holderPid(address);
    // A socket file (not Linux) outlives a crash: nobody answering means it is stale.
    if (pid === undefined && process.platform !== 'linux' && !retried) {
      rmSync(address, { force: true });
      return acquireLock(sessionsDir, true);
    }
    // A holder too busy to answer: bot.pid is only a hint then, and said to be one.
    const who = pid ?? `not answering; bot.pid says ${readPidHint(join(sessionsDir, 'bot.pid'))}`;
    return {
      ok: false,
      message: `Another instance of the bot (pid ${who}) is using SESSIONS_DIR (${sessionsDir}). Stop it first, or give this one its own SESSIONS_DIR.`,
    };
  }
  server.unref(); // the lock must not keep the process alive
  const pidFile = join(sessionsDir, 'bot.pid');
  durableWrite(pidFile, JSON.stringify({ pid: process.pid }) + '\n');
  return {
    ok: true,
    lock: {
      release() {
        server.close();
        rmSync(pidFile, { force: true });
      },
    },
  };
}
