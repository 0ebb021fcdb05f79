// Virtual-time tests of one turn (streams/turn.ts + respawn.ts) over a ClaudeDriver with scripted
// processes: retry with delay, start-up failures, stale conversations, teardown, idle reaping.
import { expect } from 'chai';
import { map, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { ProcOut } from '../../src/domain/claude.ts';
import type { ProcessSpec } from '../../src/drivers/claude/process.ts';
import { initLine, resultLine, textLine, PROC } from '../helpers/lines.ts';
import { testScheduler } from '../helpers/marbles.ts';
import { memoryStore, WorkspaceLoop } from '../helpers/workspaceLoop.ts';

const persona = { name: 'default', settings: {} };
const out = (line: string): ProcOut => ({ kind: 'stdout', line });
const V: Record<string, ProcOut> = {
  ...PROC,
  e: out(resultLine('API Error: 400 bad', { isError: true })),
  f: { kind: 'exit', code: 1, signal: null, stderrTail: "error: unknown option '--bogus'", sawStdout: false },
  z: out(resultLine('', { isError: true, subtype: 'error_during_execution', errors: ['No conversation found with session ID: sess-old'] })),
};

describe('one turn over the Claude driver (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
  });

  type Spawn = (spec: () => ProcessSpec, stdin$: Observable<string>) => Observable<ProcOut>;
  const loop = (spawn: Spawn, extra: { store?: ReturnType<typeof memoryStore>; maxRespawns?: number; backoffMs?: (n: number) => number } = {}) =>
    new WorkspaceLoop({
      driver: { bin: 'claude', env: {}, spawn, idleMs: 100 },
      dir: '/d1',
      persona,
      store: extra.store ?? memoryStore(),
      scheduler: ts,
      backoffMs: extra.backoffMs ?? ((n) => 10 * n),
      maxRespawns: extra.maxRespawns,
    });
  const kinds = (l: WorkspaceLoop, prompt = 'hi') => l.turn$(prompt).pipe(map((e) => (e.kind === 'failure' ? `failure:${e.reason}` : e.kind)));

  it('respawns a crashed process after a growing delay and finishes the turn once', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const p1 = cold('sitx|', V);
      const p2 = cold('sitr', V);
      const procs = [p1, p2];
      const specs: ProcessSpec[] = [];
      const stdin: string[] = [];
      const l = loop((spec, stdin$) => {
        specs.push(spec());
        stdin$.subscribe((line) => stdin.push(line));
        return procs.shift()!;
      });
      // exit at 3 → status; +10 ms → respawn at 13 → started 14, text 15, result 16.
      expectObservable(kinds(l)).toBe('abcd 9ms -bc(e|)', { a: 'running', b: 'started', c: 'text', d: 'status', e: 'result' });
      expectSubscriptions(p1.subscriptions).toBe('^---!'); // released at its exit event
      // The second process outlives the turn by idleMs (100), then it is reaped.
      expectSubscriptions(p2.subscriptions).toBe('13ms ^ 102ms !');
      ts.flush();
      expect(specs[0]!.args).not.to.include('--resume');
      expect(specs[1]!.args).to.include.members(['--resume', 'sess-1']);
      const users = stdin.filter((line) => JSON.parse(line).type === 'user');
      expect(users.map((line) => JSON.parse(line).message.content)).to.deep.equal(['hi', 'hi']);
    });
  });

  it('gives up after the respawn budget with one failure', () => {
    ts.run(({ cold, expectObservable }) => {
      const crashes: Observable<ProcOut>[] = [cold('six|', V), cold('six|', V), cold('six|', V)];
      const l = loop(() => crashes.shift()!, { maxRespawns: 2 });
      // crash at 2, +10 → respawn at 12, crash at 14, +20 → 34, crash at 36 → failure.
      expectObservable(kinds(l)).toBe('abc 10ms bc 19ms -b(d|)', { a: 'running', b: 'started', c: 'status', d: 'failure:crash' });
    });
  });

  it('reports a start-up failure once, without retrying', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const p = cold('sf|', V);
      let spawns = 0;
      const l = loop(() => (spawns++, p));
      const msgs$ = l.turn$('hi').pipe(map((e) => (e.kind === 'failure' ? `${e.reason}: ${e.message}` : e.kind)));
      expectObservable(msgs$).toBe('a(b|)', { a: 'running', b: "startup: Claude Code could not start: error: unknown option '--bogus'" });
      expectSubscriptions(p.subscriptions).toBe('^-!');
      ts.flush();
      expect(spawns).to.equal(1);
    });
  });

  it('treats an error result as a finished turn, not a crash', () => {
    ts.run(({ cold, expectObservable }) => {
      const l = loop(() => cold('sie', V));
      expectObservable(l.turn$('hi').pipe(map((e) => (e.kind === 'result' ? `result:${e.isError}` : e.kind)))).toBe('ab(c|)', { a: 'running', b: 'started', c: 'result:true' });
    });
  });

  it('falls back to a fresh conversation when the stored id is stale', () => {
    ts.run(({ cold, expectObservable }) => {
      const procs = [cold('sz(x|)', V), cold('sitr', V)];
      const specs: ProcessSpec[] = [];
      const store = memoryStore({ '/d1': 'sess-old' });
      const l = loop((spec) => (specs.push(spec()), procs.shift()!), { store });
      expectObservable(kinds(l)).toBe('abcd(e|)', { a: 'running', b: 'status', c: 'started', d: 'text', e: 'result' });
      ts.flush();
      expect(specs[0]!.args).to.include('sess-old');
      expect(specs[1]!.args).not.to.include('--resume');
      expect(store.ids.get('/d1')).to.equal('sess-1');
    });
  });

  it('shows a turn as running before the CLI prints anything, and holds the process', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const silent = cold<ProcOut>('s', V);
      const l = loop(() => silent);
      expectObservable(kinds(l)).toBe('a', { a: 'running' });
      // Held by the running turn: never reaped, however long it is silent.
      expectSubscriptions(silent.subscriptions).toBe('^');
    });
  });

  it('a stop before the answer: interrupt, then the result is marked stopped', () => {
    ts.run(({ cold, expectObservable }) => {
      const stdin: string[] = [];
      const l = loop((_spec, stdin$) => (stdin$.subscribe((line) => stdin.push(line)), cold('si-----r', V)));
      ts.schedule(() => l.stop(), 3);
      expectObservable(l.turn$('hi').pipe(map((e) => (e.kind === 'result' ? `result:${e.stopped}` : e.kind)))).toBe('ab-----(c|)', { a: 'running', b: 'started', c: 'result:true' });
      ts.flush();
      expect(stdin.map((line) => JSON.parse(line).request?.subtype ?? JSON.parse(line).type)).to.deep.equal(['user', 'interrupt']);
    });
  });

  it('an unanswered interrupt kills the process after the timeout; the turn ends stopped', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const hung = cold<ProcOut>('si', V);
      const l = new WorkspaceLoop({ driver: { bin: 'claude', env: {}, spawn: () => hung, idleMs: 100 }, dir: '/d1', persona, store: memoryStore(), scheduler: ts, interruptTimeoutMs: 50 });
      ts.schedule(() => l.stop(), 5);
      expectObservable(kinds(l)).toBe('ab 53ms (c|)', { a: 'running', b: 'started', c: 'failure:stopped' });
      expectSubscriptions(hung.subscriptions).toBe('^ 54ms !');
    });
  });

  it('a shutdown during a crash back-off starts no new process', () => {
    ts.run(({ cold, expectObservable }) => {
      const procs = [cold('six|', V), cold('sitr', V)];
      let spawns = 0;
      const l = loop(() => (spawns++, procs.shift()!), { backoffMs: () => 50 });
      ts.schedule(() => l.drain(), 10);
      expectObservable(kinds(l)).toBe('abc 7ms (d|)', { a: 'running', b: 'started', c: 'status', d: 'failure:shutdown' });
      ts.flush();
      expect(spawns).to.equal(1);
    });
  });

  it('never: a process that prints nothing keeps the turn open; unsubscribing releases it', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const quiet = cold<ProcOut>('s', V);
      const l = loop(() => quiet);
      expectObservable(kinds(l), '^---!').toBe('a', { a: 'running' });
      // The turn let go of its output; the process stays with the driver until reaped or killed.
      expectSubscriptions(quiet.subscriptions).toBe('^');
    });
  });
});
