// One turn over a workspace's process output, pure: it asks the Claude driver for a process and
// writes the user's message (commands out), then turns the lines it gets back into events until
// that turn's result. Exactly one completion: a result, or a failure event. A process that ends
// without a result is an error the respawn operator retries; see respawn.ts. The message carries a
// uuid and the turn takes only the lines of its own window (streams/windows.ts): the CLI's own
// turns (a finished background task, a wakeup) in the same output are not this turn's.
import { Observable, concat, defer, map, merge, mergeMap, of, take, takeWhile, timer, type SchedulerLike } from 'rxjs';
import type { ClaudeCommand, Launch, ProcOut } from '../domain/claude.ts';
import { isTerminal, type ResultEvent, type SessionEvent } from '../domain/events.ts';
import { toEvents } from '../domain/toEvents.ts';
import { taskEvents } from '../domain/taskEvents.ts';
import type { Turn } from '../domain/turn.ts';
import { parseCliLine } from '../protocol/cliLine.ts';
import { userMessageLine } from '../protocol/stdin.ts';
import { CrashError, respawn, SHUTDOWN_FAILURE, StaleConversationError, StartupError } from './respawn.ts';
import { initialWindowState, windowStep } from './windows.ts';
import type { WindowTag } from '../domain/window.ts';

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
  /** The n-th time this message is run (after a usage-limit hold): a fresh uuid, the CLI ignores a repeated one. */
  round?: number;
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
    const flags = { stopRequested: false, crashes: 0, attempts: 0 };
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
function attempt$(turn: Turn, io: TurnIO, flags: { stopRequested: boolean; crashes: number; attempts: number }): Observable<TurnOut> {
  const ws = turn.workspace;
  return new Observable<TurnOut>((sub) => {
    let context: { launch: Launch; lastCostUsd?: number } | undefined;
    io.context$.pipe(take(1)).subscribe((c) => (context = c));
    // This attempt's message uuid: only the window the CLI opens for it belongs to this turn.
    const uuid = messageUuid(io.round ? `${turn.id}@${io.round}` : turn.id, ++flags.attempts);
    let local = initialWindowState();
    const tagOf = (line: string, given?: WindowTag): WindowTag => {
      if (given) return given;
      const [next, tag] = windowStep(local, line, ws);
      local = next;
      return tag;
    };
    const s = io.procs$.subscribe((out) => {
      if (out.kind === 'spawned' || out.kind === 'stderr') return;
      if (out.kind === 'exit') {
        if (out.killed) return sub.error(new CrashError('the process was stopped'));
        if (out.spawnError || (out.signal === null && out.code !== 0 && !out.sawStdout)) {
          return sub.error(new StartupError(out.spawnError ?? (out.stderrTail.trim() || exitText(out.code, out.signal))));
        }
        return sub.error(new CrashError(exitText(out.code, out.signal)));
      }
      const tag = tagOf(out.line, out.window);
      if (tag.lifecycle === 'cancelled' && tag.owner?.kind === 'user' && tag.owner.uuid === uuid) {
        sub.next(event({ kind: 'failure', reason: 'crash', message: 'Claude Code dropped this message without answering it. Send it again.' }));
        return sub.complete();
      }
      if (!mine(tag, uuid) || tag.lifecycle) return;
      const cli = parseCliLine(out.line);
      for (const ev of taskEvents(cli) ?? toEvents(cli)) {
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
      sub.next(claude({ kind: 'write', workspace: ws, line: userMessageLine(turn.prompt, { images: turn.images, uuid, note: turn.note }) }));
    }
    return s;
  });
}

/** A line of this turn: in the window of its message (or, from a CLI without lifecycle lines, of the waiting user turn). */
const mine = (tag: WindowTag, uuid: string): boolean => tag.owner?.kind === 'user' && (tag.owner.uuid === undefined || tag.owner.uuid === uuid);

/** A stable RFC 4122-shaped (v4) uuid for a turn's n-th attempt: the CLI echoes it on the turn's lines. */
export function messageUuid(turnId: string, attempt: number): string {
  const key = `${turnId}#${attempt}`;
  let hex = '';
  for (let seed = 0; hex.length < 32; seed++) {
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    hex += (h >>> 0).toString(16).padStart(8, '0');
  }
  const v = `${hex.slice(0, 12)}4${hex.slice(13, 16)}${'89ab'[parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 32)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}
