// The one Telegram writer (DESIGN.md "One Telegram writer", TELEGRAM.md A3/A4): every write goes
// through here. One FIFO lane per chat_id, paced per chat, per group window and globally; queued
// edits coalesce; 429 holds only its chat; final answers (important) are never dropped.
// Time only through the injected scheduler, so the whole thing runs in TestScheduler virtual time.
//
// Invariants (each has a test in test/outbox.test.ts):
// - every op gets exactly one Outcome; an op is executed until its first success, never after;
// - chats are independent: waiting, backoff or a 429 hold in one chat never delays another
//   (only the global calls-per-second window is shared);
// - a coalesced op (an edit or draft replaced by a newer one while queued, or an edit merged
//   into its still-queued send) gets no call of its own: its Outcome is emitted with the
//   Outcome of the op that carried its content, mirroring ok/messageId/error, attempts 0 and
//   coalesced: true (emitted in arrival order, so a superseded edit comes just before the winner);
// - a typing that would have to wait behind other work, or comes within 4 s of the last one, is
//   dropped (Outcome ok: true, dropped: true, attempts 0);
// - the output completes once ops$ completed and every queued op finished; unsubscribing
//   cancels timers and calls in flight.
import {
  EMPTY,
  Observable,
  asyncScheduler,
  catchError,
  concatMap,
  connect,
  defaultIfEmpty,
  defer,
  exhaustMap,
  filter,
  from,
  groupBy,
  map,
  merge,
  mergeMap,
  of,
  repeat,
  take,
  timer,
} from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { Entity } from '../domain/render/entities.ts';
import type { ApiCall, ApiError, ChatRef, Exec, OutOp, Outcome } from '../domain/telegram.ts';

export type { ApiCall, ApiError, ChatRef, Exec, OutOp, Outcome };

export interface OutboxOptions {
  scheduler?: SchedulerLike;
  perChatIntervalMs?: number;
  groupPerMinute?: number;
  globalPerSecond?: number;
  maxAttempts?: number;
  backoffMs?: number;
}

type ChatOp = Exclude<OutOp, { op: 'answerCallback' }>;
type CallbackOp = Extract<OutOp, { op: 'answerCallback' }>;
type Content = { text: string; entities?: Entity[]; replyMarkup?: unknown };
type Reply = { ok: true; result: unknown } | { ok: false; error: ApiError };
type Verdict = 'done' | 'hold' | 'plain' | 'asSend' | 'retry' | 'fail';
type Result = { ok: boolean; messageId?: number; error?: ApiError };

const TYPING_EVERY_MS = 4000;
const GROUP_WINDOW_MS = 60_000;
const GLOBAL_WINDOW_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
/** Per chat; the oldest is forgotten first, and an edit of a forgotten ref goes out as a send. */
const REMEMBERED_REFS = 10_000;

interface Shared {
  scheduler: SchedulerLike;
  exec: Exec;
  perChatIntervalMs: number;
  groupPerMinute: number;
  globalPerSecond: number;
  maxAttempts: number;
  backoffMs: number;
  /** Times of the latest paced calls across all chats (at most globalPerSecond kept). */
  globalLog: number[];
}

interface Lane {
  /** answerCallback runs on its own unpaced lane: no interval, no windows, only its 429 hold. */
  paced: boolean;
  group: boolean;
  queue: Job[];
  current: Job | null;
  lastCallAt: number;
  lastTypingAt: number;
  holdUntil: number;
  groupLog: number[];
  messageIds: Map<string, number>;
}

interface Job {
  /** The op whose fields shape the call and whose Outcome reports the calls. */
  primary: OutOp;
  /** Every op this job answers, in arrival order (primary included). */
  carried: OutOp[];
  /** Set when an edit merged into a queued send: the send goes out with the edit's content. */
  content?: Content;
  important: boolean;
  calls: number;
  failures: number;
  plain: boolean;
  /** An edit going out as sendMessage (no message_id known, or the message to edit is gone). */
  asSend: boolean;
}

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
  for (const key of ['groupPerMinute', 'globalPerSecond', 'maxAttempts'] as const) {
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
    groupPerMinute: o.groupPerMinute ?? 20,
    globalPerSecond: o.globalPerSecond ?? 30,
    maxAttempts: o.maxAttempts ?? 8,
    backoffMs: o.backoffMs ?? 500,
    globalLog: [],
  };
}

