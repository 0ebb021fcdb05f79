// Shared by the outbox tests: op builders, scripted Telegram replies, and a recording fake exec
// that notes (virtual time, call). simulate() runs the outbox to the end in virtual time.
import { expect } from 'chai';
import { from, map, mergeMap, of, throwError, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Entity } from '../../../src/domain/render/entities.ts';
import type { ApiCall, ApiError, ChatRef, Exec, OutOp, Outcome } from '../../../src/domain/telegram.ts';
import { outbox } from '../../../src/streams/outbox/outbox.ts';
import type { OutboxOptions } from '../../../src/streams/outbox/outbox.ts';
import { testScheduler } from '../../helpers/marbles.ts';

export type Recorded = { t: number; method: string; params: Record<string, unknown> };
/** Answers call number n (counted over all calls). */
export type Script = (call: ApiCall, n: number) => Observable<unknown>;

export const ok: Script = (call, n) => of(call.method === 'sendMessage' ? { message_id: 100 + n } : true);
export const fail = (error: ApiError) => throwError(() => error);
export const e429 = (retryAfter: number): ApiError => ({ code: 429, description: `Too Many Requests: retry after ${retryAfter}`, retryAfter });
export const e502: ApiError = { code: 502, description: 'Bad Gateway' };
export const e400 = (description: string): ApiError => ({ code: 400, description: `Bad Request: ${description}` });

export const chat = (chatId: number, threadId?: number): ChatRef => (threadId === undefined ? { chatId } : { chatId, threadId });
export const send = (ref: string, text: string, chatId = 1, extra: Partial<Extract<OutOp, { op: 'send' }>> = {}): OutOp => ({
  op: 'send', ref, chat: chat(chatId), text, ...extra,
});
export const edit = (ref: string, text: string, chatId = 1, extra: Partial<Extract<OutOp, { op: 'edit' }>> = {}): OutOp => ({
  op: 'edit', ref, chat: chat(chatId), text, ...extra,
});
export const del = (ref: string, chatId = 1): OutOp => ({ op: 'delete', ref, chat: chat(chatId) });
export const draft = (draftId: number, text: string, chatId = 1): OutOp => ({ op: 'draft', chat: chat(chatId), draftId, text });
export const typing = (chatId = 1): OutOp => ({ op: 'typing', chat: chat(chatId) });
export const bold: Entity[] = [{ type: 'bold', offset: 0, length: 2 }];

/** ops at virtual times; completes after the last one. */
const timeline = (entries: Array<[number, OutOp]>): Observable<OutOp> =>
  from(entries).pipe(mergeMap(([t, op]) => timer(t).pipe(map(() => op))));

export interface Run {
  calls: Recorded[];
  outcomes: Array<{ t: number; outcome: Outcome }>;
  completedAt?: number;
}

/** One call per interval, no burst: the tests of coalescing, errors and lifecycle need ops to
 *  queue; pacing.test.ts covers the default burst (pass { burst: 3 } or DEFAULT_PACING). */
export const QUEUEING: OutboxOptions = { burst: 1 };
export const DEFAULT_PACING: OutboxOptions = { burst: undefined };

/** Runs the outbox to the end in virtual time and returns what exec saw and what came out. */
export function simulate(ops: Array<[number, OutOp]>, script: Script = ok, options: OutboxOptions = QUEUEING): Run {
  const ts = testScheduler();
  const run: Run = { calls: [], outcomes: [] };
  ts.run(() => {
    const exec = recordingExec(ts, run.calls, script);
    outbox(timeline(ops), exec, { scheduler: ts, ...options }).subscribe({
      next: (outcome) => run.outcomes.push({ t: ts.now(), outcome }),
      complete: () => (run.completedAt = ts.now()),
    });
  });
  return run;
}

export function recordingExec(ts: TestScheduler, calls: Recorded[], script: Script): Exec {
  return (call) => {
    const n = calls.length;
    calls.push({ t: ts.now(), ...call });
    return script(call, n);
  };
}

export const timesOf = (calls: Recorded[], pred: (c: Recorded) => boolean = () => true) => calls.filter(pred).map((c) => c.t);
export const toChat = (chatId: number) => (c: Recorded) => c.params['chat_id'] === chatId;
export const outcomeOf = (run: Run, op: OutOp) => {
  const found = run.outcomes.filter((o) => o.outcome.op === op);
  expect(found, 'exactly one Outcome per op').to.have.length(1);
  return found[0]!;
};
/** Names an Outcome in marbles: its ref, or its op kind. */
export const refs = (o: Outcome) => ('ref' in o.op ? o.op.ref : o.op.op);
