// The stall watchdog in virtual time.
import type { TestScheduler } from 'rxjs/testing';
import type { SessionEvent } from '../../src/domain/events.ts';
import { stalls$ } from '../../src/streams/watchdog.ts';
import { testScheduler } from '../helpers/marbles.ts';

const E: Record<string, SessionEvent> = {
  t: { kind: 'text', text: 'x', messageId: 'm' },
  r: { kind: 'api_retry', attempt: 1, max: 10, delayMs: 500, status: 529, error: 'overloaded' },
  d: { kind: 'failure', reason: 'crash', message: 'x' },
};

describe('stall watchdog (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
  });

  it('stays quiet while lines keep coming', () => {
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const ev = hot('t 5ms t 5ms t 5ms d', E);
      // Events at 0, 6, 12; the end at 18.
      expectObservable(stalls$(ev, 10, ts)).toBe('18ms |');
      expectSubscriptions(ev.subscriptions).toBe(['^ 17ms !', '^ 17ms !']);
    });
  });

  it('alerts after stallMs of silence, and again every stallMs while it lasts', () => {
    ts.run(({ hot, expectObservable }) => {
      const ev = hot('t 35ms d', E);
      expectObservable(stalls$(ev, 10, ts)).toBe('10ms a 9ms b 9ms c 5ms |', { a: 10, b: 20, c: 30 });
    });
  });

  it('counts api_retry notices as life', () => {
    ts.run(({ hot, expectObservable }) => {
      const ev = hot('t 7ms r 7ms r 7ms r 12ms d', E);
      // Events at 0, 8, 16, 24; silence from 24 → alert at 34; the turn ends at 37.
      expectObservable(stalls$(ev, 10, ts)).toBe('34ms a 2ms |', { a: 10 });
    });
  });

  it('alerts even before the first event', () => {
    ts.run(({ hot, expectObservable }) => {
      const ev = hot('15ms t 20ms d', E);
      // First event at 15, the end at 36: alerts at 10, then 25 and 35 after the event.
      expectObservable(stalls$(ev, 10, ts)).toBe('10ms a 14ms b 9ms c |', { a: 10, b: 10, c: 20 });
    });
  });

  it('ends with the turn, and on unsubscribe', () => {
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const ev = hot('-----', E);
      expectObservable(stalls$(ev, 10, ts), '^ 4ms !').toBe('');
      expectSubscriptions(ev.subscriptions).toBe(['^ 4ms !', '^ 4ms !']);
    });
  });
});
