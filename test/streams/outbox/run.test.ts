// One job to its Outcomes: what the outbox does with each kind of Telegram error, and with an
// exec that misbehaves (completes empty, emits twice, throws, never answers).
import { expect } from 'chai';
import { EMPTY, map, of, throwError } from 'rxjs';
import type { ApiError, OutOp } from '../../../src/domain/telegram.ts';
import { outbox } from '../../../src/streams/outbox/outbox.ts';
import { testScheduler } from '../../helpers/marbles.ts';
import { QUEUEING, bold, del, draft, e400, e429, e502, edit, fail, ok, outcomeOf, refs, send, simulate, timesOf, toChat, typing } from './simulate.ts';

describe('outbox', () => {
  describe('errors', () => {
    it('holds only the rate-limited chat for retry_after, then retries the same op', () => {
      const x = send('x', 'x', 1);
      const run = simulate(
        [[0, x], [0, send('y', 'y', 1)], [0, send('b1', 'b', 2)], [0, send('b2', 'b', 2)], [0, send('b3', 'b', 2)]],
        (call, n) => (n === 0 ? fail(e429(5)) : ok(call, n)),
      );
      expect(timesOf(run.calls, toChat(1))).to.deep.equal([0, 5000, 6000]);
      expect(timesOf(run.calls, toChat(2))).to.deep.equal([0, 1000, 2000]);
      expect(outcomeOf(run, x)).to.deep.equal({ t: 5000, outcome: { op: x, ok: true, messageId: 104, attempts: 2 } });
    });

    it('does not count 429s toward maxAttempts', () => {
      const x = send('x', 'x');
      const run = simulate([[0, x]], (call, n) => (n < 3 ? fail(e429(1)) : ok(call, n)), { ...QUEUEING, maxAttempts: 1 });
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000, 3000]);
      expect(outcomeOf(run, x).outcome).to.include({ ok: true, attempts: 4 });
    });

    it('treats "message is not modified" as success', () => {
      const e = edit('r', 'same');
      const run = simulate([[0, send('r', 'same')], [0, e]], (call, n) =>
        call.method === 'editMessageText'
          ? fail(e400('message is not modified: specified new message content and reply markup are exactly the same'))
          : ok(call, n),
      );
      expect(run.calls).to.have.length(2);
      expect(outcomeOf(run, e).outcome).to.deep.equal({ op: e, ok: true, messageId: 100, attempts: 1 });
    });

    it('retries a send once, at once, as plain text when entities are rejected', () => {
      const s = send('r', 'hi', 1, { entities: bold });
      const run = simulate([[0, s]], (call, n) =>
        'entities' in call.params ? fail(e400("can't parse entities: Unsupported start tag at byte offset 0")) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.params])).to.deep.equal([
        [0, { chat_id: 1, text: 'hi', entities: bold }],
        [0, { chat_id: 1, text: 'hi' }],
      ]);
      expect(outcomeOf(run, s).outcome).to.deep.equal({ op: s, ok: true, messageId: 101, attempts: 2, plainFallback: true });
    });

    it('retries an edit as plain text too, and gives up if plain text fails the same way', () => {
      const e = edit('r', 'v1', 1, { entities: bold });
      const run = simulate([[0, send('r', 'v0')], [0, e]], (call, n) =>
        call.method === 'editMessageText' ? fail(e400('entities are wrong')) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.method, 'entities' in c.params])).to.deep.equal([
        [0, 'sendMessage', false],
        [1000, 'editMessageText', true],
        [1000, 'editMessageText', false],
      ]);
      expect(outcomeOf(run, e).outcome).to.include({ ok: false, attempts: 2, plainFallback: true });
    });

    it('fails other 400s without retrying and moves on', () => {
      const s = send('r', 'x'.repeat(5000));
      const run = simulate([[0, s], [0, send('n', 'next')]], (call, n) => (n === 0 ? fail(e400('message is too long')) : ok(call, n)));
      expect(timesOf(run.calls)).to.deep.equal([0, 1000]);
      expect(outcomeOf(run, s).outcome).to.deep.equal({ op: s, ok: false, error: e400('message is too long'), attempts: 1 });
    });

    it('falls back to a send when the message to edit is gone, and edits the new one afterwards', () => {
      const e1 = edit('r', 'v1');
      const run = simulate([[0, send('r', 'v0')], [0, e1], [2000, edit('r', 'v2')]], (call, n) =>
        n === 1 ? fail(e400('message to edit not found')) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.method, c.params['message_id'], c.params['text']])).to.deep.equal([
        [0, 'sendMessage', undefined, 'v0'],
        [1000, 'editMessageText', 100, 'v1'],
        [1000, 'sendMessage', undefined, 'v1'],
        [2000, 'editMessageText', 102, 'v2'],
      ]);
      expect(outcomeOf(run, e1).outcome).to.deep.equal({ op: e1, ok: true, messageId: 102, attempts: 2 });
    });

    it('sends an important edit anew when the message cannot be edited', () => {
      const e = edit('r', 'final', 1, { important: true });
      const run = simulate([[0, send('r', 'v0')], [0, e]], (call, n) =>
        call.method === 'editMessageText' ? fail(e400("message can't be edited")) : ok(call, n),
      );
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage', 'editMessageText', 'sendMessage']);
      expect(outcomeOf(run, e).outcome).to.include({ ok: true, messageId: 102 });
    });

    it('backs off exponentially on 5xx and network errors, then gives up on a normal op', () => {
      const s = send('r', 'x');
      const errors: ApiError[] = [e502, { code: 0, description: 'ETIMEOUT' }, e502, { code: 500, description: 'Internal' }];
      const run = simulate([[0, s], [0, send('n', 'next')]], (call, n) => (n < 4 ? fail(errors[n]!) : ok(call, n)), {
        ...QUEUEING,
        perChatIntervalMs: 100,
        maxAttempts: 4,
      });
      expect(timesOf(run.calls)).to.deep.equal([0, 500, 1500, 3500, 3600]);
      expect(outcomeOf(run, s)).to.deep.equal({ t: 3500, outcome: { op: s, ok: false, error: errors[3], attempts: 4 } });
    });

    it('retries an important op until it succeeds, backoff capped at 30 s', () => {
      const s = send('r', 'final', 1, { important: true });
      const run = simulate([[0, s]], (call, n) => (n < 9 ? fail(e502) : ok(call, n)), { ...QUEUEING, maxAttempts: 3 });
      // Gaps: max(interval 1000, backoff 500·2^k capped 30000).
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000, 4000, 8000, 16_000, 32_000, 62_000, 92_000, 122_000]);
      expect(outcomeOf(run, s)).to.deep.equal({ t: 122_000, outcome: { op: s, ok: true, messageId: 109, attempts: 10 } });
    });

    it('sends an edit as a send when its send ultimately failed', () => {
      const e = edit('r', 'final', 1, { important: true });
      const run = simulate([[0, send('r', 'partial')], [10, e]], (call, n) => (n < 2 ? fail(e502) : ok(call, n)), {
        ...QUEUEING,
        maxAttempts: 2,
      });
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'partial'],
        [1000, 'sendMessage', 'partial'],
        [2000, 'sendMessage', 'final'],
      ]);
      expect(outcomeOf(run, e).outcome).to.deep.equal({ op: e, ok: true, messageId: 102, attempts: 1 });
    });

    it('deletes nothing when the send failed (no call, ok)', () => {
      const d = del('r');
      const run = simulate([[0, send('r', 'x')], [0, d]], (call, n) => (call.method === 'sendMessage' ? fail(e400('chat not found')) : ok(call, n)));
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage']);
      expect(outcomeOf(run, d).outcome).to.deep.equal({ op: d, ok: true, attempts: 0 });
    });

    it('never retries drafts or typing, but a 429 on them still holds the chat', () => {
      const d = draft(1, 'a');
      const t = typing();
      const s = send('s', 'after');
      const run = simulate([[0, d], [5000, t], [5100, s]], (call, n) =>
        n === 0 ? fail(e502) : n === 1 ? fail(e429(3)) : ok(call, n),
      );
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([
        [0, 'sendMessageDraft'],
        [5000, 'sendChatAction'],
        [8000, 'sendMessage'],
      ]);
      expect(outcomeOf(run, d).outcome).to.deep.equal({ op: d, ok: false, error: e502, attempts: 1 });
      expect(outcomeOf(run, t).outcome).to.deep.equal({ op: t, ok: false, error: e429(3), attempts: 1 });
    });

    it('accepts driver errors in Telegram and ntba shapes', () => {
      const s = send('r', 'x');
      const ntba = Object.assign(new Error('ETELEGRAM'), { code: 'ETELEGRAM', errorCode: 429, description: 'Too Many Requests', parameters: { retry_after: 2 } });
      const run = simulate([[0, s]], (call, n) => (n === 0 ? throwError(() => ntba) : ok(call, n)));
      expect(timesOf(run.calls)).to.deep.equal([0, 2000]);
    });
  });

  describe('an exec that misbehaves', () => {
    it('counts an exec that completes without a result as a network error', () => {
      const s = send('r', 'x');
      const run = simulate([[0, s]], (call, n) => (n === 0 ? EMPTY : ok(call, n)), { ...QUEUEING, maxAttempts: 1 });
      expect(timesOf(run.calls)).to.deep.equal([0]);
      expect(outcomeOf(run, s).outcome).to.deep.equal({
        op: s, ok: false, attempts: 1,
        error: { code: 0, description: 'exec(sendMessage) completed without a result; a driver must emit once' },
      });
    });

    it('takes the first result and unsubscribes from the rest', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const reply = cold('a 100ms b|', { a: { message_id: 1 }, b: { message_id: 2 } });
        const out$ = outbox(of(send('r', 'x')), () => reply, { scheduler: ts, ...QUEUEING }).pipe(map((o) => o.messageId));
        expectObservable(out$).toBe('(a|)', { a: 1 });
        expectSubscriptions(reply.subscriptions).toBe('(^!)');
      });
    });

    it('retries when exec throws instead of returning an Observable', () => {
      const s = send('r', 'x');
      const run = simulate([[0, s]], (call, n) => {
        if (n === 0) throw new Error('socket hang up');
        return ok(call, n);
      });
      expect(timesOf(run.calls)).to.deep.equal([0, 1000]);
      expect(outcomeOf(run, s).outcome).to.include({ ok: true, attempts: 2 });
    });

    it('waits on an exec that never answers, and ends that call on unsubscribe', () => {
      const ts = testScheduler();
      ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const ops = hot('a 10ms b', { a: send('a', '1'), b: send('b', '2') });
        const silent = cold('-');
        const out$ = outbox(ops, () => silent, { scheduler: ts, ...QUEUEING }).pipe(map(refs));
        expectObservable(out$, '^ 5000ms !').toBe('');
        expectSubscriptions(silent.subscriptions).toBe('^ 5000ms !');
      });
    });

    it('holds a callback answer for its own 429, beside the chats', () => {
      const cb: OutOp = { op: 'answerCallback', callbackQueryId: 'q' };
      const run = simulate([[0, cb], [0, send('a', '1')]], (call, n) => (call.method === 'answerCallbackQuery' && n === 0 ? fail(e429(2)) : ok(call, n)));
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([[0, 'answerCallbackQuery'], [0, 'sendMessage'], [2000, 'answerCallbackQuery']]);
      expect(outcomeOf(run, cb)).to.deep.equal({ t: 2000, outcome: { op: cb, ok: true, attempts: 2 } });
    });
  });
});
