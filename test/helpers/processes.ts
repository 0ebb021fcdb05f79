// Finding processes by their environment, to prove none is left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { TAG_VAR } from '../../src/drivers/claude/processTree.ts';

export function pidsWithEnv(...needles: string[]): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    if (needles.every((n) => vars.some((v) => v.startsWith(n)))) out.push(Number(name));
  }
  return out;
}

/** Processes started by a bot's CLI driver (they carry the driver's tag) with this HOME. */
export function taggedClaudePids(env: NodeJS.ProcessEnv): number[] {
  return pidsWithEnv(`${TAG_VAR}=`, `HOME=${env.HOME}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it has no environ and state Z.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** Polls a condition on real process state, with a bound. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
