// The one Telegram writer (DESIGN.md "One Telegram writer", TELEGRAM.md A3/A4): every write goes
// through here. One FIFO lane per chat_id, paced per chat, per group window and globally; queued
// edits coalesce; 429 holds only its chat; final answers (important) are never dropped.
// Time only through the injected scheduler, so the whole thing runs in TestScheduler virtual time.
// The pieces: admit.ts (queue and coalescing), pacing.ts (when a lane may call), run.ts (one job
// to its Outcomes), calls.ts (op → Bot API call), verdicts.ts (what an error means).
//
// Invariants (each has a test in test/streams/outbox/):
// - every op gets exactly one Outcome; an op is executed until its first success, never after;
// - chats are independent: waiting, backoff or a 429 hold in one chat never delays another
//   (only the global calls-per-second window is shared);
// - a coalesced op (an edit or draft replaced by a newer one while queued, or an edit merged
//   into its still-queued send) gets no call of its own: its Outcome is emitted with the
//   Outcome of the op that carried its content, mirroring ok/messageId/error, attempts 0 and
//   coalesced: true (emitted in arrival order, so a superseded edit comes just before the winner);
// - a typing that would have to wait behind other work, or comes within 4 s of the last one, is
//   dropped (Outcome ok: true, dropped: true, attempts 0);
// - an Outcome carries its op as received (the same object, every field kept, answers included);
// - the output completes once ops$ completed and every queued op finished; unsubscribing
//   cancels timers and calls in flight.
import { EMPTY, asyncScheduler, concatMap, connect, defer, exhaustMap, filter, from, groupBy, map, merge, mergeMap, of, repeat } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import type { Exec, OutOp, Outcome } from '../../domain/telegram.ts';
import { admit } from './admit.ts';
import type { ChatOp } from './admit.ts';
import { newJob, newLane } from './lane.ts';
import type { Lane, Shared } from './lane.ts';
import { pick$ } from './pick.ts';
import { finish$, run$ } from './run.ts';

export interface OutboxOptions {
  scheduler?: SchedulerLike;
  /** A chat's buckets refill one token per this many ms (default 1000). */
  perChatIntervalMs?: number;
  /** Messages a chat may send at once before the interval applies (default 3). */
  burst?: number;
  groupPerMinute?: number;
  globalPerSecond?: number;
  maxAttempts?: number;
  backoffMs?: number;
}

type CallbackOp = Extract<OutOp, { op: 'answerCallback' } | { op: 'commands' }>;

export function outbox(ops$: Observable<OutOp>, exec: Exec, options: OutboxOptions = {}): Observable<Outcome> {
  return defer(() => {
    const shared = sharedOf(exec, options);
    return ops$.pipe(
      connect((all$) =>
        merge(
          all$.pipe(filter(isCallback), mergeMap((op) => answer$(op, shared))),
          all$.pipe(
            filter(isChatOp),
            groupBy((op) => op.chat.chatId),
            mergeMap((chat$) => lane$(chat$, chat$.key, shared)),
          ),
        ),
      ),
    );
  });
}

function sharedOf(exec: Exec, o: OutboxOptions): Shared {
  for (const key of ['groupPerMinute', 'globalPerSecond', 'maxAttempts', 'burst'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new RangeError(`outbox: ${key} must be an integer >= 1, got ${v}`);
  }
  for (const key of ['perChatIntervalMs', 'backoffMs'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`outbox: ${key} must be a finite number >= 0, got ${v}`);
  }
  return {
    scheduler: o.scheduler ?? asyncScheduler,
    exec,
    perChatIntervalMs: o.perChatIntervalMs ?? 1000,
    burst: o.burst ?? 3,
    groupPerMinute: o.groupPerMinute ?? 20,
    globalPerSecond: o.globalPerSecond ?? 30,
    maxAttempts: o.maxAttempts ?? 8,
    backoffMs: o.backoffMs ?? 500,
    globalLog: [],
  };
}

// A chat's command menu is not a message either: it goes the same way.
const isCallback = (op: OutOp): op is CallbackOp => op.op === 'answerCallback' || op.op === 'commands';
const isChatOp = (op: OutOp): op is ChatOp => !isCallback(op);

// answerCallbackQuery is a reply to a tap: sent at once, beside the chat queues.
function answer$(op: CallbackOp, shared: Shared): Observable<Outcome> {
  return defer(() => run$(newJob(op), newLane(false, false), shared));
}

// One chat: admit each op into the queue (coalescing), and drain the queue one job at a time.
// exhaustMap starts a drain when the lane is idle; a running drain picks up later arrivals itself
// (an arrival also wakes a drain that waits, pick.ts: a send may pass a deferred edit).
function lane$(chat$: Observable<ChatOp>, chatId: number, shared: Shared): Observable<Outcome> {
  return defer(() => {
    const lane = newLane(true, chatId < 0);
    return chat$.pipe(
      map((op) => admit(lane, op, shared.scheduler.now())),
      connect((admitted$) => {
        const drain$ = step$(lane, shared, admitted$).pipe(repeat({ delay: () => (lane.queue.length > 0 ? of(0) : EMPTY) }));
        return merge(admitted$.pipe(mergeMap((dropped) => from(dropped))), admitted$.pipe(exhaustMap(() => drain$)));
      }),
    );
  });
}

// One job: wait until some queued job may call (it stays in the queue meanwhile, so it can still
// coalesce), then take it and run it to its Outcome.
function step$(lane: Lane, shared: Shared, wake$: Observable<unknown>): Observable<Outcome> {
  return pick$(lane, shared, wake$).pipe(
    concatMap(({ job, skip }) => {
      if (skip) return finish$(job, lane, { ok: true });
      lane.current = job;
      return run$(job, lane, shared);
    }),
  );
}
