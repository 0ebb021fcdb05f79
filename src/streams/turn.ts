// One turn over a workspace's process output, pure: it asks the Claude driver for a process and
// writes the user's message (commands out), then turns the lines it gets back into events until
// that turn's result. Exactly one completion: a result, or a failure event. A process that ends
// without a result is an error the respawn operator retries; see respawn.ts.
import { Observable, concat, defer, map, merge, mergeMap, of, take, takeWhile, timer, type SchedulerLike } from 'rxjs';
import type { ClaudeCommand, Launch, ProcOut } from '../domain/claude.ts';
import { isTerminal, type ResultEvent, type SessionEvent } from '../domain/events.ts';
import { toEvents } from '../domain/toEvents.ts';
import type { Turn } from '../domain/turn.ts';
import { parseCliLine } from '../protocol/cliLine.ts';
import { userMessageLine } from '../protocol/stdin.ts';
import { CrashError, respawn, SHUTDOWN_FAILURE, StaleConversationError, StartupError } from './respawn.ts';

export type TurnOut =
  | { kind: 'event'; event: SessionEvent }
  | { kind: 'claude'; cmd: ClaudeCommand }
  /** The conversation id to keep for the workspace (undefined: forget it, start fresh). */
  | { kind: 'conversation'; sessionId: string | undefined };

export interface TurnIO {
  /** This workspace's process output (hot). */
  procs$: Observable<ProcOut>;
  /** The current launch settings and the previous result's running cost (read once per attempt). */
  context$: Observable<{ launch: Launch; lastCostUsd?: number }>;
  /** A user asked to stop this turn. */
  stop$: Observable<unknown>;
  /** The bot is shutting down: end at once, the message stays journaled. */
  drain$: Observable<unknown>;
}

export interface TurnOptions {
  scheduler: SchedulerLike;
  maxRespawns: number;
  /** Delay before the n-th respawn (n from 1). */
  backoffMs: (n: number) => number;
  /** How long an interrupt may take before the process is killed. */
  interruptTimeoutMs: number;
}

const STALE = /No conversation found with session ID/;
const exitText = (code: number | null, sig: string | null) => (sig ? `killed by ${sig}` : `exit code ${code}`);
const event = (e: SessionEvent): TurnOut => ({ kind: 'event', event: e });
const claude = (cmd: ClaudeCommand): TurnOut => ({ kind: 'claude', cmd });

/** Events and commands of one turn, ending with its completion and the process's release. */
export function turn$(turn: Turn, io: TurnIO, opts: TurnOptions): Observable<TurnOut> {
  const ws = turn.workspace;
  return defer(() => {
    const flags = { stopRequested: false, crashes: 0 };
    const stop$ = io.stop$.pipe(
      take(1),
      mergeMap(() => {
        flags.stopRequested = true;
        // No answer in time: kill the process; the conversation resumes with the next message.
        return concat(
          of(claude({ kind: 'interrupt', workspace: ws, requestId: `interrupt-${turn.id}` })),
          timer(opts.interruptTimeoutMs, opts.scheduler).pipe(map(() => claude({ kind: 'kill', workspace: ws }))),
        );
      }),
    );
    const attempts$ = attempt$(turn, io, flags).pipe(respawn(flags, opts, io.stop$));
    const drained$ = io.drain$.pipe(take(1), map(() => event(SHUTDOWN_FAILURE)));
    const body$ = merge(attempts$, stop$, drained$).pipe(takeWhile((o) => !(o.kind === 'event' && isTerminal(o.event)), true));
    return concat(of(event({ kind: 'running' })), body$, of(claude({ kind: 'hold', workspace: ws, held: false })));
  });
}

/** One try: a process, the message written once, lines until the result or the process's end. */
function attempt$(turn: Turn, io: TurnIO, flags: { stopRequested: boolean; crashes: number }): Observable<TurnOut> {
  const ws = turn.workspace;
  return new Observable<TurnOut>((sub) => {
    let context: { launch: Launch; lastCostUsd?: number } | undefined;
    io.context$.pipe(take(1)).subscribe((c) => (context = c));
    const s = io.procs$.subscribe((out) => {
      if (out.kind === 'spawned' || out.kind === 'stderr') return;
      if (out.kind === 'exit') {
        if (out.killed) return sub.error(new CrashError('the process was stopped'));
        if (out.spawnError || (out.signal === null && out.code !== 0 && !out.sawStdout)) {
          return sub.error(new StartupError(out.spawnError ?? (out.stderrTail.trim() || exitText(out.code, out.signal))));
        }
        return sub.error(new CrashError(exitText(out.code, out.signal)));
      }
      for (const ev of toEvents(parseCliLine(out.line))) {
        if (ev.kind === 'started' && ev.sessionId) sub.next({ kind: 'conversation', sessionId: ev.sessionId });
        if (ev.kind === 'result') {
          if (ev.isError && STALE.test(ev.text) && !flags.stopRequested) {
            sub.next({ kind: 'conversation', sessionId: undefined });
            sub.next(event({ kind: 'status', message: 'The previous conversation could not be resumed (Claude Code no longer has it); starting a fresh one.' }));
            return sub.error(new StaleConversationError(ev.text, ws));
          }
          io.context$.pipe(take(1)).subscribe((c) => (context = c));
          const prev = context?.lastCostUsd;
          const turnCostUsd = prev !== undefined && ev.costUsd >= prev ? ev.costUsd - prev : ev.costUsd;
          const result: ResultEvent = { ...ev, turnCostUsd, ...(flags.stopRequested ? { stopped: true } : {}) };
          sub.next(event(result));
          return sub.complete();
        }
        sub.next(event(ev));
      }
    });
    if (context) {
      sub.next(claude({ kind: 'spawn', workspace: ws, launch: context.launch }));
      sub.next(claude({ kind: 'hold', workspace: ws, held: true }));
      sub.next(claude({ kind: 'write', workspace: ws, line: userMessageLine(turn.prompt, turn.note) }));
    }
    return s;
  });
}
