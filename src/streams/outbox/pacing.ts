// When a lane may call: its 429 hold, its token buckets (messages; drafts apart, the first draft of
// a turn at once), a margin for
// network jitter, the group window (20 a minute) and the global window (30 a second), all on the
// injected scheduler's clock. A burst of `burst` messages goes at once (the first text of a turn
// is not held back), then one per perChatIntervalMs. Live edits and deletes that nobody waits
// for are deferrable: they wait for a full bucket and for room in the group window, so under
// pressure they coalesce while sends go first (pick.ts lets a send pass them).
import { concatMap, defer, of, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import { bucketReadyAt, bucketTake } from './bucket.ts';
import type { Job, Lane, Shared } from './lane.ts';

const GROUP_WINDOW_MS = 60_000;
const GLOBAL_WINDOW_MS = 1000;
/** Calls leave paced but may arrive bunched: the burst+1-th message waits this much longer. */
export const ARRIVAL_MARGIN_MS = 100;
/** Group-window slots a deferrable job leaves free for sends. */
export const GROUP_RESERVE = 5;

export type JobClass = 'message' | 'draft' | 'light';

export function classOf(job: Job): JobClass {
  const op = job.primary.op;
  return op === 'typing' ? 'light' : op === 'draft' ? 'draft' : 'message';
}

/** A live view's edit or clean-up nobody waits for: it may wait (and coalesce) while sends go first. */
export function deferrable(job: Job): boolean {
  const op = job.primary;
  return !job.important && (op.op === 'edit' || op.op === 'delete') && op.live === true;
}

/** Emits once when `job` may make its call now, and books that call (a retry of a job in flight). */
export function slot$(lane: Lane, shared: Shared, job: Job, notBefore = -Infinity, skipBucket = false): Observable<number> {
  return defer(() => {
    const now = shared.scheduler.now();
    const at = readyAt(lane, shared, job, notBefore, skipBucket);
    if (at <= now) {
      book(lane, shared, job, now, skipBucket);
      return of(now);
    }
    // Re-check on waking: another chat may have taken the global slot meanwhile.
    return timer(at - now, shared.scheduler).pipe(concatMap(() => slot$(lane, shared, job, notBefore, skipBucket)));
  });
}

/** The earliest time `job` may call. skipBucket: a retry of a call that delivered nothing. */
export function readyAt(lane: Lane, shared: Shared, job: Job, notBefore = -Infinity, skipBucket = false): number {
  const times = [notBefore, lane.holdUntil];
  if (!lane.paced) return Math.max(...times);
  const cls = classOf(job);
  const interval = shared.perChatIntervalMs;
  // The first draft of a turn (a new draft_id) goes at once; later ones wait for the bucket.
  if (cls === 'draft' && !skipBucket && !firstDraft(lane, job)) times.push(bucketReadyAt(lane.draftTat, shared.burst, interval));
  if (cls === 'message') {
    // A live edit or clean-up waits for a full bucket: the next first text and final answer always find a token.
    const reserve = deferrable(job) ? shared.burst - 1 : 0;
    if (!skipBucket) {
      times.push(bucketReadyAt(lane.messageTat, shared.burst, interval, reserve));
      if (interval > 0 && shared.burst > 1) times.push(windowFreeAt(lane.chatLog, shared.burst, interval + ARRIVAL_MARGIN_MS));
    }
    if (lane.group) {
      const limit = deferrable(job) ? Math.max(1, shared.groupPerMinute - GROUP_RESERVE) : shared.groupPerMinute;
      times.push(windowFreeAt(lane.groupLog, limit, GROUP_WINDOW_MS));
    }
  }
  times.push(windowFreeAt(shared.globalLog, shared.globalPerSecond, GLOBAL_WINDOW_MS));
  return Math.max(...times);
}

const firstDraft = (lane: Lane, job: Job): boolean => job.primary.op === 'draft' && job.primary.draftId !== lane.lastDraftId;

/** Sliding window: at most `limit` calls in any `windowMs`; log holds the latest call times. */
export function windowFreeAt(log: number[], limit: number, windowMs: number): number {
  return log.length < limit ? -Infinity : log[log.length - limit]! + windowMs;
}

/** Books a call at `now`; a retry of a call that delivered nothing (free) takes no token. */
export function book(lane: Lane, shared: Shared, job: Job, now: number, free = false): void {
  if (!lane.paced) return;
  const cls = free ? 'light' : classOf(job);
  if (cls === 'draft') {
    lane.draftTat = bucketTake(lane.draftTat, now, shared.perChatIntervalMs);
    if (job.primary.op === 'draft') lane.lastDraftId = job.primary.draftId;
  }
  if (cls === 'message') {
    lane.messageTat = bucketTake(lane.messageTat, now, shared.perChatIntervalMs);
    pushBounded(lane.chatLog, now, shared.burst);
    if (lane.group) pushBounded(lane.groupLog, now, shared.groupPerMinute);
  }
  pushBounded(shared.globalLog, now, shared.globalPerSecond);
}

function pushBounded(log: number[], t: number, limit: number): void {
  log.push(t);
  if (log.length > limit) log.splice(0, log.length - limit);
}
