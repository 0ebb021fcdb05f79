// The app's dataflow in virtual time: real ClaudeDriver and turn stages over scripted processes,
// Telegram updates in, Telegram ops out.
import { expect } from 'chai';
import { filter, map, Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Update } from 'node-telegram-bot-api';
import type { ProcOut } from '../../src/domain/claude.ts';
import type { OutOp } from '../../src/domain/telegram.ts';
import { appLoop, responsive } from '../helpers/appLoop.ts';
import { initLine, resultLine } from '../helpers/lines.ts';
import { testScheduler } from '../helpers/marbles.ts';

const out = (line: string): ProcOut => ({ kind: 'stdout', line });
const ask = out(JSON.stringify({ type: 'control_request', request_id: 'req-1', request: { subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'touch x' }, tool_use_id: 't1' } }));
const V: Record<string, ProcOut> = {
  s: { kind: 'spawned', pid: 7 },
  i: out(initLine('sess-1')),
  q: ask,
  x: { kind: 'exit', code: null, signal: 'SIGKILL', stderrTail: '', sawStdout: true },
  r: out(resultLine('done')),
};

let updateId = 0;
const message = (text: string, chatId = 5, messageId = 10): Update =>
  ({ update_id: ++updateId, message: { message_id: messageId, date: 0, chat: { id: chatId, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'o' }, text } }) as Update;


const finals = (ops$: Observable<OutOp>) =>
  ops$.pipe(
    filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send' && o.ref.includes(':final:')),
    map((o) => `${o.chat.chatId}:${o.text.split('\n')[0]}`),
  );

