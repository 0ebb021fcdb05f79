// Virtual-time tests of the session engine: queueing, retry with delay, teardown.
import { expect } from 'chai';
import { concatMap, filter, map, Observable, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ProcessSpec, ProcOut } from '../src/drivers/claude/process.ts';
import { engine$ } from '../src/streams/engine.ts';
import { Session, type SessionDeps, type TurnRequest } from '../src/streams/session.ts';
import { initLine, resultLine, textLine } from './helpers/lines.ts';

const persona = { name: 'default', settings: {} };
const out = (line: string): ProcOut => ({ kind: 'stdout', line });
const V: Record<string, ProcOut> = {
  s: { kind: 'spawned', pid: 4242 },
  i: out(initLine('sess-1')),
  t: out(textLine('hello')),
  r: out(resultLine('hello')),
  e: out(resultLine('API Error: 400 bad', { isError: true })),
  x: { kind: 'exit', code: 1, signal: null, stderrTail: '', sawStdout: true },
  f: { kind: 'exit', code: 1, signal: null, stderrTail: "error: unknown option '--bogus'", sawStdout: false },
  z: out(resultLine('', { isError: true, subtype: 'error_during_execution', errors: ['No conversation found with session ID: sess-old'] })),
};

function memoryStore(initial: Record<string, string> = {}) {
  const ids = new Map(Object.entries(initial));
  return {
    ids,
    load: (dir: string) => ({ sessionId: ids.get(dir) }),
    save: (dir: string, patch: { sessionId?: string }) => {
      if ('sessionId' in patch) {
        if (patch.sessionId) ids.set(dir, patch.sessionId);
        else ids.delete(dir);
      }
    },
  };
}

const req = (prompt: string, sessionKey = 'k1'): TurnRequest => ({ sessionKey, id: prompt, prompt });

