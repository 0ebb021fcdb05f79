// One job from its booked slot to its Outcomes: make the call, read the reply, and either
// finish or go again (after a hold, a fallback or a backoff) through the lane's pacing.
import { catchError, concatMap, defaultIfEmpty, defer, from, map, of, take } from 'rxjs';
import type { Observable } from 'rxjs';
import type { ApiCall, ApiError, Outcome } from '../../domain/telegram.ts';
import { toCall } from './calls.ts';
import { remember } from './lane.ts';
import type { Job, Lane, Shared } from './lane.ts';
import { slot$ } from './pacing.ts';
import { backoff, toApiError, verdict } from './verdicts.ts';

type Reply = { ok: true; result: unknown } | { ok: false; error: ApiError };
export type Result = { ok: boolean; messageId?: number; error?: ApiError };

/** Makes one call for job (its slot is already booked) and settles the reply. */
export function run$(job: Job, lane: Lane, shared: Shared): Observable<Outcome> {
  return defer(() => {
    const op = job.primary;
    const messageId = 'ref' in op ? lane.messageIds.get(op.ref) : undefined;
    if (op.op === 'edit' && messageId === undefined) job.asSend = true; // its send failed: a final answer must still arrive
    const call = toCall(op, { content: job.content, plain: job.plain, asSend: job.asSend, messageId });
    job.calls += 1;
    if (op.op === 'typing') lane.lastTypingAt = shared.scheduler.now();
    if (op.op === 'draft') lane.lastDraftAt = shared.scheduler.now();
    return defer(() => shared.exec(call)).pipe(
      take(1),
      map((result): Reply => ({ ok: true, result })),
      defaultIfEmpty(noResult(call)),
      catchError((err: unknown) => of<Reply>({ ok: false, error: toApiError(err) })),
      concatMap((reply) => settle$(job, call, reply, lane, shared)),
    );
  });
}

function noResult(call: ApiCall): Reply {
  return { ok: false, error: { code: 0, description: `exec(${call.method}) completed without a result; a driver must emit once` } };
}

function settle$(job: Job, call: ApiCall, reply: Reply, lane: Lane, shared: Shared): Observable<Outcome> {
  if (reply.ok) return finish$(job, lane, succeeded(job, call, reply.result, lane));
  const { error } = reply;
  const now = shared.scheduler.now();
  const retriable = job.primary.op !== 'draft' && job.primary.op !== 'typing'; // fire and forget
  switch (verdict(call, error, job.important)) {
    case 'done':
      return finish$(job, lane, succeeded(job, call, undefined, lane));
    case 'hold':
      // The whole chat waits; the retry is not an attempt toward maxAttempts.
      lane.holdUntil = Math.max(lane.holdUntil, now + (error.retryAfter ?? 1) * 1000);
      return retriable ? again$(job, lane, shared) : finish$(job, lane, { ok: false, error });
    case 'plain':
      job.plain = true;
      return again$(job, lane, shared, now, true);
    case 'asSend':
      job.asSend = true;
      return again$(job, lane, shared, now, true);
    case 'retry': {
      job.failures += 1;
      const giveUp = !retriable || (!job.important && job.failures >= shared.maxAttempts);
      if (giveUp) return finish$(job, lane, { ok: false, error });
      return again$(job, lane, shared, now + backoff(shared.backoffMs, job.failures));
    }
    case 'fail':
      return finish$(job, lane, { ok: false, error });
  }
}

// A call rejected with 400 delivered nothing, so its follow-up (plain text, or a send instead of
// an edit) skips the chat's bucket; it still waits for the group and global windows.
function again$(job: Job, lane: Lane, shared: Shared, notBefore = -Infinity, skipBucket = false): Observable<Outcome> {
  return slot$(lane, shared, job, notBefore, skipBucket).pipe(concatMap(() => run$(job, lane, shared)));
}

function succeeded(job: Job, call: ApiCall, result: unknown, lane: Lane): Result {
  const ref = 'ref' in job.primary ? job.primary.ref : undefined;
  switch (call.method) {
    case 'sendMessage':
    case 'sendPhoto':
    case 'sendDocument': {
      const messageId = messageIdOf(result);
      if (ref !== undefined && messageId !== undefined) remember(lane, ref, messageId);
      return messageId === undefined ? { ok: true } : { ok: true, messageId };
    }
    case 'editMessageText':
      return { ok: true, messageId: call.params['message_id'] as number };
    case 'deleteMessage':
      if (ref !== undefined) lane.messageIds.delete(ref);
      return { ok: true, messageId: call.params['message_id'] as number };
    default:
      return { ok: true };
  }
}

function messageIdOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const id = (result as { message_id?: unknown }).message_id;
  return typeof id === 'number' ? id : undefined;
}

/** Frees the lane, then emits one Outcome per carried op, in arrival order. */
export function finish$(job: Job, lane: Lane, result: Result): Observable<Outcome> {
  return defer(() => {
    if (lane.current === job) lane.current = null;
    return from(job.carried.map((op) => outcomeOf(op, job, result)));
  });
}

function outcomeOf(op: Job['primary'], job: Job, result: Result): Outcome {
  const base: Outcome = { op, ok: result.ok, attempts: 0 };
  if (result.messageId !== undefined) base.messageId = result.messageId;
  if (result.error !== undefined) base.error = result.error;
  if (op !== job.primary) return { ...base, coalesced: true };
  return { ...base, attempts: job.calls, ...(job.plain ? { plainFallback: true } : {}) };
}
