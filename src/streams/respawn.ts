// Crash recovery for one turn as an operator: a process that ends without a result is respawned
// (the conversation resumes with --resume) after a growing delay, a bounded number of times, and
// the message is written again; everything else that goes wrong becomes one failure event.
import { catchError, concat, EMPTY, mergeMap, of, race, retry, take, throwError, timer, type Observable } from 'rxjs';
import type { SessionEvent } from '../domain/events.ts';
import type { TurnOptions, TurnOut } from './turn.ts';

export class CrashError extends Error {}
export class StartupError extends Error {}
export class StaleConversationError extends Error {
  constructor(message: string, readonly workspace: string) {
    super(message);
  }
}
export class StoppedError extends Error {}

export const SHUTDOWN_FAILURE: SessionEvent = {
  kind: 'failure',
  reason: 'shutdown',
  message: 'The bot is restarting; this message will be answered when it is back.',
};

/** stop$: a /stop during the back-off ends the turn at once: no process is live to interrupt. */
export function respawn(flags: { stopRequested: boolean; crashes: number }, opts: TurnOptions, stop$: Observable<unknown> = EMPTY) {
  const stopped$ = stop$.pipe(take(1), mergeMap(() => throwError(() => new StoppedError('stopped during the restart back-off'))));
  return (attempt$: Observable<TurnOut>): Observable<TurnOut> =>
    attempt$.pipe(
      catchError((err: unknown) => {
        // A CLI that could not resume is exiting anyway; never reuse it (killed once its output is let go).
        if (err instanceof StaleConversationError) return concat(of<TurnOut>({ kind: 'claude', cmd: { kind: 'kill', workspace: err.workspace } }), throwError(() => err));
        if (!(err instanceof CrashError)) return throwError(() => err);
        if (flags.stopRequested) return throwError(() => new StoppedError(err.message));
        flags.crashes++;
        if (flags.crashes > opts.maxRespawns) return throwError(() => err);
        const secs = Math.round(opts.backoffMs(flags.crashes) / 100) / 10;
        const message = `Claude Code stopped unexpectedly (${err.message}); restarting in ${secs} s and resuming the conversation (attempt ${flags.crashes} of ${opts.maxRespawns}).`;
        return concat(of<TurnOut>({ kind: 'event', event: { kind: 'status', message } }), throwError(() => err));
      }),
      retry({
        delay: (err: unknown) => {
          // Checked before every respawn: a stop that came meanwhile ends the turn, nothing is re-sent.
          if (flags.stopRequested) return throwError(() => new StoppedError(String(err)));
          if (err instanceof StaleConversationError) return timer(0, opts.scheduler);
          if (err instanceof CrashError && flags.crashes <= opts.maxRespawns) return race(timer(opts.backoffMs(flags.crashes), opts.scheduler), stopped$);
          return throwError(() => err);
        },
      }),
      catchError((err: unknown) => of<TurnOut>({ kind: 'event', event: failureFor(err, flags, opts.maxRespawns) })),
    );
}

function failureFor(err: unknown, flags: { stopRequested: boolean; crashes: number }, maxRespawns: number): SessionEvent {
  if (err instanceof StoppedError && flags.crashes > 0) return { kind: 'failure', reason: 'stopped', message: 'Stopped while Claude Code was restarting; the message was not sent again.' };
  if (flags.stopRequested || err instanceof StoppedError) return { kind: 'failure', reason: 'stopped', message: 'Stopped. Claude Code did not answer the interrupt, so its process was ended; the conversation continues with your next message.' };
  if (err instanceof StartupError) return { kind: 'failure', reason: 'startup', message: `Claude Code could not start: ${err.message.trim()}` };
  if (err instanceof CrashError) {
    const n = flags.crashes;
    return { kind: 'failure', reason: 'crash', message: `Claude Code crashed ${n} time${n === 1 ? '' : 's'} on this message (last: ${err.message}) and gave up after ${maxRespawns} restarts. Send the message again to retry.` };
  }
  return { kind: 'failure', reason: 'crash', message: `Claude Code failed: ${String(err)}` };
}
