// Pacing: per chat interval, group and global windows, holds. Through the outbox, and slot$ and
// its pure parts directly.
import { expect } from 'chai';
import { asyncScheduler, of } from 'rxjs';
import type { OutOp } from '../../../src/domain/telegram.ts';
import { bucketReadyAt, bucketTake, bucketTokens } from '../../../src/streams/outbox/bucket.ts';
import { newJob, newLane } from '../../../src/streams/outbox/lane.ts';
import type { Shared } from '../../../src/streams/outbox/lane.ts';
import { readyAt, slot$, windowFreeAt } from '../../../src/streams/outbox/pacing.ts';
import { pickNow } from '../../../src/streams/outbox/pick.ts';
import { testScheduler } from '../../helpers/marbles.ts';
import { DEFAULT_PACING, QUEUEING, chat, del, draft, e429, e502, edit, fail, ok, outcomeOf, send, simulate, timesOf, toChat, typing } from './simulate.ts';

// The live view's updates and clean-up (renderTurn marks them live): deferrable.
const liveEdit = (ref: string, text: string, chatId = 1): OutOp => edit(ref, text, chatId, { live: true });
const liveDel = (ref: string, chatId = 1): OutOp => ({ ...(del(ref, chatId) as Extract<OutOp, { op: 'delete' }>), live: true });

