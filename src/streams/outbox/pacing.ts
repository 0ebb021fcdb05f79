// When a lane may call: its chat interval, its 429 hold, the group window (20 a minute) and
// the global window (30 a second), all on the injected scheduler's clock.
import { concatMap, defer, of, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Lane, Shared } from './lane.ts';

const GROUP_WINDOW_MS = 60_000;
const GLOBAL_WINDOW_MS = 1000;

/** Emits once when this lane may make a call now, and books that call in every window. */
export function slot$(lane: Lane, shared: Shared, notBefore = -Infinity, skipInterval = false): Observable<number> {
  return defer(() => {
    const now = shared.scheduler.now();
    // A typing action is not a message: it neither waits for nor uses the chat's message interval,
    // so the first live text of a turn is not held back behind it.
    const light = lane.queue[0]?.primary.op === 'typing';
    const at = readyAt(lane, shared, notBefore, skipInterval || light);
    if (at <= now) {
      book(lane, shared, now, light);
      return of(now);
    }
    // Re-check on waking: another chat may have taken the global slot meanwhile.
    return timer(at - now, shared.scheduler).pipe(concatMap(() => slot$(lane, shared, notBefore, skipInterval)));
  });
}

export function readyAt(lane: Lane, shared: Shared, notBefore: number, skipInterval: boolean): number {
  const times = [notBefore, lane.holdUntil];
  if (lane.paced) {
    if (!skipInterval) times.push(lane.lastCallAt + shared.perChatIntervalMs);
    if (lane.group) times.push(windowFreeAt(lane.groupLog, shared.groupPerMinute, GROUP_WINDOW_MS));
    times.push(windowFreeAt(shared.globalLog, shared.globalPerSecond, GLOBAL_WINDOW_MS));
  }
  return Math.max(...times);
}

/** Sliding window: at most `limit` calls in any `windowMs`; log holds the latest call times. */
export function windowFreeAt(log: number[], limit: number, windowMs: number): number {
  return log.length < limit ? -Infinity : log[log.length - limit]! + windowMs;
}

function book(lane: Lane, shared: Shared, now: number, light = false): void {
  if (!lane.paced) return;
  if (!light) {
    lane.lastCallAt = now;
    if (lane.group) pushBounded(lane.groupLog, now, shared.groupPerMinute);
  }
  pushBounded(shared.globalLog, now, shared.globalPerSecond);
}

function pushBounded(log: number[], t: number, limit: number): void {
  log.push(t);
  if (log.length > limit) log.splice(0, log.length - limit);
}
