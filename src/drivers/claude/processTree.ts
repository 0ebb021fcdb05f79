// Finding and killing every process a CLI started. The CLI's Bash tool runs commands in their own
// session and process group (PROTOCOL.md §6.5), so a group kill misses them, and after a SIGKILL of
// the CLI they are re-parented to init. Every child therefore carries a tag in its environment,
// which all its descendants inherit; the sweep kills whatever still carries the tag.
// This is the one place that reads /proc or signals a pid; the tests, bench and scripts use it too.
import { readdirSync, readFileSync } from 'node:fs';

export const TAG_VAR = 'CLAUDE_TG_PROCESS_TAG';

/** The text of /proc/<pid>/<file>, or undefined when the process is gone (or not ours to read). */
export function readProc(pid: number | 'self', file: string): string | undefined {
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

export interface ProcStat {
  /** R, S, D, T, Z (zombie), X (dead), … */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** CPU time in clock ticks (USER_HZ, `getconf CLK_TCK`): own user and system, then reaped children's. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** /proc/<pid>/stat, parsed; undefined when the process is gone. */
export function procStat(pid: number | 'self'): ProcStat | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  // The command name is in parentheses and may contain spaces; fields follow the last ')'.
  // f[0] is field 3 (state) of proc(5), so field n is f[n - 3].
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i]);
  return { state: f[0]!, ppid: n(1), pgrp: n(2), session: n(3), utime: n(11), stime: n(12), cutime: n(13), cstime: n(14) };
}

/** True while the process exists and has not died (a zombie still answers signal 0, so /proc decides). */
export function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

/** The process's environment as `NAME=value` strings ([] for zombies, gone or foreign processes). */
export function environ(pid: number): string[] {
  return (readProc(pid, 'environ') ?? '').split('\0').filter(Boolean);
}

/** Its argv joined with spaces ('' when gone). */
export function cmdline(pid: number): string {
  return (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
}

/** A `Vm…` line of /proc/<pid>/status in kB (VmRSS: resident now, VmHWM: peak); 0 when gone. */
export function memKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readProc(pid, 'status') ?? '');
  return m ? Number(m[1]) : 0;
}

/** pid → parent pid, for every visible process. */
export function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const pid of allPids()) {
    const st = procStat(pid);
    if (st) map.set(pid, st.ppid);
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

/** The value of the process's tag, if it carries one. */
export function tagOf(pid: number): string | undefined {
  const v = environ(pid).find((e) => e.startsWith(`${TAG_VAR}=`));
  return v?.slice(TAG_VAR.length + 1);
}

/** Other processes whose tag is exactly `tag` (zombies have an empty environ and are skipped). */
export function taggedPids(tag: string): number[] {
  return allPids().filter((pid) => pid !== process.pid && tagOf(pid) === tag);
}

/** Other processes tagged `<prefix>.…`: the tags one bot run gives its CLIs. */
export function taggedPidsWithPrefix(prefix: string): number[] {
  return allPids().filter((pid) => pid !== process.pid && (tagOf(pid)?.startsWith(`${prefix}.`) ?? false));
}

/** Sends `sig` to a pid (or a group, as -pgid). Returns false when there was nothing to signal. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

/** Signals the group `pid` leads, or the pid alone when it leads none. */
export function signalGroup(pid: number, sig: NodeJS.Signals): boolean {
  return signal(-pid, sig) || signal(pid, sig);
}

/** SIGKILL everything tagged and every descendant of `root`. Returns how many it signalled. */
export function sweep(tag: string, root?: number): number {
  const victims = new Set<number>(taggedPids(tag));
  if (root !== undefined) for (const pid of descendants(root)) victims.add(pid);
  for (const pid of victims) signal(pid, 'SIGKILL');
  return victims.size;
}

/** SIGKILL every process tagged with `<prefix>.…`: CLIs a previous run of the bot left behind. */
export function sweepPrefix(prefix: string): number {
  const victims = taggedPidsWithPrefix(prefix);
  for (const pid of victims) signal(pid, 'SIGKILL');
  return victims.length;
}

/** Resident memory of a process and its descendants, in bytes (0 if it is gone). */
export function treeRss(pid: number): number {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) total += memKb(p, 'VmRSS') * 1024;
  return total;
}