describe('outbox', () => {
  describe('pacing', () => {
    it('spaces calls to one chat by perChatIntervalMs (burst 1)', () => {
      const run = simulate([[0, send('a', '1')], [0, send('b', '2')], [0, send('c', '3')]]);
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000]);
      expect(run.calls.map((c) => c.params['text'])).to.deep.equal(['1', '2', '3']);
    });

    it('by default lets a burst of 3 go at once, then one a second (the 4th after the arrival margin)', () => {
      const ops: Array<[number, OutOp]> = [1, 2, 3, 4, 5, 6].map((i) => [0, send(`m${i}`, `${i}`)]);
      const run = simulate(ops, ok, DEFAULT_PACING);
      expect(timesOf(run.calls)).to.deep.equal([0, 0, 0, 1100, 2000, 3000]);
    });

    it('sends the first text of a follow-up turn at once: a refilled bucket after a quiet second', () => {
      // A turn: preview send, two live edits a second apart, the final send; the next turn's preview 100 ms later.
      const ops: Array<[number, OutOp]> = [
        [0, send('p1', 'a')], [1000, liveEdit('p1', 'ab')], [2000, liveEdit('p1', 'abc')], [2400, liveDel('p1')], [2400, send('f1', 'final', 1, { important: true })],
        [2500, send('p2', 'x')],
      ];
      const run = simulate(ops, ok, DEFAULT_PACING);
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'a'],
        [1000, 'editMessageText', 'ab'],
        [2000, 'editMessageText', 'abc'],
        [2400, 'sendMessage', 'final'], // passes the deferred delete of the preview
        [2500, 'sendMessage', 'x'], // the next turn's first text, at once
        [5000, 'deleteMessage', undefined], // the delete waited for a full bucket
      ]);
    });

    it('lets live edits wait for a full bucket while sends use it up: the edits coalesce under pressure', () => {
      const ops: Array<[number, OutOp]> = [[0, send('live', 'v0')]];
      for (let i = 1; i <= 20; i++) ops.push([i * 100, liveEdit('live', `v${i}`)]);
      for (let i = 0; i < 4; i++) ops.push([500, send(`chunk${i}`, `c${i}`, 1, { important: true })]);
      const run = simulate(ops, ok, DEFAULT_PACING);
      expect(run.calls.map((c) => [c.t, c.params['text']])).to.deep.equal([
        [0, 'v0'], [500, 'c0'], [500, 'c1'], [1100, 'c2'], [2000, 'c3'], [5000, 'v20'],
      ]);
      expect(run.outcomes).to.have.length(25);
    });

    it('keeps drafts in a bucket of their own: a burst of drafts does not delay a message', () => {
      const ops: Array<[number, OutOp]> = [[0, draft(1, 'a')], [0, draft(2, 'b')], [0, draft(3, 'c')], [0, send('m', 'x')], [0, send('n', 'y')]];
      const run = simulate(ops, ok, DEFAULT_PACING);
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([
        [0, 'sendMessageDraft'], [0, 'sendMessageDraft'], [0, 'sendMessageDraft'], [0, 'sendMessage'], [0, 'sendMessage'],
      ]);
    });

    it('holds the chat for a 429 in the middle of a burst, then goes on with the rest in order', () => {
      const ops: Array<[number, OutOp]> = [1, 2, 3, 4, 5].map((i) => [0, send(`m${i}`, `${i}`, 1, { important: true })]);
      const run = simulate(ops, (call, n) => (n === 1 ? fail(e429(30)) : ok(call, n)), DEFAULT_PACING);
      expect(run.calls.map((c) => [c.t, c.params['text']])).to.deep.equal([[0, '1'], [0, '2'], [30_000, '2'], [30_000, '3'], [30_000, '4'], [31_100, '5']]);
      expect(run.outcomes.map((o) => o.outcome.ok)).to.deep.equal([true, true, true, true, true]);
    });

    it('gives 10 chats streaming at once their first text at once and stays within 3 calls a second per chat', () => {
      const ops: Array<[number, OutOp]> = [];
      for (let c = 1; c <= 10; c++) {
        ops.push([0, send(`p${c}`, 'a', c)]);
        for (let t = 100; t <= 3000; t += 100) ops.push([t, liveEdit(`p${c}`, `a${t}`, c)]);
        ops.push([3000, send(`f${c}`, 'final', c, { important: true })], [3100, send(`q${c}`, 'next', c)]);
      }
      const run = simulate(ops, ok, DEFAULT_PACING);
      for (let c = 1; c <= 10; c++) {
        const times = timesOf(run.calls, toChat(c));
        for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!, `chat ${c}: 4 calls within a second`).to.be.greaterThan(1000);
        expect(run.calls.filter((k) => k.params['chat_id'] === c && k.params['text'] === 'next').map((k) => k.t)).to.deep.equal([3100]);
      }
    });

    it('runs two chats in parallel, with no cross-chat delay', () => {
      const ops: Array<[number, OutOp]> = [1, 2, 3].flatMap((i) => [
        [0, send(`a${i}`, 'a', 1)] as [number, OutOp],
        [0, send(`b${i}`, 'b', 2)] as [number, OutOp],
      ]);
      const run = simulate(ops);
      expect(timesOf(run.calls, toChat(1))).to.deep.equal([0, 1000, 2000]);
      expect(timesOf(run.calls, toChat(2))).to.deep.equal([0, 1000, 2000]);
    });

    it('paces topics of one chat together (pacing is per chat_id)', () => {
      const run = simulate([
        [0, { op: 'send', ref: 'a', chat: chat(1, 5), text: '1' }],
        [0, { op: 'send', ref: 'b', chat: chat(1, 6), text: '2' }],
      ]);
      expect(timesOf(run.calls)).to.deep.equal([0, 1000]);
    });

    it('allows a group at most groupPerMinute calls in any 60 s, private chats unaffected', () => {
      const ops: Array<[number, OutOp]> = [];
      for (let i = 0; i < 22; i++) ops.push([0, send(`g${i}`, 'x', -100)], [0, send(`p${i}`, 'x', 7)]);
      const run = simulate(ops);
      const group = timesOf(run.calls, toChat(-100));
      expect(group.slice(0, 20)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i * 1000));
      expect(group.slice(20)).to.deep.equal([60_000, 61_000]);
      expect(timesOf(run.calls, toChat(7)).at(-1)).to.equal(21_000);
    });

    it('honours a custom group limit', () => {
      const ops: Array<[number, OutOp]> = [0, 1, 2, 3].map((i) => [0, send(`g${i}`, 'x', -1)]);
      const run = simulate(ops, ok, { ...QUEUEING, groupPerMinute: 2, perChatIntervalMs: 10 });
      expect(timesOf(run.calls)).to.deep.equal([0, 10, 60_000, 60_010]);
    });

    it('makes at most globalPerSecond calls per second across all chats', () => {
      const ops: Array<[number, OutOp]> = Array.from({ length: 32 }, (_, i) => [0, send(`c${i}`, 'x', i + 1)]);
      const run = simulate(ops);
      const times = timesOf(run.calls);
      expect(times.filter((t) => t === 0)).to.have.length(30);
      expect(times.slice(30)).to.deep.equal([1000, 1000]);
      expect(run.calls.slice(30).map((c) => c.params['chat_id'])).to.deep.equal([31, 32]);
    });

    it('counts retries against the global window too', () => {
      const ops: Array<[number, OutOp]> = [[0, send('a', 'x', 1)], [0, send('b', 'x', 2)], [300, send('c', 'x', 3)]];
      const run = simulate(ops, (_c, n) => (n === 0 ? fail(e502) : ok(_c, n)), { ...QUEUEING, globalPerSecond: 2, perChatIntervalMs: 0 });
      // a fails at 0 and may retry at 500, but a and b (both at 0) fill the window until 1000;
      // c, arriving at 300 in an idle chat, waits for the same global window.
      expect(run.calls.map((c) => [c.t, c.params['chat_id']])).to.deep.equal([[0, 1], [0, 2], [1000, 3], [1000, 1]]);
    });
  });

  describe('typing', () => {
    it('sends a typing at once, without waiting for or using the chat interval', () => {
      const t = typing();
      const run = simulate([[0, send('a', '1')], [100, t], [200, send('b', '2')]]);
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([
        [0, 'sendMessage'],
        [100, 'sendChatAction'],
        [1000, 'sendMessage'],
      ]);
      expect(outcomeOf(run, t)!.outcome).to.include({ ok: true, attempts: 1 });
    });
  });
});

