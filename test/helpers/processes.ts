// The test side of processTree.ts, for tests, bench and scripts: find processes by their
// environment and wait, with a bound, for real process state to change (to prove none is left behind).
import { allPids, cmdline as cmdlineOf, environ, isAlive, TAG_VAR } from '../../src/drivers/claude/processTree.ts';

export { cmdline, isAlive, memKb, parents, procStat, readProc, signal, signalGroup, tagOf, TAG_VAR } from '../../src/drivers/claude/processTree.ts';

/** Other processes whose environment has, for every needle, a variable starting with it. */
export function pidsWithEnv(...needles: string[]): number[] {
  const { pid: self } = process;
  return allPids().filter((pid) => {
    if (pid === self) return false;
    const vars = environ(pid);
    return needles.every((n) => vars.some((v) => v.startsWith(n)));
  });
}

/** Processes started by a bot's CLI driver (they carry the driver's tag) with this HOME. */
export function taggedClaudePids(env: NodeJS.ProcessEnv): number[] {
  return pidsWithEnv(`${TAG_VAR}=`, `HOME=${env.HOME}`);
}

/** The CLI processes themselves among those (bwrap, the isolation launcher, adds two of its own per CLI). */
export function claudeCliPids(env: NodeJS.ProcessEnv): number[] {
  return taggedClaudePids(env).filter((pid) => !/^(\S*\/)?bwrap /.test(cmdlineOf(pid)));
}

/** Polls a condition on real process state, with a bound. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once every pid is gone (or a zombie); rejects after `timeoutMs`. */
export function waitGone(pids: number | readonly number[], timeoutMs: number): Promise<void> {
  const all = typeof pids === 'number' ? [pids] : pids;
  return waitUntil(() => !all.some(isAlive), timeoutMs, `pid ${all.join(', ')} to exit`);
}
