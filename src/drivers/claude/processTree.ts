// Finding and killing every process a CLI started. The CLI's Bash tool runs commands in their own
// session and process group (PROTOCOL.md §6.5), so a group kill misses them, and after a SIGKILL of
// the CLI they are re-parented to init. Every child therefore carries a tag in its environment,
// which all its descendants inherit; the sweep kills whatever still carries the tag.
import { readdirSync, readFileSync } from 'node:fs';

export const TAG_VAR = 'CLAUDE_TG_PROCESS_TAG';

export function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined;
  }
}

export function allPids(): number[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/** pid → parent pid, for every visible process. */
export function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const pid of allPids()) {
    const stat = readProc(pid, 'stat');
    if (!stat) continue;
    // The command name is in parentheses and may contain spaces; fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    map.set(pid, Number(fields[1]));
  }
  return map;
}

export function descendants(root: number): number[] {
  const ppid = parents();
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const [pid, parent] of ppid) {
      if (parent === p && !out.includes(pid)) {
        out.push(pid);
        frontier.push(pid);
      }
    }
  }
  return out;
}

/** Processes whose environment carries `TAG_VAR=tag` (zombies have an empty environ and are skipped). */
export function taggedPids(tag: string): number[] {
  const needle = `${TAG_VAR}=${tag}\0`;
  return allPids().filter((pid) => pid !== process.pid && (readProc(pid, 'environ') ?? '').includes(needle));
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** SIGKILL everything tagged and every descendant of `root`. Returns how many it signalled. */
export function sweep(tag: string, root?: number): number {
  const victims = new Set<number>(taggedPids(tag));
  if (root !== undefined) for (const pid of descendants(root)) victims.add(pid);
  for (const pid of victims) signal(pid, 'SIGKILL');
  return victims.size;
}

/** Resident memory of a process and its descendants, in bytes (0 if it is gone). */
export function treeRss(pid: number): number {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readProc(p, 'status') ?? '');
    if (m) total += Number(m[1]) * 1024;
  }
  return total;
}

/** SIGKILL every process tagged with `<prefix>.…`: CLIs a previous run of the bot left behind. */
export function sweepPrefix(prefix: string): number {
  const needle = `${TAG_VAR}=${prefix}.`;
  const victims = allPids().filter((pid) => pid !== process.pid && (readProc(pid, 'environ') ?? '').split('\0').some((v) => v.startsWith(needle)));
  for (const pid of victims) signal(pid, 'SIGKILL');
  return victims.length;
}