const sharedAt = (scheduler: Shared['scheduler'], over: Partial<Shared> = {}): Shared => ({
  scheduler, exec: () => of(true), perChatIntervalMs: 1000, burst: 3, groupPerMinute: 20, globalPerSecond: 30,
  maxAttempts: 8, backoffMs: 500, globalLog: [], ...over,
});

describe('bucket', () => {
  it('lets burst calls go at once, then one per interval; a reserve waits for more tokens', () => {
    let tat = -Infinity;
    expect(bucketReadyAt(tat, 3, 1000)).to.equal(-Infinity);
    for (let i = 0; i < 3; i++) tat = bucketTake(tat, 0, 1000);
    expect([tat, bucketReadyAt(tat, 3, 1000), bucketTokens(tat, 0, 3, 1000)]).to.deep.equal([3000, 1000, 0]);
    expect(bucketReadyAt(tat, 3, 1000, 2)).to.equal(3000); // a full bucket
    expect(bucketTokens(tat, 1500, 3, 1000)).to.equal(1.5);
    expect(bucketTake(tat, 5000, 1000)).to.equal(6000); // an idle bucket does not store more than burst
    expect([bucketReadyAt(50, 3, 0), bucketTake(50, 7, 0)]).to.deep.equal([-Infinity, 50]);
  });
});

describe('windowFreeAt', () => {
  it('is free while fewer than limit calls are logged, then one window after the limit-th latest', () => {
    expect(windowFreeAt([], 2, 1000)).to.equal(-Infinity);
    expect(windowFreeAt([5], 2, 1000)).to.equal(-Infinity);
    expect(windowFreeAt([5, 7], 2, 1000)).to.equal(1005);
    expect(windowFreeAt([1, 5, 7], 2, 1000)).to.equal(1005);
  });
});

describe('readyAt', () => {
  const shared = sharedAt(asyncScheduler, { globalPerSecond: 2, globalLog: [100, 200], groupPerMinute: 1 });
  const job = newJob(send('a', 'x', -1));

  it('takes the latest of notBefore, the hold, the bucket and the windows', () => {
    const lane = Object.assign(newLane(true, true), { messageTat: 3050, holdUntil: 300, groupLog: [10] });
    expect(readyAt(lane, shared, job)).to.equal(60_010); // the group window
    lane.groupLog = [];
    expect(readyAt(lane, shared, job)).to.equal(1100); // the global window
    expect(readyAt(lane, shared, job, 5000)).to.equal(5000);
    const one = sharedAt(asyncScheduler);
    expect(readyAt(Object.assign(newLane(true, false), { messageTat: 3900 }), one, job)).to.equal(1900);
    expect(readyAt(Object.assign(newLane(true, false), { messageTat: 3900 }), one, job, -Infinity, true)).to.equal(-Infinity);
    expect(readyAt(Object.assign(newLane(true, false), { chatLog: [0, 10, 20] }), one, job)).to.equal(1100); // the arrival margin
  });

  it('makes a live edit or delete wait for a full bucket and spare group slots; other and important edits do not wait', () => {
    const one = sharedAt(asyncScheduler);
    const lane = Object.assign(newLane(true, true), { messageTat: 2000 });
    expect(readyAt(lane, one, newJob(liveEdit('a', 'x')))).to.equal(2000);
    expect(readyAt(lane, one, newJob(liveDel('a')))).to.equal(2000);
    expect(readyAt(lane, one, newJob(edit('a', 'x')))).to.equal(0); // an edit of a prompt, say: not live
    expect(readyAt(lane, one, newJob(edit('a', 'x', 1, { important: true, live: true })))).to.equal(0);
    lane.messageTat = -Infinity;
    lane.groupLog = Array.from({ length: 15 }, (_, i) => i * 100);
    expect(readyAt(lane, one, newJob(liveEdit('a', 'x')))).to.equal(60_000); // 5 of 20 kept for sends
    expect(readyAt(lane, one, newJob(send('a', 'x')))).to.equal(-Infinity);
  });

  it('lets an unpaced lane (callback answers) wait only for its hold', () => {
    const lane = Object.assign(newLane(false, false), { messageTat: 5000, holdUntil: 300 });
    expect(readyAt(lane, shared, job)).to.equal(300);
  });
});

