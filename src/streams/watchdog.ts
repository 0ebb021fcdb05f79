// Stall watchdog: while a turn runs, emits each time it has been silent for `stallMs` (again every
// `stallMs` while the silence lasts). Every event counts as life, api_retry notices included.
import { filter, map, merge, switchMap, take, takeUntil, timer, of, type Observable, type SchedulerLike } from 'rxjs';
import { isTerminal, type SessionEvent } from '../domain/events.ts';

/** Emits the silence so far, in ms, each time a stall period passes. */
export function stalls$(events$: Observable<SessionEvent>, stallMs: number, scheduler: SchedulerLike): Observable<number> {
  const done$ = events$.pipe(filter(isTerminal), take(1));
  // The turn is running from the start, before its first event.
  return merge(of(null), events$.pipe(filter((e) => !isTerminal(e)))).pipe(
    switchMap(() => timer(stallMs, stallMs, scheduler).pipe(map((n) => (n + 1) * stallMs))),
    takeUntil(done$),
  );
}