const isCallback = (op: OutOp): op is CallbackOp => op.op === 'answerCallback';
const isChatOp = (op: OutOp): op is ChatOp => op.op !== 'answerCallback';

function newLane(paced: boolean, group: boolean): Lane {
  return {
    paced,
    group,
    queue: [],
    current: null,
    lastCallAt: -Infinity,
    lastTypingAt: -Infinity,
    holdUntil: -Infinity,
    groupLog: [],
    messageIds: new Map(),
  };
}

function newJob(op: OutOp): Job {
  const important = 'important' in op && op.important === true;
  return { primary: op, carried: [op], important, calls: 0, failures: 0, plain: false, asSend: false };
}

// answerCallbackQuery is a reply to a tap: sent at once, beside the chat queues.
function answer$(op: CallbackOp, shared: Shared): Observable<Outcome> {
  return defer(() => run$(newJob(op), newLane(false, false), shared));
}

// One chat: admit each op into the queue (coalescing), and drain the queue one job at a time.
// exhaustMap starts a drain when the lane is idle; a running drain picks up later arrivals itself.
function lane$(chat$: Observable<ChatOp>, chatId: number, shared: Shared): Observable<Outcome> {
  return defer(() => {
    const lane = newLane(true, chatId < 0);
    const drain$ = step$(lane, shared).pipe(repeat({ delay: () => (lane.queue.length > 0 ? of(0) : EMPTY) }));
    return chat$.pipe(
      map((op) => admit(lane, op, shared.scheduler.now())),
      connect((admitted$) =>
        merge(admitted$.pipe(mergeMap((dropped) => from(dropped))), admitted$.pipe(exhaustMap(() => drain$))),
      ),
    );
  });
}

/** Queues op (or folds it into a queued job); returns the Outcomes of typings it drops. */
function admit(lane: Lane, op: ChatOp, now: number): Outcome[] {
  if (op.op === 'typing') {
    const waiting = lane.current !== null || lane.queue.length > 0;
    if (waiting || now - lane.lastTypingAt < TYPING_EVERY_MS) return [droppedOutcome(op)];
    lane.queue.push(newJob(op));
    return [];
  }
  const typings = lane.queue.filter((job) => job.primary.op === 'typing');
  lane.queue = lane.queue.filter((job) => job.primary.op !== 'typing');
  const target = coalesceTarget(lane.queue, op);
  if (target) absorb(target, op);
  else lane.queue.push(newJob(op));
  return typings.map((job) => droppedOutcome(job.primary));
}

function droppedOutcome(op: OutOp): Outcome {
  return { op, ok: true, attempts: 0, dropped: true };
}

// An edit folds into the latest queued job for its ref when that is its send or an edit (not past
// a delete); a draft folds into the queued draft with the same chat, thread and draft_id.
function coalesceTarget(queue: Job[], op: ChatOp): Job | undefined {
  if (op.op === 'edit') {
    const last = queue.findLast((job) => 'ref' in job.primary && job.primary.ref === op.ref);
    return last && (last.primary.op === 'send' || last.primary.op === 'edit') ? last : undefined;
  }
  if (op.op === 'draft') {
    return queue.find((job) => job.primary.op === 'draft' && sameDraft(job.primary, op));
  }
  return undefined;
}

function sameDraft(a: Extract<OutOp, { op: 'draft' }>, b: Extract<OutOp, { op: 'draft' }>): boolean {
  return a.chat.chatId === b.chat.chatId && a.chat.threadId === b.chat.threadId && a.draftId === b.draftId;
}

function absorb(job: Job, op: ChatOp): void {
  job.carried.push(op);
  if (op.op === 'edit') job.important ||= op.important === true;
  if (op.op === 'edit' && job.primary.op === 'send') job.content = contentOf(op);
  else job.primary = op;
}

function contentOf(op: Content): Content {
  return { text: op.text, entities: op.entities, replyMarkup: op.replyMarkup };
}

