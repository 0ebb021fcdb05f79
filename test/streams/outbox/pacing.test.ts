// Pacing: per chat interval, group and global windows, holds. Through the outbox, and slot$ and
// its pure parts directly.
import { expect } from 'chai';
import { asyncScheduler, of } from 'rxjs';
import type { OutOp } from '../../../src/domain/telegram.ts';
import { newJob, newLane } from '../../../src/streams/outbox/lane.ts';
import type { Shared } from '../../../src/streams/outbox/lane.ts';
import { readyAt, slot$, windowFreeAt } from '../../../src/streams/outbox/pacing.ts';
import { testScheduler } from '../../helpers/marbles.ts';
import { chat, e502, fail, ok, outcomeOf, send, simulate, timesOf, toChat, typing } from './simulate.ts';

describe('outbox', () => {
  describe('pacing', () => {
    it('spaces calls to one chat by perChatIntervalMs', () => {
      const run = simulate([[0, send('a', '1')], [0, send('b', '2')], [0, send('c', '3')]]);
      expect(timesOf(run.calls)).to.deep.equal([0, 1000, 2000]);
      expect(run.calls.map((c) => c.params['text'])).to.deep.equal(['1', '2', '3']);
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
      const run = simulate(ops, ok, { groupPerMinute: 2, perChatIntervalMs: 10 });
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
      const run = simulate(ops, (_c, n) => (n === 0 ? fail(e502) : ok(_c, n)), { globalPerSecond: 2, perChatIntervalMs: 0 });
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
  scheduler, exec: () => of(true), perChatIntervalMs: 1000, groupPerMinute: 20, globalPerSecond: 30,
  maxAttempts: 8, backoffMs: 500, globalLog: [], ...over,
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

  it('takes the latest of notBefore, the hold, the interval and the windows', () => {
    const lane = Object.assign(newLane(true, true), { lastCallAt: 50, holdUntil: 300, groupLog: [10] });
    expect(readyAt(lane, shared, -Infinity, false)).to.equal(60_010); // the group window
    lane.groupLog = [];
    expect(readyAt(lane, shared, -Infinity, false)).to.equal(1100); // the global window
    expect(readyAt(lane, shared, 5000, false)).to.equal(5000);
    expect(readyAt(Object.assign(newLane(true, false), { lastCallAt: 900 }), sharedAt(asyncScheduler), -Infinity, false)).to.equal(1900);
    expect(readyAt(Object.assign(newLane(true, false), { lastCallAt: 900 }), sharedAt(asyncScheduler), -Infinity, true)).to.equal(-Infinity);
  });

  it('lets an unpaced lane (callback answers) wait only for its hold', () => {
    const lane = Object.assign(newLane(false, false), { lastCallAt: 50, holdUntil: 300 });
    expect(readyAt(lane, shared, -Infinity, false)).to.equal(300);
  });
});

describe('slot$', () => {
  it('emits at once and books the call when the lane is free', () => {
    const ts = testScheduler();
    const lane = newLane(true, true);
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared)).toBe('(a|)', { a: 0 });
    });
    expect([lane.lastCallAt, lane.groupLog, shared.globalLog]).to.deep.equal([0, [0], [0]]);
  });

  it('waits for the interval, books on emitting, and a second slot waits one more interval', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const lane = Object.assign(newLane(true, true), { lastCallAt: 0 });
      const shared = sharedAt(ts);
      expectObservable(slot$(lane, shared)).toBe('1000ms (a|)', { a: 1000 });
      expectObservable(slot$(lane, shared), '1001ms ^').toBe('1001ms 999ms (a|)', { a: 2000 });
    });
  });

  it('books nothing when unsubscribed before its time (its timer is cancelled)', () => {
    const ts = testScheduler();
    const lane = Object.assign(newLane(true, true), { lastCallAt: 0 });
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared), '^ 500ms !').toBe('');
    });
    expect([lane.lastCallAt, lane.groupLog, shared.globalLog]).to.deep.equal([0, [], []]);
  });

  it('lets a typing at the head skip the interval and leave it unbooked', () => {
    const ts = testScheduler();
    const lane = Object.assign(newLane(true, false), { lastCallAt: 0 });
    lane.queue.push(newJob(typing()));
    const shared = sharedAt(ts);
    ts.run(({ expectObservable }) => {
      expectObservable(slot$(lane, shared)).toBe('(a|)', { a: 0 });
    });
    expect([lane.lastCallAt, shared.globalLog]).to.deep.equal([0, [0]]);
  });
});
