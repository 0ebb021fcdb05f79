// The outbox's mutable state, plain data: one Lane per chat (its queue, pacing clocks and the
// message_ids of its refs), one Job per queued op, and what all lanes share.
import type { SchedulerLike } from 'rxjs';
import type { Exec, OutOp } from '../../domain/telegram.ts';
import type { Content } from './calls.ts';

/** Per chat; the oldest is forgotten first, and an edit of a forgotten ref goes out as a send. */
const REMEMBERED_REFS = 10_000;

export interface Shared {
  scheduler: SchedulerLike;
  exec: Exec;
  /** Refill interval of a chat's token buckets (one message per interval after the burst). */
  perChatIntervalMs: number;
  /** Messages (and, apart, drafts) a chat may send at once. */
  burst: number;
  groupPerMinute: number;
  globalPerSecond: number;
  maxAttempts: number;
  backoffMs: number;
  /** Times of the latest paced calls across all chats (at most globalPerSecond kept). */
  globalLog: number[];
}

export interface Lane {
  /** answerCallback runs on its own unpaced lane: no interval, no windows, only its 429 hold. */
  paced: boolean;
  group: boolean;
  queue: Job[];
  current: Job | null;
  /** Token buckets (bucket.ts): messages, and drafts apart (Telegram counts no drafts as messages). */
  messageTat: number;
  draftTat: number;
  /** draft_id of the latest draft sent: a draft with another id is the first of a turn. */
  lastDraftId?: number;
  /** Times of the latest message calls (at most burst kept): the arrival margin. */
  chatLog: number[];
  lastTypingAt: number;
  /** A draft shows the chat that the bot is at work, as a typing does. */
  lastDraftAt: number;
  holdUntil: number;
  groupLog: number[];
  messageIds: Map<string, number>;
}

export interface Job {
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

export function newLane(paced: boolean, group: boolean): Lane {
  return {
    paced,
    group,
    queue: [],
    current: null,
    messageTat: -Infinity,
    draftTat: -Infinity,
    chatLog: [],
    lastTypingAt: -Infinity,
    lastDraftAt: -Infinity,
    holdUntil: -Infinity,
    groupLog: [],
    messageIds: new Map(),
  };
}

export function newJob(op: OutOp): Job {
  const important = 'important' in op && op.important === true;
  return { primary: op, carried: [op], important, calls: 0, failures: 0, plain: false, asSend: false };
}

export function remember(lane: Lane, ref: string, messageId: number): void {
  lane.messageIds.delete(ref); // re-insert, so the map's order is least recently sent first
  lane.messageIds.set(ref, messageId);
  if (lane.messageIds.size > REMEMBERED_REFS) {
    const oldest = lane.messageIds.keys().next().value;
    if (oldest !== undefined) lane.messageIds.delete(oldest);
  }
}