describe('session engine (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((a, b) => {
      expect(a).to.deep.equal(b);
    });
  });

  function deps(spawn: SessionDeps['spawn'], extra: Partial<SessionDeps> = {}): SessionDeps {
    return { spawn, store: memoryStore(), bin: 'claude', env: {}, scheduler: ts, backoffMs: (n) => 10 * n, idleMs: 100, ...extra };
  }

  it('respawns a crashed process after a growing delay and finishes the turn once', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const p1 = cold('sitx|', V);
      const p2 = cold('sitr', V);
      const procs = [p1, p2];
      const specs: ProcessSpec[] = [];
      const stdin: string[] = [];
      const store = memoryStore();
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps((spec, stdin$) => {
        specs.push(spec());
        if (specs.length === 1) stdin$.subscribe((l) => stdin.push(l)); // the Subject outlives processes
        return procs.shift()!;
      }, { store }));
      const kinds$ = session.turn$(req('hi'), 0).pipe(map((e) => e.kind));
      // exit at 3 → status; +10 ms → respawn at 13 → started 14, text 15, result 16.
      expectObservable(kinds$).toBe('-abc 9ms -ab(d|)', { a: 'started', b: 'text', c: 'status', d: 'result' });
      expectSubscriptions(p1.subscriptions).toBe('^--!'); // released at its exit event
      // The second process outlives the turn by idleMs (100), then it is reaped.
      expectSubscriptions(p2.subscriptions).toBe('13ms ^ 102ms !');
      ts.flush();
      expect(specs[0]!.args).not.to.include('--resume');
      expect(specs[1]!.args).to.include.members(['--resume', 'sess-1']);
      const users = stdin.filter((l) => JSON.parse(l).type === 'user');
      expect(users.map((l) => JSON.parse(l).message.content)).to.deep.equal(['hi', 'hi']);
    });
  });

  it('gives up after the respawn budget with one failure', () => {
    ts.run(({ cold, expectObservable }) => {
      const crashes: Observable<ProcOut>[] = [cold('six|', V), cold('six|', V), cold('six|', V)];
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => crashes.shift()!, { maxRespawns: 2 }));
      // crash at 2, +10 → 12 crash at 14, +20 → 34 crash at 36 → failure.
      expectObservable(session.turn$(req('hi'), 0).pipe(map((e) => (e.kind === 'failure' ? `${e.kind}:${e.reason}` : e.kind)))).toBe(
        '-ab 10ms ab 20ms a(c|)',
        { a: 'started', b: 'status', c: 'failure:crash' },
      );
    });
  });

  it('reports a start-up failure once, without retrying', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const p = cold('sf|', V);
      let spawns = 0;
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => (spawns++, p)));
      const msgs$ = session.turn$(req('hi'), 0).pipe(map((e) => (e.kind === 'failure' ? `${e.reason}: ${e.message}` : e.kind)));
      expectObservable(msgs$).toBe('-(a|)', { a: "startup: Claude Code could not start: error: unknown option '--bogus'" });
      expectSubscriptions(p.subscriptions).toBe('^!');
      ts.flush();
      expect(spawns).to.equal(1);
    });
  });

  it('treats an error result as a finished turn, not a crash', () => {
    ts.run(({ cold, expectObservable }) => {
      const p = cold('sie', V);
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => p));
      expectObservable(session.turn$(req('hi'), 0).pipe(map((e) => (e.kind === 'result' ? `result:${e.isError}` : e.kind)))).toBe('-a(b|)', {
        a: 'started',
        b: 'result:true',
      });
    });
  });

  it('falls back to a fresh session when the stored id is stale', () => {
    ts.run(({ cold, expectObservable }) => {
      const procs = [cold('sz(x|)', V), cold('sitr', V)];
      const specs: ProcessSpec[] = [];
      const store = memoryStore({ '/d1': 'sess-old' });
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps((spec) => (specs.push(spec()), procs.shift()!), { store }));
      expectObservable(session.turn$(req('hi'), 0).pipe(map((e) => e.kind))).toBe('-abc(d|)', { a: 'status', b: 'started', c: 'text', d: 'result' });
      ts.flush();
      expect(specs[0]!.args).to.include('sess-old');
      expect(specs[1]!.args).not.to.include('--resume');
      expect(store.ids.get('/d1')).to.equal('sess-1');
    });
  });

  it('queues turns per session in order, runs sessions in parallel, and refuses overflow', () => {
    ts.run(({ hot, expectObservable }) => {
      // A responsive fake process: each user line is answered 5 frames later.
      const responsive: SessionDeps['spawn'] = (_spec, stdin$) =>
        new Observable<ProcOut>((sub) => {
          sub.next(V.s!);
          return stdin$
            .pipe(
              map((l) => JSON.parse(l)),
              filter((m) => m.type === 'user'),
              concatMap((m) => timer(5).pipe(map(() => out(resultLine(`re:${m.message.content}`))))),
            )
            .subscribe(sub);
        });
      const sessions = new Map<string, Session>();
      const sessionFor = (key: string) => {
        if (!sessions.has(key)) sessions.set(key, new Session({ key, dir: `/${key}`, persona }, deps(responsive, { maxQueue: 2 })));
        return sessions.get(key)!;
      };
      const requests$ = hot<TurnRequest>('a b c d', { a: req('1', 'A'), b: req('2', 'A'), c: req('3', 'B'), d: req('4', 'A') });
      const shown$ = engine$(requests$, sessionFor).pipe(
        filter(({ event }) => event.kind !== 'running'),
        map(({ req: r, event: e }) => `${r.id}:${e.kind === 'result' ? e.text : e.kind === 'failure' ? e.reason : e.kind}`),
      );
      // 1 answered at 5; 2 waits for it (written at 5, answered 10); 3 in parallel (2+5=7);
      // 4 is refused at once: A already holds 2 of its 2 places.
      expectObservable(shown$).toBe('---a-b-c--d', { a: '4:refused', b: '1:re:1', c: '3:re:3', d: '2:re:2' });
    });
  });

  it('drops queued turns after clearQueue and says so', () => {
    ts.run(({ cold, expectObservable }) => {
      const p = cold('sitr', V);
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => p));
      const gen = session.currentGeneration();
      session.clearQueue();
      expectObservable(session.turn$(req('hi'), gen).pipe(map((e) => (e.kind === 'failure' ? e.reason : e.kind)))).toBe('(a|)', { a: 'cancelled' });
    });
  });

  it('shows a turn as running before the CLI prints anything', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const silent = cold<ProcOut>('s', V);
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => silent));
      const requests$ = hot<TurnRequest>('a', { a: req('hi') });
      expectObservable(engine$(requests$, () => session).pipe(map(({ event }) => event.kind))).toBe('a', { a: 'running' });
    });
  });

  it('a persona change during a turn restarts the process when the turn ends', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const p = cold('si--tr', V);
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => p));
      expectObservable(session.turn$(req('hi'), 0).pipe(map((e) => e.kind))).toBe('-a--b(c|)', { a: 'started', b: 'text', c: 'result' });
      ts.schedule(() => session.setPersona({ name: 'terse', settings: { max_turns: 3 } }), 2);
      // Without the change the process would live on for idleMs (100) after the result.
      expectSubscriptions(p.subscriptions).toBe('^----!');
    });
  });

  it('a shutdown during a crash back-off starts no new process', () => {
    ts.run(({ cold, expectObservable }) => {
      const procs = [cold('six|', V), cold('sitr', V)];
      let spawns = 0;
      const session = new Session({ key: 'k1', dir: '/d1', persona }, deps(() => (spawns++, procs.shift()!), { backoffMs: () => 50 }));
      ts.schedule(() => session.shutdown(), 10);
      expectObservable(session.turn$(req('hi'), 0).pipe(map((e) => (e.kind === 'failure' ? `failure:${e.reason}` : e.kind)))).toBe('-ab 49ms (c|)', {
        a: 'started',
        b: 'status',
        c: 'failure:shutdown',
      });
      ts.flush();
      expect(spawns).to.equal(1);
    });
  });
});
