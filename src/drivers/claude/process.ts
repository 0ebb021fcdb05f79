// One CLI process as a cold Observable: subscribing spawns it, unsubscribing closes stdin, sends
// SIGTERM to its group, SIGKILL after a grace period, sweeps every tagged descendant, and reaps.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Observable, type Subscription } from 'rxjs';
import type { ProcOut } from '../../domain/claude.ts';
import { lines$ } from './lines.ts';
import { signal, sweep, TAG_VAR } from './processTree.ts';
import { directLauncher, type Launcher } from './launcher.ts';

export interface ProcessSpec {
  bin: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** ms between SIGTERM and SIGKILL on teardown. */
  graceMs?: number;
  /** Tags are `<tagPrefix>.<uuid>`, so a later run of the same bot can find what this one left. */
  tagPrefix?: string;
  /** Wraps the command (bwrap, another uid); default: run it directly. */
  launcher?: Launcher;
}

export type { ProcOut };

// Variables of a parent Claude Code session that must not leak into the child (PROTOCOL.md §7).
// The bot's own secrets and settings stay out too: Claude's tools can read their environment.
const SCRUB = [
  /^CLAUDECODE$/, /^CLAUDE_CODE_ENTRYPOINT$/, /^CLAUDE_CODE_SSE_PORT$/, /^CLAUDE_AGENT_SDK/, /^NODE_OPTIONS$/, /^CLAUDE_CODE_SESSION/,
  /^TELEGRAM_/, /^ALLOWED_USER_IDS$/, /^STT_API_KEY$/,
];

export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !SCRUB.some((re) => re.test(k))) out[k] = v;
  return out;
}

// Teardowns still in progress; shutdown waits for them so no child outlives the bot.
const reaping = new Set<Promise<void>>();
const live = new Map<number, { bin: string; startedAt: number; tag: string }>();

export function liveProcesses(): ReadonlyMap<number, { bin: string; startedAt: number; tag: string }> {
  return live;
}

/** Resolves when every process started here has exited and been swept. */
export async function allReaped(): Promise<void> {
  while (reaping.size) await Promise.all([...reaping]);
}

const STDERR_TAIL = 4096;

export function claudeProcess$(specFn: () => ProcessSpec, stdin$: Observable<string>): Observable<ProcOut> {
  return new Observable<ProcOut>((subscriber) => {
    const spec = specFn();
    const tag = `${spec.tagPrefix ?? 'cli'}.${randomUUID()}`;
    let stderrTail = '';
    let sawStdout = false;
    let exited = false;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    reaping.add(finished);
    void finished.then(() => reaping.delete(finished));

    let child: ChildProcess;
    try {
      const run = (spec.launcher ?? directLauncher).wrap({ bin: spec.bin, args: spec.args, cwd: spec.cwd, env: { ...childEnv(spec.env), [TAG_VAR]: tag } });
      child = spawn(run.bin, run.args, {
        cwd: run.cwd,
        env: run.env,
        ...(run.uid !== undefined ? { uid: run.uid, gid: run.gid } : {}),
        detached: true, // own process group, so the group can be signalled
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      subscriber.next({ kind: 'exit', code: null, signal: null, stderrTail: '', spawnError: String(err), sawStdout: false });
      subscriber.complete();
      done();
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) live.set(pid, { bin: spec.bin, startedAt: Date.now(), tag });

    const subs: Subscription[] = [];
    let outDone = false;
    let errDone = false;
    let exitInfo: { code: number | null; signal: string | null; spawnError?: string } | undefined;
    // Emit `exit` only after both pipes ended, so no line is lost behind it.
    const maybeFinish = () => {
      if (!exitInfo || !outDone || !errDone || subscriber.closed) return;
      subscriber.next({ kind: 'exit', ...exitInfo, stderrTail, sawStdout });
      subscriber.complete();
    };

    subs.push(
      lines$(child.stdout!).subscribe({
        next: (line) => {
          sawStdout = true;
          subscriber.next({ kind: 'stdout', line });
        },
        error: () => ((outDone = true), maybeFinish()),
        complete: () => ((outDone = true), maybeFinish()),
      }),
      lines$(child.stderr!).subscribe({
        next: (line) => {
          stderrTail = (stderrTail + line + '\n').slice(-STDERR_TAIL);
          subscriber.next({ kind: 'stderr', line });
        },
        error: () => ((errDone = true), maybeFinish()),
        complete: () => ((errDone = true), maybeFinish()),
      }),
    );
    child.stdin!.on('error', () => {
      /* EPIPE when the child is gone: the exit event reports it */
    });
    subs.push(stdin$.subscribe((line) => child.stdin!.writable && child.stdin!.write(line + '\n')));

    const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      if (pid !== undefined) live.delete(pid);
      // Tools the CLI left behind (own sessions, or orphans after a SIGKILL) die with it.
      sweep(tag);
      exitInfo = { code, signal: sig };
      done();
      // A grandchild holding the pipes open was just killed; give the pipes a moment to end.
      maybeFinish();
    };
    child.on('exit', onExit);
    child.on('error', (err) => {
      if (pid === undefined && !exited) {
        exited = true;
        exitInfo = { code: null, signal: null, spawnError: err.message };
        outDone = errDone = true;
        done();
        maybeFinish();
      }
    });
    subscriber.next({ kind: 'spawned', pid: pid ?? -1 });

    return () => {
      for (const s of subs) s.unsubscribe();
      if (exited || pid === undefined) return;
      child.stdin!.end();
      signal(-pid, 'SIGTERM');
      const timer = setTimeout(() => {
        signal(-pid, 'SIGKILL');
        sweep(tag, pid);
      }, spec.graceMs ?? 3000);
      child.once('exit', () => clearTimeout(timer));
      // Keep draining the pipes so a chatty child cannot block on a full pipe while dying.
      child.stdout!.resume();
      child.stderr!.resume();
    };
  });
}

/** Second signal: SIGKILL every live CLI group and everything tagged, synchronously. */
export function killAllNow(): void {
  for (const [pid, info] of live) {
    signal(-pid, 'SIGKILL');
    sweep(info.tag, pid);
  }
}