describe('app (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
    updateId = 0;
  });

  it('expires an open permission prompt when the CLI restarts, and asks again', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const procs = [cold('siq--x', V), cold('siq 20ms r', V)];
      const loop = appLoop(ts, {
        updates$: hot<Update>('a', { a: message('make x') }),
        spawn: () => procs.shift()!,
        chats: { '5': { active: 'default', sessions: { default: { persona: 'careful', createdAt: 'x' } } } },
      });
      const shown$ = loop.ops$.pipe(
        filter((o) => o.op === 'send' || o.op === 'edit'),
        filter((o) => 'ref' in o && (o.ref.startsWith('perm:') || o.ref.includes(':final:'))),
        map((o) => `${o.op} ${'ref' in o ? o.ref : ''} ${'text' in o ? o.text.split('\n')[0] : ''}`),
      );
      // Asked at 2; the CLI dies at 5 (the status notice expires the prompt); respawn at 15 asks
      // again at 17; the answer is delivered once, at 38.
      // The second prompt is still open when the turn ends: its buttons go ("expired") with the answer.
      expectObservable(shown$).toBe('--a--b 11ms c 20ms (ed)', {
        a: 'send perm:run1.1 Claude Code asks to use a tool',
        b: 'edit perm:run1.1 Expired (Claude Code restarted; it asks again if it still needs it): Bash',
        c: 'send perm:run1.2 Claude Code asks to use a tool',
        e: 'edit perm:run1.2 Expired (the turn ended before an answer): Bash',
        d: 'send 5:10:final:0 done',
      });
    });
  });

  it('queues per workspace in order, runs workspaces in parallel, and refuses overflow', () => {
    ts.run(({ hot, expectObservable }) => {
      const loop = appLoop(ts, {
        updates$: hot<Update>('abcd', { a: message('1', 5, 1), b: message('2', 5, 2), c: message('3', 6, 3), d: message('4', 5, 4) }),
        spawn: responsive(ts),
        config: { maxQueue: 2 },
      });
      // 1 answered at 5; 2 waits for it (written at 5, answered 10); 3 in parallel (2+5=7);
      // 4 is refused at once: chat 5 already holds 2 of its 2 places.
      expectObservable(finals(loop.ops$)).toBe('---d-a-c--b', { a: '5:re:1', b: '5:re:2', c: '6:re:3', d: '5:⚠️ Too many messages are waiting for this session; this one was not queued. Wait for the answers, or /stop, then send it again.' });
    });
  });

  it('/stop all drops the queued turns and says so; the running one is stopped', () => {
    ts.run(({ hot, expectObservable }) => {
      const loop = appLoop(ts, {
        updates$: hot<Update>('ab-c', { a: message('1', 5, 1), b: message('2', 5, 2), c: message('/stop all', 5, 3) }),
        spawn: responsive(ts, 10),
      });
      const replies$ = loop.ops$.pipe(
        filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send' && !o.ref.includes(':live')),
        map((o) => o.text.split('\n')[0]!),
      );
      expectObservable(replies$).toBe('---a------(bc)', {
        a: 'Stopping the running turn. Dropped 1 queued message.',
        b: '⏹ Stopped.',
        c: '⏹ Dropped from the queue by /stop.',
      });
    });
  });

  it('shows a turn as running (typing) before the CLI prints anything', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const loop = appLoop(ts, { updates$: hot<Update>('a', { a: message('hi') }), spawn: () => cold('s', V) });
      expectObservable(loop.ops$.pipe(map((o) => o.op)), '^ 100ms !').toBe('a', { a: 'typing' });
    });
  });

  it('a persona change during a turn ends the process when the turn is over, not before', () => {
    ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const p = cold('si-----r', V);
      const loop = appLoop(ts, { updates$: hot<Update>('a-b', { a: message('hi', 5, 1), b: message('/persona terse', 5, 2) }), spawn: () => p, idleMs: 1000 });
      expectObservable(finals(loop.ops$)).toBe('-------a', { a: '5:done' });
      // Without the change the process would live on for idleMs (1000) after the result.
      expectSubscriptions(p.subscriptions).toBe('^------!');
      ts.flush();
      expect(loop.writes).to.deep.include({ kind: 'persona', dir: '/s/chat5/default', persona: 'terse' });
    });
  });

  it('journals an accepted message and persists the chat, the conversation and the update offset', () => {
    ts.run(({ cold, hot }) => {
      const loop = appLoop(ts, { updates$: hot<Update>('a', { a: message('hi', 5, 1) }), spawn: () => cold('sir', V) });
      loop.ops$.subscribe();
      ts.flush();
      const kinds = loop.writes.map((w) => w.kind);
      expect(kinds).to.include.members(['journalAdd', 'chats', 'conversation', 'updateDone']);
      expect(loop.writes.find((w) => w.kind === 'conversation')).to.deep.equal({ kind: 'conversation', dir: '/s/chat5/default', sessionId: 'sess-1' });
      expect(loop.state().runtime['5/default']).to.deep.include({ pending: 0, sessionId: 'sess-1' });
    });
  });

  it('a message whose journal entry the disk refuses is not accepted, and the user is told; the next one is', () => {
    ts.run(({ hot, expectObservable }) => {
      let full = true;
      const loop = appLoop(ts, {
        updates$: hot<Update>('a-------b', { a: message('first', 5, 1), b: message('second', 5, 2) }),
        spawn: responsive(ts),
        storeResult: (w) => (w.kind === 'journalAdd' && full ? ((full = false), { write: w, ok: false, message: 'the disk is full' }) : { write: w, ok: true }),
      });
      const sends$ = loop.ops$.pipe(
        filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send'),
        map((o) => o.text.split('\n')[0]!),
      );
      expectObservable(sends$).toBe('a------- 5ms b', {
        a: "⚠️ Not accepted: the disk is full, so this message could not be recorded. Nothing was queued; send it again once the bot's disk has room.",
        b: 're:second',
      });
      ts.flush();
      expect(loop.writes.filter((w) => w.kind === 'journalRemove')).to.deep.equal([{ kind: 'journalRemove', id: '5:1' }]);
      expect(loop.state().runtime['5/default']?.pending).to.equal(0);
    });
  });
});
