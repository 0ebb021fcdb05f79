// Warm after a restart (virtual time, the app over a ClaudeDriver with scripted processes): the
// most recently active workspaces get a process at start, the next message uses it, and a warm
// process nobody uses is reaped after the idle time.
import { expect } from 'chai';
import { concatMap, filter, map, Observable, timer } from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import type { AppState } from '../../src/app/state.ts';
import { warmWorkspaces } from '../../src/app/warm.ts';
import type { ProcOut } from '../../src/domain/claude.ts';
import type { Chats } from '../../src/domain/workspaces.ts';
import { appLoop } from '../helpers/appLoop.ts';
import { initLine, resultLine } from '../helpers/lines.ts';
import { testScheduler } from '../helpers/marbles.ts';

const out = (line: string): ProcOut => ({ kind: 'stdout', line });
const meta = (lastActivity?: number) => ({ persona: 'default', createdAt: 'x', ...(lastActivity !== undefined ? { lastActivity } : {}) });
const chats: Chats = {
  '5': { active: 'default', sessions: { default: meta(300), old: meta(100) } },
  '6': { active: 'default', sessions: { default: meta(200) } },
  '7': { active: 'default', sessions: { default: meta() } },
};
const message = (text: string): Update =>
  ({ update_id: 1, message: { message_id: 10, date: 0, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'o' }, text } }) as Update;

describe('warm after restart (app, virtual time)', () => {
  it('orders the used workspaces by last activity, most recent first, and leaves out those with recovered turns', () => {
    const s = { chats, runtime: { '6/default': { pending: 1, generation: 0 } } } as unknown as AppState;
    expect(warmWorkspaces({ ...s, runtime: {} }, 10)).to.deep.equal(['5/default', '6/default', '5/old']);
    expect(warmWorkspaces(s, 2)).to.deep.equal(['5/default', '5/old']);
  });

  it('starts the most recent ones at once; the first message uses its warm process; an unused one is reaped when idle', () => {
    const ts = testScheduler();
    const spawned: Array<{ t: number; dir: string; args: string[] }> = [];
    const ended: Array<{ t: number; dir: string }> = [];
    ts.run(({ hot }) => {
      const spawn = (specOf: () => { cwd: string; args: string[] }, stdin$: Observable<string>) =>
        new Observable<ProcOut>((sub) => {
          const spec = specOf();
          spawned.push({ t: ts.now(), dir: spec.cwd, args: spec.args });
          sub.next({ kind: 'spawned', pid: 9 });
          const s = stdin$
            .pipe(
              map((l) => JSON.parse(l)),
              filter((m) => m.type === 'user'),
              concatMap(() => timer(5, ts).pipe(concatMap(() => [out(initLine('s1')), out(resultLine('done'))]))),
            )
            .subscribe((o) => sub.next(o));
          return () => (s.unsubscribe(), ended.push({ t: ts.now(), dir: spec.cwd }));
        });
      const loop = appLoop(ts, { updates$: hot<Update>('50ms a', { a: message('hi') }), spawn: spawn as never, chats, config: { warmSessions: 2 }, idleMs: 1000 });
      loop.ops$.subscribe();
    });
    expect(spawned.map((p) => [p.t, p.dir])).to.deep.equal([[0, '/s/chat5/default'], [0, '/s/chat6/default']]);
    // chat 6's warm process: never used, reaped after idleMs; chat 5's: used at 50, reaped 1000 after its turn.
    expect(ended).to.deep.include({ t: 1000, dir: '/s/chat6/default' });
    expect(ended).to.deep.include({ t: 1055, dir: '/s/chat5/default' });
  });
});