describe('pickNow', () => {
  it('takes the head when it may go, or says when to look again', () => {
    const shared = sharedAt(asyncScheduler);
    const lane = Object.assign(newLane(true, false), { messageTat: 3500 });
    lane.queue.push(newJob(send('a', 'x')));
    expect(pickNow(lane, shared, 0)).to.deep.equal({ at: 1500 });
    const p = pickNow(lane, shared, 1500);
    expect(p && 'job' in p && p.job.primary).to.include({ ref: 'a' });
    expect(lane.queue).to.have.length(0);
    expect(pickNow(lane, shared, 1500)).to.equal(undefined);
  });

  it('passes a waiting live edit with a job of another ref, never one of the same ref', () => {
    const shared = sharedAt(asyncScheduler);
    const lane = Object.assign(newLane(true, false), { messageTat: 1500 });
    lane.messageIds.set('a', 1);
    lane.queue.push(newJob(liveEdit('a', 'live')), newJob(liveDel('a')), newJob(send('b', 'x')));
    const p = pickNow(lane, shared, 0);
    expect(p && 'job' in p && p.job.primary).to.include({ ref: 'b' });
    expect(lane.queue.map((j) => j.primary.op)).to.deep.equal(['edit', 'delete']);
    expect(pickNow(lane, shared, 0)).to.deep.equal({ at: 2500 });
  });

  it('finishes a delete of a message never sent without waiting', () => {
    const lane = Object.assign(newLane(true, false), { messageTat: 9000 });
    lane.queue.push(newJob(del('gone')));
    expect(pickNow(lane, sharedAt(asyncScheduler), 0)).to.deep.include({ skip: true });
  });
});

describe('slot$', () => {
  const job = newJob(send('a', 'x', -1));

  it('emits at once and books the call when the lane is free', () => {
    const ts = testScheduler();
    const lane = newLane(true, true);
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared, job)).toBe('(a|)', { a: 0 });
    });
    expect([lane.messageTat, lane.groupLog, shared.globalLog]).to.deep.equal([1000, [0], [0]]);
  });

  it('waits for a token, books on emitting, and a second slot waits one more interval', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const lane = Object.assign(newLane(true, true), { messageTat: 3000 });
      const shared = sharedAt(ts);
      expectObservable(slot$(lane, shared, job)).toBe('1000ms (a|)', { a: 1000 });
      expectObservable(slot$(lane, shared, job), '1001ms ^').toBe('1001ms 999ms (a|)', { a: 2000 });
    });
  });

  it('books nothing when unsubscribed before its time (its timer is cancelled)', () => {
    const ts = testScheduler();
    const lane = Object.assign(newLane(true, true), { messageTat: 3000 });
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared, job), '^ 500ms !').toBe('');
    });
    expect([lane.messageTat, lane.groupLog, shared.globalLog]).to.deep.equal([3000, [], []]);
  });

  it('lets a typing skip the buckets and leave them unbooked', () => {
    const ts = testScheduler();
    const lane = Object.assign(newLane(true, false), { messageTat: 3000 });
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared, newJob(typing()))).toBe('(a|)', { a: 0 });
    });
    expect([lane.messageTat, shared.globalLog]).to.deep.equal([3000, [0]]);
  });

  it('takes no token for a retry of a call that delivered nothing', () => {
    const ts = testScheduler();
    const lane = Object.assign(newLane(true, false), { messageTat: 3000 });
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared, job, -Infinity, true)).toBe('(a|)', { a: 0 });
    });
    expect(lane.messageTat).to.equal(3000);
  });
});
