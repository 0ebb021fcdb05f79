// The outbox as a stage: completion, errors, teardown (the RxJS checklist), one Outcome per op
// whatever Telegram answers, and ops carried through untouched.
import { expect } from 'chai';
import fc from 'fast-check';
import { EMPTY, NEVER, defer, map, mergeMap, of, timer } from 'rxjs';
import type { ApiError, Exec, OutOp } from '../../../src/domain/telegram.ts';
import { outbox } from '../../../src/streams/outbox/outbox.ts';
import { testScheduler } from '../../helpers/marbles.ts';
import type { Recorded } from './simulate.ts';
import { DEFAULT_PACING, QUEUEING } from './simulate.ts';
import { bold, chat, e400, e429, e502, edit, fail, ok, outcomeOf, recordingExec, refs, send, simulate, timesOf } from './simulate.ts';

describe('outbox', () => {
  describe('lifecycle', () => {
    it('completes after the input completes and the queue drains', () => {
      const sched = testScheduler();
      sched.run(({ cold, expectObservable, expectSubscriptions }) => {
        const ops = cold('(abc|)', { a: send('a', '1'), b: send('b', '2'), c: send('c', '3') });
        const calls: Recorded[] = [];
        const out$ = outbox(ops, recordingExec(sched, calls, ok), { scheduler: sched, ...QUEUEING }).pipe(map(refs));
        expectObservable(out$).toBe('a 999ms b 999ms (c|)');
        expectSubscriptions(ops.subscriptions).toBe('(^!)');
      });
    });

    it('waits for retries before completing', () => {
      const run = simulate([[0, send('r', 'x', 1, { important: true })]], (call, n) => (n < 2 ? fail(e502) : ok(call, n)));
      expect(run.completedAt).to.equal(2000);
    });

    it('completes at once on empty input and never on never', () => {
      const sched = testScheduler();
      sched.run(({ expectObservable }) => {
        expectObservable(outbox(EMPTY, recordingExec(sched, [], ok), { scheduler: sched, ...QUEUEING })).toBe('|');
        expectObservable(outbox(NEVER, recordingExec(sched, [], ok), { scheduler: sched, ...QUEUEING })).toBe('-');
      });
    });

    it('refuses nonsense options when subscribed', () => {
      let error: unknown;
      outbox(EMPTY, () => of(true), { groupPerMinute: 0 }).subscribe({ error: (e: unknown) => (error = e) });
      expect(error).to.be.instanceOf(RangeError).with.property('message').that.match(/groupPerMinute must be an integer >= 1, got 0/);
    });

    it('passes an input error through', () => {
      const sched = testScheduler();
      sched.run(({ cold, expectObservable }) => {
        const ops = cold('a#', { a: send('a', '1') }, new Error('boom'));
        const out$ = outbox(ops, recordingExec(sched, [], ok), { scheduler: sched, ...QUEUEING }).pipe(map(refs));
        expectObservable(out$).toBe('a#', undefined, new Error('boom'));
      });
    });

    it('cancels pending timers and calls in flight on unsubscribe', () => {
      const sched = testScheduler();
      const calls: Recorded[] = [];
      sched.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const ops = hot('(abc)', { a: send('a', '1'), b: send('b', '2'), c: send('c', '3') });
        const slow = cold('700ms (r|)', { r: { message_id: 1 } });
        const exec: Exec = (call) => (calls.push({ t: sched.now(), ...call }), calls.length === 2 ? slow : of({ message_id: 1 }));
        const out$ = outbox(ops, exec, { scheduler: sched, ...QUEUEING }).pipe(map(refs));
        expectObservable(out$, '^ 1500ms !').toBe('a');
        expectSubscriptions(ops.subscriptions).toBe('^ 1500ms !');
        expectSubscriptions(slow.subscriptions).toBe('1000ms ^ 500ms !');
      });
      // c would have gone out at 2000: its timer died with the subscription.
      expect(timesOf(calls)).to.deep.equal([0, 1000]);
    });

    it('gives every op exactly one Outcome and completes, whatever Telegram answers', () => {
      const opArb = fc.oneof(
        fc.record({ k: fc.constant('send' as const), ref: fc.constantFrom('a', 'b', 'c'), important: fc.boolean() }),
        fc.record({ k: fc.constant('edit' as const), ref: fc.constantFrom('a', 'b', 'c'), important: fc.boolean() }),
        fc.record({ k: fc.constant('delete' as const), ref: fc.constantFrom('a', 'b', 'c') }),
        fc.record({ k: fc.constantFrom('draft' as const, 'typing' as const, 'cb' as const) }),
      );
      const errorArb = fc.constantFrom<ApiError | null>(
        null, null, null, e429(2), e502, { code: 0, description: 'timeout' },
        e400('message is not modified'), e400("can't parse entities"), e400('message to edit not found'), e400('chat not found'),
      );
      const entryArb = fc.record({ t: fc.integer({ min: 0, max: 5000 }), chatId: fc.constantFrom(1, 2, -3), op: opArb });
      fc.assert(
        fc.property(fc.array(entryArb, { maxLength: 25 }), fc.array(errorArb, { maxLength: 60 }), fc.array(fc.nat(1500), { maxLength: 60 }), (entries, errors, latencies) => {
          const ops = entries
            .sort((x, y) => x.t - y.t)
            .map(({ t, chatId, op }): [number, OutOp] => {
              const c = chat(chatId);
              switch (op.k) {
                case 'send': return [t, { op: 'send', ref: `${chatId}${op.ref}`, chat: c, text: 't', entities: bold, important: op.important }];
                case 'edit': return [t, { op: 'edit', ref: `${chatId}${op.ref}`, chat: c, text: 'u', entities: bold, important: op.important }];
                case 'delete': return [t, { op: 'delete', ref: `${chatId}${op.ref}`, chat: c }];
                case 'draft': return [t, { op: 'draft', chat: c, draftId: 1, text: 'd' }];
                case 'typing': return [t, { op: 'typing', chat: c }];
                case 'cb': return [t, { op: 'answerCallback', callbackQueryId: 'q' }];
              }
            });
          // Both pacings: one call per interval, and the default burst (where sends pass deferred edits).
          for (const pacing of [QUEUEING, DEFAULT_PACING]) {
          const run = simulate(ops, (call, n) => {
            const error = errors[n] ?? null;
            const reply$ = error === null ? ok(call, n) : defer(() => fail(error));
            return timer(latencies[n] ?? 0).pipe(mergeMap(() => reply$));
          }, pacing);
          expect(run.completedAt, 'completes').to.be.a('number');
          expect(run.outcomes.map((o) => o.outcome.op)).to.have.members(ops.map(([, op]) => op));
          expect(run.outcomes).to.have.length(ops.length);
          // Important ops are never given up on transient errors: they fail only on a rejecting 4xx.
          for (const { outcome } of run.outcomes) {
            const important = 'important' in outcome.op && outcome.op.important === true;
            if (important && !outcome.ok) expect(outcome.error?.code).to.be.within(400, 428);
          }
          }
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('the RxJS checklist, further', () => {
    it('stays open while the input is open, though nothing is queued', () => {
      const sched = testScheduler();
      sched.run(({ cold, expectObservable }) => {
        const ops = cold('a', { a: send('a', '1') });
        expectObservable(outbox(ops, recordingExec(sched, [], ok), { scheduler: sched, ...QUEUEING }).pipe(map(refs))).toBe('a');
      });
    });

    it('on an input error, ends the call in flight and the queued work', () => {
      const sched = testScheduler();
      const calls: Recorded[] = [];
      sched.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        // (ab) takes frames 0-3, so the error comes at 500.
        const ops = hot('(ab) 496ms #', { a: send('a', '1'), b: send('b', '2') }, new Error('boom'));
        const slow = cold('700ms (r|)', { r: { message_id: 1 } });
        const out$ = outbox(ops, recordingExec(sched, calls, () => slow), { scheduler: sched, ...QUEUEING }).pipe(map(refs));
        expectObservable(out$).toBe('500ms #', undefined, new Error('boom'));
        expectSubscriptions(slow.subscriptions).toBe('^ 499ms !');
      });
      expect(timesOf(calls)).to.deep.equal([0]); // b, due at 1000, never went out
    });

    it('cancels a 429 hold on unsubscribe: the retry never goes out', () => {
      const sched = testScheduler();
      const calls: Recorded[] = [];
      sched.run(({ hot, expectObservable }) => {
        const ops = hot('a', { a: send('a', '1') });
        const out$ = outbox(ops, recordingExec(sched, calls, () => fail(e429(5))), { scheduler: sched, ...QUEUEING });
        expectObservable(out$, '^ 3000ms !').toBe('');
      });
      expect(timesOf(calls)).to.deep.equal([0]);
    });
  });

  describe('ops carried through', () => {
    it("keeps a send's answers on the op in its Outcome, also when an edit merged into it", () => {
      const first = send('a', 'busy');
      const s = send('r', 'partial', 1, { answers: 'turn-3', important: true });
      const e = edit('r', 'final', 1, { important: true });
      const run = simulate([[0, first], [0, s], [10, e]]);
      expect(run.calls.map((c) => c.params)).to.deep.equal([
        { chat_id: 1, text: 'busy' },
        { chat_id: 1, text: 'final' },
      ]);
      const out = outcomeOf(run, s).outcome;
      expect(out.op).to.equal(s);
      expect(out).to.deep.equal({ op: { op: 'send', ref: 'r', chat: chat(1), text: 'partial', answers: 'turn-3', important: true }, ok: true, messageId: 101, attempts: 1 });
      expect(outcomeOf(run, e).outcome).to.include({ op: e, coalesced: true, messageId: 101 });
    });
  });
});
