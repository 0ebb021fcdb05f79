// The app's dataflow in virtual time, with real Sessions over a scripted fake CLI.
import { expect } from 'chai';
import { EMPTY, filter, map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Update } from 'node-telegram-bot-api';
import { app$, type Registry } from '../src/app.ts';
import type { ProcOut } from '../src/drivers/claude/process.ts';
import { Session } from '../src/streams/session.ts';
import type { OutOp } from '../src/domain/telegram.ts';
import { initLine, resultLine } from './helpers/lines.ts';

const out = (line: string): ProcOut => ({ kind: 'stdout', line });
const ask = out(JSON.stringify({ type: 'control_request', request_id: 'req-1', request: { subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'touch x' }, tool_use_id: 't1' } }));
const V: Record<string, ProcOut> = {
  s: { kind: 'spawned', pid: 7 },
  i: out(initLine('sess-1')),
  q: ask,
  x: { kind: 'exit', code: null, signal: 'SIGKILL', stderrTail: '', sawStdout: true },
  r: out(resultLine('done')),
};

const message = (text: string): Update =>
  ({ update_id: 1, message: { message_id: 10, date: 0, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'o' }, text } }) as Update;

describe('app (virtual time)', () => {
  it('expires an open permission prompt when the CLI restarts, and asks again', () => {
    const ts = new TestScheduler((a, b) => {
      expect(a).to.deep.equal(b);
    });
    ts.run(({ cold, hot, expectObservable }) => {
      const procs = [cold('siq--x', V), cold('siq 20ms r', V)];
      const ids = new Map<string, string>();
      const session = new Session(
        { key: '5/default', dir: '/d', persona: { name: 'careful', settings: { ask_permissions: true } } },
        {
          spawn: () => procs.shift()!,
          store: { load: (d) => ({ sessionId: ids.get(d) }), save: (d, p) => void (p.sessionId && ids.set(d, p.sessionId)) },
          bin: 'claude',
          env: {},
          scheduler: ts,
          backoffMs: () => 10,
          idleMs: 1000,
        },
      );
      const registry = {
        active: () => ({ name: 'default', session }),
        byKey: () => session,
        sessionKey: (c: string, n: string) => `${c}/${n}`,
        touch: () => {},
      } as unknown as Registry;
      const ops$: Observable<OutOp> = app$(hot<Update>('a', { a: message('make x') }), {
        allowedUserIds: new Set([5]),
        registry,
        download: () => EMPTY,
        journal: { add: () => {}, has: () => false },
        maxFileBytes: 1,
        permissionTimeoutMs: 600_000,
        stallMs: 600_000,
        log: () => {},
        scheduler: ts,
        runId: 'run1',
      });
      const shown$ = ops$.pipe(
        filter((o) => o.op === 'send' || o.op === 'edit'),
        filter((o) => 'ref' in o && (o.ref.startsWith('perm:') || o.ref.includes(':final:'))),
        map((o) => `${o.op} ${'ref' in o ? o.ref : ''} ${'text' in o ? o.text.split('\n')[0] : ''}`),
      );
      // Asked at 2; the CLI dies at 5 (the status notice expires the prompt); respawn at 15 asks
      // again at 17; the answer is delivered once, at 38.
      expectObservable(shown$).toBe('--a--b 11ms c 20ms d', {
        a: 'send perm:run1.1 Claude Code asks to use a tool',
        b: 'edit perm:run1.1 Expired (Claude Code restarted; it asks again if it still needs it): Bash',
        c: 'send perm:run1.2 Claude Code asks to use a tool',
        d: 'send 5:10:final:0 done',
      });
    });
  });
});
