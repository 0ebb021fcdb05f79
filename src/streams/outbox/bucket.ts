// A token bucket as one number (GCRA, "virtual scheduling"): `tat` is when the bucket would be
// full again. `burst` calls may go at once, then one per `intervalMs`. Integer times only, so
// virtual-time tests see exact instants.

/** When a call may go that leaves `reserve` tokens in the bucket (reserve < burst). */
export function bucketReadyAt(tat: number, burst: number, intervalMs: number, reserve = 0): number {
  if (intervalMs <= 0) return -Infinity;
  return tat - (burst - 1 - reserve) * intervalMs;
}

/** The bucket's `tat` after one call at `now`. */
export function bucketTake(tat: number, now: number, intervalMs: number): number {
  return intervalMs <= 0 ? tat : Math.max(tat, now) + intervalMs;
}

/** Tokens left at `now` (for logs and tests). */
export function bucketTokens(tat: number, now: number, burst: number, intervalMs: number): number {
  if (intervalMs <= 0 || tat === -Infinity) return burst;
  return Math.min(burst, Math.max(0, burst - (tat - now) / intervalMs));
}
