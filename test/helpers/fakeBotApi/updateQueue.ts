// getUpdates with Telegram's semantics: a queue confirmed by `offset`, `allowed_updates` applied
// to updates created after the call, one held long poll answered as soon as an update arrives,
// and a second poll terminating the first with 409 (tdlib/telegram-bot-api `abort_long_poll`).
import type { Update } from 'node-telegram-bot-api';
import { CONFLICT_POLL, errorBody } from './apiError.ts';
import { PENDING, type Exchange, type Handlers, type Recorder } from './exchange.ts';
import { optInt } from './params.ts';

const UPDATE_TYPE_NAMES = new Set([
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection', 'business_message',
  'edited_business_message', 'deleted_business_messages', 'guest_message', 'message_reaction', 'message_reaction_count',
  'inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query',
  'purchased_paid_media', 'poll', 'poll_answer', 'my_chat_member', 'chat_member', 'chat_join_request', 'chat_boost',
  'removed_chat_boost', 'managed_bot', 'subscription', 'stopped_message_generation',
]);
/** Not delivered unless listed explicitly in allowed_updates. */
const DEFAULT_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export const updateTypeOf = (u: object): string => Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';

interface PendingPoll {
  ex: Exchange;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
  wake?: NodeJS.Immediate;
}

export class UpdateQueue {
  /** Every injected update, delivered or not. */
  readonly updates: Update[] = [];
  readonly droppedUpdates: Update[] = [];
  private queue: Update[] = [];
  private allowed: Set<string> | null = null; // null → Telegram's default set
  private pendingPoll: PendingPoll | undefined;
  private nextId = 10_000;

  constructor(private readonly rec: Recorder) {}

  pending(): Update[] {
    return [...this.queue];
  }

  /** An update id for a new update; an explicit one moves the counter past it. */
  nextUpdateId(explicit?: number): number {
    const id = explicit ?? this.nextId;
    if (id >= this.nextId) this.nextId = id + 1;
    return id;
  }

  enqueue(u: Update): Update {
    this.updates.push(u);
    const type = updateTypeOf(u);
    const allowed = this.allowed ? this.allowed.has(type) : !DEFAULT_EXCLUDED.has(type);
    if (!allowed) {
      this.droppedUpdates.push(u);
    } else {
      this.queue.push(u);
      const p = this.pendingPoll;
      if (p && !p.wake) p.wake = setImmediate(() => this.answerPendingPoll());
    }
    this.rec.notify();
    return u;
  }

  handlers(): Handlers {
    return { getUpdates: (p, ex) => this.getUpdates(p, ex) };
  }

  /** Answers a held poll with what is queued (on close: usually nothing). */
  answerPendingPoll(): void {
    const p = this.takePoll();
    if (!p) return;
    const batch = this.queue.filter((u) => u.update_id >= p.offset).slice(0, p.limit);
    this.rec.finish(p.ex, 200, { ok: true, result: batch });
  }

  private takePoll(): PendingPoll | undefined {
    const p = this.pendingPoll;
    if (!p) return undefined;
    this.pendingPoll = undefined;
    clearTimeout(p.timer);
    if (p.wake) clearImmediate(p.wake);
    return p;
  }

  private getUpdates(p: Record<string, unknown>, ex: Exchange): unknown {
    const offset = optInt(p, 'offset') ?? 0;
    const limit = Math.min(100, Math.max(1, optInt(p, 'limit') ?? 100));
    const timeout = Math.max(0, optInt(p, 'timeout') ?? 0);
    const au = p.allowed_updates;
    if (Array.isArray(au)) {
      const known = au.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase()).filter((t) => UPDATE_TYPE_NAMES.has(t));
      this.allowed = known.length > 0 ? new Set(known) : null;
    }
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
    const batch = this.queue.slice(0, limit);
    if (batch.length > 0 || timeout === 0) return batch;

    const earlier = this.takePoll();
    if (earlier) this.rec.finish(earlier.ex, 409, errorBody(409, CONFLICT_POLL));
    const poll: PendingPoll = {
      ex,
      offset: Math.max(0, offset),
      limit,
      timer: setTimeout(() => {
        if (this.pendingPoll === poll) this.answerPendingPoll();
      }, timeout * 1000),
    };
    this.pendingPoll = poll;
    ex.res.on('close', () => {
      if (this.pendingPoll === poll && !ex.done) {
        this.takePoll();
        this.rec.abandon(ex, 'client closed the long poll');
      }
    });
    return PENDING;
  }
}
