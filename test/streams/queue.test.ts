// One FIFO per workspace, workspaces in parallel, refused items bypass the queue.
import { map, timer, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { perWorkspace$ } from '../../src/streams/queue.ts';
import { testScheduler } from '../helpers/marbles.ts';

type Item = { workspace: string; id: string };
const item = (workspace: string, id: string, refused?: boolean) => ({ item: { workspace, id }, refused });

describe('perWorkspace$ (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
  });
  // Each item takes 5 frames to run.
  const run = (i: Item): Observable<string> => timer(5, ts).pipe(map(() => `${i.id}`));
  const refuse = (i: Item): Observable<string> => timer(0, ts).pipe(map(() => `${i.id}:refused`));

  it('runs one workspace in order and workspaces in parallel; a refused item does not wait', () => {
    ts.run(({ hot, expectObservable }) => {
      const items$ = hot('a b c d', { a: item('A', '1'), b: item('A', '2'), c: item('B', '3'), d: item('A', '4', true) });
      // Items at 0-3. 1 done at 5; 2 waits for it (10); 3 in parallel (2+5=7); 4 refused at once (3).
      expectObservable(perWorkspace$(items$, run, refuse)).toBe('---d-a-c--b', { a: '1', b: '2', c: '3', d: '4:refused' });
    });
  });

  it('empty completes, never stays open, an error passes through, unsubscribing ends the running item', () => {
    ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      expectObservable(perWorkspace$(cold('|'), run, refuse)).toBe('|');
      expectObservable(perWorkspace$(cold('-'), run, refuse)).toBe('-');
      expectObservable(perWorkspace$(cold('-#'), run, refuse)).toBe('-#');
      const inner = cold('-----x');
      const items$ = hot('a', { a: item('A', '1') });
      expectObservable(perWorkspace$(items$, () => inner, refuse), '^--!').toBe('---');
      expectSubscriptions(inner.subscriptions).toBe('^--!');
    });
  });

  it('completes once the input completed and every queue drained', () => {
    ts.run(({ cold, expectObservable }) => {
      const items$ = cold('ab|', { a: item('A', '1'), b: item('A', '2') });
      expectObservable(perWorkspace$(items$, run, refuse)).toBe('-----a----(b|)', { a: '1', b: '2' });
    });
  });
});
