// Stop means stop, through the app in virtual time: a /stop before the first token tells the user
// the request was cancelled and the next message tells Claude; a stopped turn's permission
// buttons are edited to "expired".
import { expect } from 'chai';
import { filter, map, Observable, timer } from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import type { ProcOut } from '../../src/domain/claude.ts';
import type { OutOp } from '../../src/domain/telegram.ts';
import { CANCELLED_NOTE } from '../../src/app/cancelled.ts';
import { appLoop } from '../helpers/appLoop.ts';
import { initLine, resultLine, textLine } from '../helpers/lines.ts';
import { testScheduler } from '../helpers/marbles.ts';

const out = (line: string): ProcOut => ({ kind: 'stdout', line });
let updateId = 0;
const message = (text: string, messageId: number): Update =>
  ({ update_id: ++updateId, message: { message_id: messageId, date: 0, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'o' }, text } }) as Update;
const finals = (ops$: Observable<OutOp>) =>
  ops$.pipe(
    filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send' && o.ref.includes(':final:')),
    map((o) => o.text),
  );
const stoppedResult = out(resultLine('', { isError: true, subtype: 'error_during_execution' }));

describe('stop (app, virtual time)', () => {
  it('a /stop before the first token: the user is told it was cancelled, and Claude is told with the next message', () => {
    const ts = testScheduler();
    const userLines: unknown[] = [];
    const texts: string[] = [];
    ts.run(({ hot }) => {
      // Silent on the first message; answers an interrupt with a stopped result, the next message with text.
      const spawn = (_spec: unknown, stdin$: Observable<string>) =>
        new Observable<ProcOut>((sub) => {
          sub.next({ kind: 'spawned', pid: 9 });
          return stdin$.subscribe((l) => {
            const m = JSON.parse(l);
            if (m.type === 'control_request') return timer(1, ts).subscribe(() => (sub.next(out(initLine('s1'))), sub.next(stoppedResult)));
            if (m.type !== 'user') return;
            userLines.push(m.message.content);
            if (userLines.length > 1) timer(2, ts).subscribe(() => (sub.next(out(initLine('s1'))), sub.next(out(textLine('fine'))), sub.next(out(resultLine('fine')))));
          });
        });
      const loop = appLoop(ts, { updates$: hot<Update>('a-b 10ms c', { a: message('take your time', 1), b: message('/stop', 2), c: message('still there?', 3) }), spawn });
      loop.ops$.pipe(finals).subscribe((t) => texts.push(t));
    });
    expect(texts[0]).to.match(/^⏹ Stopped\.\n\nThis request was cancelled before Claude answered it/);
    expect(texts[1]).to.match(/^fine/);
    expect(userLines[0]).to.equal('take your time');
    expect(userLines[1]).to.deep.equal([{ type: 'text', text: CANCELLED_NOTE }, { type: 'text', text: 'still there?' }]);
  });

  it('a stop after text came: no cancellation notice, and the next message goes as it is', () => {
    const ts = testScheduler();
    const userLines: unknown[] = [];
    const texts: string[] = [];
    ts.run(({ hot }) => {
      const spawn = (_spec: unknown, stdin$: Observable<string>) =>
        new Observable<ProcOut>((sub) => {
          sub.next({ kind: 'spawned', pid: 9 });
          return stdin$.subscribe((l) => {
            const m = JSON.parse(l);
            if (m.type === 'control_request') return timer(1, ts).subscribe(() => sub.next(stoppedResult));
            if (m.type !== 'user') return;
            userLines.push(m.message.content);
            if (userLines.length === 1) sub.next(out(textLine('partial')));
            else timer(2, ts).subscribe(() => sub.next(out(resultLine('fine'))));
          });
        });
      const loop = appLoop(ts, { updates$: hot<Update>('a-b 10ms c', { a: message('go', 1), b: message('/stop', 2), c: message('next', 3) }), spawn });
      loop.ops$.pipe(finals).subscribe((t) => texts.push(t));
    });
    expect(texts[0]).to.match(/^⏹ Stopped\.\n\npartial\n\n⏱/);
    expect(userLines).to.deep.equal(['go', 'next']);
  });

  it('edits the permission buttons of a stopped turn to "expired"', () => {
    const ts = testScheduler();
    const ask = out(JSON.stringify({ type: 'control_request', request_id: 'req-1', request: { subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'touch x' }, tool_use_id: 't1' } }));
    const ops: OutOp[] = [];
    ts.run(({ cold, hot }) => {
      const p = cold<ProcOut>('siq-----r', { s: { kind: 'spawned', pid: 7 }, i: out(initLine('s1')), q: ask, r: stoppedResult });
      const loop = appLoop(ts, {
        updates$: hot<Update>('a---b', { a: message('make x', 1), b: message('/stop', 2) }),
        spawn: () => p,
        chats: { '5': { active: 'default', sessions: { default: { persona: 'careful', createdAt: 'x' } } } },
      });
      loop.ops$.subscribe((o) => ops.push(o));
    });
    const perm = ops.filter((o) => 'ref' in o && o.ref.startsWith('perm:'));
    expect(perm.map((o) => `${o.op} ${'text' in o ? (o.text ?? '').split('\n')[0] : ''}`)).to.deep.equal([
      'send Claude Code asks to use a tool',
      'edit Expired (the turn ended before an answer): Bash',
    ]);
    expect(perm[1]).to.deep.include({ replyMarkup: { inline_keyboard: [] } });
  });
});