// One job: wait until the chat may call (the head stays in the queue, so it can still coalesce),
// then take it and run it to its Outcome.
function step$(lane: Lane, shared: Shared): Observable<Outcome> {
  return defer(() => {
    const head = lane.queue[0];
    if (head === undefined) return EMPTY;
    if (head.primary.op === 'delete' && !lane.messageIds.has(head.primary.ref)) {
      // Its send failed or never happened: there is no message, so nothing to delete.
      lane.queue.shift();
      return finish$(head, lane, { ok: true });
    }
    return slot$(lane, shared).pipe(
      concatMap(() => {
        const job = lane.queue.shift();
        if (job === undefined) return EMPTY;
        lane.current = job;
        return run$(job, lane, shared);
      }),
    );
  });
}

/** Emits once when this lane may make a call now, and books that call in every window. */
function slot$(lane: Lane, shared: Shared, notBefore = -Infinity, skipInterval = false): Observable<number> {
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

function readyAt(lane: Lane, shared: Shared, notBefore: number, skipInterval: boolean): number {
  const times = [notBefore, lane.holdUntil];
  if (lane.paced) {
    if (!skipInterval) times.push(lane.lastCallAt + shared.perChatIntervalMs);
    if (lane.group) times.push(windowFreeAt(lane.groupLog, shared.groupPerMinute, GROUP_WINDOW_MS));
    times.push(windowFreeAt(shared.globalLog, shared.globalPerSecond, GLOBAL_WINDOW_MS));
  }
  return Math.max(...times);
}

/** Sliding window: at most `limit` calls in any `windowMs`; log holds the latest call times. */
function windowFreeAt(log: number[], limit: number, windowMs: number): number {
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

/** Makes one call for job (its slot is already booked) and settles the reply. */
function run$(job: Job, lane: Lane, shared: Shared): Observable<Outcome> {
  return defer(() => {
    const call = toCall(job, lane);
    job.calls += 1;
    if (job.primary.op === 'typing') lane.lastTypingAt = shared.scheduler.now();
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

function toCall(job: Job, lane: Lane): ApiCall {
  const op = job.primary;
  switch (op.op) {
    case 'send':
      return sendCall(op.chat, job.content ?? contentOf(op), job.plain, op.replyTo);
    case 'edit': {
      const messageId = lane.messageIds.get(op.ref);
      if (messageId === undefined) job.asSend = true; // its send failed: a final answer must still arrive
      if (job.asSend) return sendCall(op.chat, contentOf(op), job.plain);
      const params = { chat_id: op.chat.chatId, message_id: messageId, ...contentParams(contentOf(op), job.plain) };
      return { method: 'editMessageText', params };
    }
    case 'delete':
      return { method: 'deleteMessage', params: { chat_id: op.chat.chatId, message_id: lane.messageIds.get(op.ref) } };
    case 'draft':
      return {
        method: 'sendMessageDraft',
        params: {
          ...chatParams(op.chat),
          draft_id: op.draftId,
          text: op.text,
          ...(op.entities?.length ? { entities: op.entities } : {}),
          ...(op.canStop !== undefined ? { can_stop: op.canStop } : {}),
        },
      };
    case 'typing':
      return { method: 'sendChatAction', params: { ...chatParams(op.chat), action: 'typing' } };
    case 'answerCallback':
      return {
        method: 'answerCallbackQuery',
        params: { callback_query_id: op.callbackQueryId, ...(op.text !== undefined ? { text: op.text } : {}) },
      };
  }
}

function sendCall(chat: ChatRef, content: Content, plain: boolean, replyTo?: number): ApiCall {
  const reply = replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {};
  return { method: 'sendMessage', params: { ...chatParams(chat), ...contentParams(content, plain), ...reply } };
}

function chatParams(chat: ChatRef): Record<string, unknown> {
  return chat.threadId === undefined ? { chat_id: chat.chatId } : { chat_id: chat.chatId, message_thread_id: chat.threadId };
}

function contentParams(content: Content, plain: boolean): Record<string, unknown> {
  return {
    text: content.text,
    ...(!plain && content.entities?.length ? { entities: content.entities } : {}),
    ...(content.replyMarkup !== undefined ? { reply_markup: content.replyMarkup } : {}),
  };
}

function settle$(job: Job, call: ApiCall, reply: Reply, lane: Lane, shared: Shared): Observable<Outcome> {
  if (reply.ok) return finish$(job, lane, succeeded(job, call, reply.result, lane));
  const { error } = reply;
  const now = shared.scheduler.now();
  const retriable = job.primary.op !== 'draft' && job.primary.op !== 'typing'; // fire and forget
  switch (verdict(job, call, error)) {
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
// an edit) skips the chat interval; it still waits for the group and global windows.
function again$(job: Job, lane: Lane, shared: Shared, notBefore = -Infinity, skipInterval = false): Observable<Outcome> {
  return slot$(lane, shared, notBefore, skipInterval).pipe(concatMap(() => run$(job, lane, shared)));
}

function backoff(baseMs: number, failures: number): number {
  return Math.min(BACKOFF_CAP_MS, baseMs * 2 ** (failures - 1));
}

function verdict(job: Job, call: ApiCall, error: ApiError): Verdict {
  const text = error.description.toLowerCase();
  const { method } = call;
  if (error.code === 429) return 'hold';
  if (error.code === 400) {
    if (method === 'editMessageText' && text.includes('message is not modified')) return 'done';
    if (method === 'deleteMessage' && text.includes('message to delete not found')) return 'done';
    const textCall = method === 'sendMessage' || method === 'editMessageText';
    if (textCall && text.includes('entit') && 'entities' in call.params) return 'plain';
    // The message is gone (or, for a final answer, cannot be edited): send the content anew.
    if (method === 'editMessageText' && (text.includes('message to edit not found') || job.important)) return 'asSend';
  }
  if (error.code === 0 || error.code >= 500) return 'retry';
  return 'fail';
}

function succeeded(job: Job, call: ApiCall, result: unknown, lane: Lane): Result {
  const ref = 'ref' in job.primary ? job.primary.ref : undefined;
  switch (call.method) {
    case 'sendMessage': {
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

function remember(lane: Lane, ref: string, messageId: number): void {
  lane.messageIds.delete(ref); // re-insert, so the map's order is least recently sent first
  lane.messageIds.set(ref, messageId);
  if (lane.messageIds.size > REMEMBERED_REFS) {
    const oldest = lane.messageIds.keys().next().value;
    if (oldest !== undefined) lane.messageIds.delete(oldest);
  }
}

function messageIdOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const id = (result as { message_id?: unknown }).message_id;
  return typeof id === 'number' ? id : undefined;
}

/** Frees the lane, then emits one Outcome per carried op, in arrival order. */
function finish$(job: Job, lane: Lane, result: Result): Observable<Outcome> {
  return defer(() => {
    if (lane.current === job) lane.current = null;
    return from(job.carried.map((op) => outcomeOf(op, job, result)));
  });
}

function outcomeOf(op: OutOp, job: Job, result: Result): Outcome {
  const base: Outcome = { op, ok: result.ok, attempts: 0 };
  if (result.messageId !== undefined) base.messageId = result.messageId;
  if (result.error !== undefined) base.error = result.error;
  if (op !== job.primary) return { ...base, coalesced: true };
  return { ...base, attempts: job.calls, ...(job.plain ? { plainFallback: true } : {}) };
}

/** Accepts ApiError and the shapes drivers commonly throw (Telegram's error_code, ntba's errorCode). */
export function toApiError(err: unknown): ApiError {
  if (typeof err !== 'object' || err === null) return { code: 0, description: String(err) };
  const e = err as Record<string, unknown>;
  const code = [e['code'], e['errorCode'], e['error_code']].find((c) => typeof c === 'number') as number | undefined;
  const description =
    typeof e['description'] === 'string' ? e['description'] : err instanceof Error ? err.message : JSON.stringify(err);
  const params = e['parameters'] as Record<string, unknown> | undefined;
  const retryAfter = [e['retryAfter'], params?.['retry_after']].find((r) => typeof r === 'number') as number | undefined;
  return { code: code ?? 0, description, ...(retryAfter !== undefined ? { retryAfter } : {}) };
}
