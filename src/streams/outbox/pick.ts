// Which queued job of a lane goes next, and when: the queue is FIFO, except that a deferrable job
// (a live edit or a delete nobody waits for, pacing.ts) that must wait may be passed by a later
// job of another message, so the next turn's first text and final answers are not held behind it.
import { concat, concatMap, defer, EMPTY, NEVER, of, race, take, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Job, Lane, Shared } from './lane.ts';
import { book, deferrable, readyAt } from './pacing.ts';

export type Pick = { job: Job; skip: boolean };

const refOf = (job: Job): string | undefined => ('ref' in job.primary ? job.primary.ref : undefined);

/** The job to take now (removed from the queue), or the time to look again. */
export function pickNow(lane: Lane, shared: Shared, now: number): Pick | { at: number } | undefined {
  const passed = new Set<string>();
  let at = Infinity;
  for (let i = 0; i < lane.queue.length; i++) {
    const job = lane.queue[i]!;
    const ref = refOf(job);
    const blocked = ref !== undefined && passed.has(ref);
    if (!blocked && job.primary.op === 'delete' && !lane.messageIds.has(job.primary.ref)) {
      // Its send failed or never happened: there is no message, so nothing to delete.
      lane.queue.splice(i, 1);
      return { job, skip: true };
    }
    const ready = blocked ? Infinity : readyAt(lane, shared, job);
    if (ready <= now) {
      lane.queue.splice(i, 1);
      book(lane, shared, job, now);
      return { job, skip: false };
    }
    at = Math.min(at, ready);
    if (!deferrable(job) || ref === undefined) break;
    passed.add(ref);
  }
  return lane.queue.length ? { at } : undefined;
}

/** Emits the next job once it may go (booked); re-looks on `wake$` (an arrival) or its time. */
export function pick$(lane: Lane, shared: Shared, wake$: Observable<unknown>): Observable<Pick> {
  return defer(() => {
    const p = pickNow(lane, shared, shared.scheduler.now());
    if (p === undefined) return EMPTY;
    if ('job' in p) return of(p);
    const wait$ = Number.isFinite(p.at) ? timer(Math.max(0, p.at - shared.scheduler.now()), shared.scheduler) : NEVER;
    // An input that completes is no reason to look again (race would take its completion).
    return race(wait$, concat(wake$.pipe(take(1)), NEVER)).pipe(
      take(1),
      concatMap(() => pick$(lane, shared, wake$)),
    );
  });
}
