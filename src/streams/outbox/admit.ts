// Admission into a chat's queue: pure on the Lane. Queued edits and drafts coalesce; a typing
// is dropped rather than wait (or within 4 s of a typing or a draft); a queued draft is dropped
// when a message for its chat comes, a queued live edit when its message is to be deleted.
import type { OutOp, Outcome } from '../../domain/telegram.ts';
import { contentOf } from './calls.ts';
import { newJob } from './lane.ts';
import type { Job, Lane } from './lane.ts';

export type ChatOp = Exclude<OutOp, { op: 'answerCallback' } | { op: 'commands' }>;

const TYPING_EVERY_MS = 4000;

/** Queues op (or folds it into a queued job); returns the Outcomes of the ops it drops (typings,
 *  drafts a message makes moot, ops a cancel takes out). */
export function admit(lane: Lane, op: ChatOp, now: number): Outcome[] {
  if (op.op === 'cancel') {
    // Queued ops whose ref matches are dropped (a job in flight finishes); the cancel answers itself.
    const hit = (job: Job) => 'ref' in job.primary && job.primary.ref.includes(op.refIncludes) && sameChat(job.primary.chat, op.chat);
    const dropped = lane.queue.filter(hit);
    lane.queue = lane.queue.filter((job) => !hit(job));
    return [...dropped.flatMap((job) => job.carried.map(droppedOutcome)), droppedOutcome(op)];
  }
  if (op.op === 'typing') {
    const waiting = lane.current !== null || lane.queue.length > 0;
    // A draft shown in the last 4 s says as much as a typing would.
    if (waiting || now - Math.max(lane.lastTypingAt, lane.lastDraftAt) < TYPING_EVERY_MS) return [droppedOutcome(op)];
    lane.queue.push(newJob(op));
    return [];
  }
  // A message ends the chat's draft (Telegram removes it): a draft still queued is moot, and
  // sent after the message it would show a stale preview.
  const moot = (job: Job) => job.primary.op === 'typing' || ((op.op === 'send' || op.op === 'document') && job.primary.op === 'draft' && sameChat(job.primary.chat, op.chat));
  const typings = lane.queue.filter(moot);
  lane.queue = lane.queue.filter((job) => !moot(job));
  // A live edit still queued when its message is to be deleted is moot: it goes with the delete.
  const doomed = op.op === 'delete' ? lane.queue.filter((job) => job.primary.op === 'edit' && job.primary.ref === op.ref && job.primary.live === true && !job.important) : [];
  if (doomed.length) lane.queue = lane.queue.filter((job) => !doomed.includes(job));
  const target = coalesceTarget(lane.queue, op);
  if (target) absorb(target, op);
  else lane.queue.push(newJob(op));
  return [...typings, ...doomed].flatMap((job) => job.carried.map(droppedOutcome));
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

function sameChat(a: { chatId: number; threadId?: number }, b: { chatId: number; threadId?: number }): boolean {
  return a.chatId === b.chatId && a.threadId === b.threadId;
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
