// Stop means stop (virtual time, streams/turn.ts + respawn.ts over a ClaudeDriver with scripted
// processes): a /stop during a crash back-off, /stop pressed three times, /stop while starting.
import { expect } from 'chai';
import { map, tap, type Observable } from 'rxjs';
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
};
type Spawn = (spec: () => ProcessSpec, stdin$: Observable<string>) => Observable<ProcOut>;

describe('stop means stop (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
  });
  const loop = (spawn: Spawn, backoffMs = 50) =>
    new WorkspaceLoop({ driver: { bin: 'claude', env: {}, spawn, idleMs: 100 }, dir: '/d1', persona, store: memoryStore(), scheduler: ts, backoffMs: () => backoffMs, interruptTimeoutMs: 30 });
  const kinds = (l: WorkspaceLoop) =>
    l.turn$('hi').pipe(map((e) => (e.kind === 'failure' ? `failure:${e.reason}` : e.kind === 'result' ? `result:${e.stopped ?? false}` : e.kind)));

  it('a /stop during a crash back-off ends the turn at once: no respawn, the message is not sent again', () => {
    let failure = '';
    ts.run(({ cold, expectObservable }) => {
      const procs = [cold('six|', V), cold('sitr', V)];
      let spawns = 0;
      const stdin: string[] = [];
      const l = loop((_spec, stdin$) => (spawns++, stdin$.subscribe((line) => stdin.push(line)), procs.shift()!));
      ts.schedule(() => l.stop(), 10);
      const turn$ = l.turn$('hi').pipe(tap((e) => (e.kind === 'failure' ? (failure = e.message) : undefined)));
      // crash at 3, back-off 50: the stop at 10 ends it then and there.
      expectObservable(turn$.pipe(map((e) => (e.kind === 'failure' ? `failure:${e.reason}` : e.kind)))).toBe('abc 7ms (d|)', { a: 'running', b: 'started', c: 'status', d: 'failure:stopped' });
      ts.flush();
      expect(spawns).to.equal(1);
      expect(stdin.filter((line) => JSON.parse(line).type === 'user')).to.have.length(1);
    });
    expect(failure).to.match(/Stopped while Claude Code was restarting; the message was not sent again/);
  });

  it('a /stop that arrived before the crash is checked before the respawn', () => {
    ts.run(({ cold, expectObservable }) => {
      // The process ignores the interrupt and crashes right after it.
      const procs = [cold('si---x|', V), cold('sitr', V)];
      let spawns = 0;
      const l = loop(() => (spawns++, procs.shift()!));
      ts.schedule(() => l.stop(), 2);
      expectObservable(kinds(l)).toBe('ab---(c|)', { a: 'running', b: 'started', c: 'failure:stopped' });
      ts.flush();
      expect(spawns).to.equal(1);
    });
  });

  it('/stop pressed three times during one turn: one interrupt, one stopped result', () => {
    ts.run(({ cold, expectObservable }) => {
      const stdin: string[] = [];
      const l = loop((_spec, stdin$) => (stdin$.subscribe((line) => stdin.push(line)), cold('si-----r', V)));
      for (const t of [2, 3, 4]) ts.schedule(() => l.stop(), t);
      expectObservable(kinds(l)).toBe('ab-----(c|)', { a: 'running', b: 'started', c: 'result:true' });
      ts.flush();
      expect(stdin.map((line) => JSON.parse(line).request?.subtype ?? JSON.parse(line).type)).to.deep.equal(['user', 'interrupt']);
    });
  });

  it('/stop while the CLI is still starting: the interrupt follows the message, the turn ends stopped', () => {
    ts.run(({ cold, expectObservable }) => {
      const stdin: string[] = [];
      const l = loop((_spec, stdin$) => (stdin$.subscribe((line) => stdin.push(line)), cold('---si-r', V)));
      ts.schedule(() => l.stop(), 1);
      expectObservable(kinds(l)).toBe('a---b-(c|)', { a: 'running', b: 'started', c: 'result:true' });
      ts.flush();
      expect(stdin.map((line) => JSON.parse(line).request?.subtype ?? JSON.parse(line).type)).to.deep.equal(['user', 'interrupt']);
    });
  });
});
