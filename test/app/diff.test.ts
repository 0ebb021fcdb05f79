// The Diff button's fingerprints in virtual time: the first turn of a workspace waits for one before
// it starts; later turns start at once, with the one the previous turn left as their "before".
import { expect } from 'chai';
import { EMPTY, filter, map, timer, type Observable } from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import type { ClaudeCommand } from '../../src/domain/claude.ts';
import type { IoRequest, IoResult } from '../../src/domain/io.ts';
import type { OutOp } from '../../src/domain/telegram.ts';
import { appLoop, responsive } from '../helpers/appLoop.ts';
import { testScheduler } from '../helpers/marbles.ts';

const from5 = { id: 5, is_bot: false, first_name: 'o' };
const msg = (n: number): Update => ({ update_id: n, message: { message_id: 10 + n, date: 0, chat: { id: 5, type: 'private' }, from: from5, text: `m${n}` } }) as unknown as Update;

describe('the Diff button in the app (virtual time)', () => {
  it('takes a fingerprint before the first turn only; a changed tree gets the button, an unchanged one not', () => {
    const ts = testScheduler();
    const asked: string[] = [];
    let loop!: ReturnType<typeof appLoop>;
    // The work tree as git would see it at each request: the second turn changes it.
    const tree = ['clean', 'clean', 'edited', 'edited'];
    ts.run(({ hot, expectObservable }) => {
      loop = appLoop(ts, {
        updates$: hot<Update>('a 99ms b 99ms c', { a: msg(1), b: msg(2), c: msg(3) }),
        spawn: responsive(ts, 3),
        config: { diffButton: true },
        io: (req: IoRequest): Observable<IoResult> => {
          if (req.kind !== 'gitState') return EMPTY;
          asked.push(req.id.split(':')[0]!);
          const state = tree[asked.length - 1];
          return timer(10, ts).pipe(map((): IoResult => ({ kind: 'gitState', id: req.id, state })));
        },
      });
      const finals$ = loop.ops$.pipe(
        filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send' && o.answers !== undefined),
        map((o) => `${o.text.split('\n')[0]} ${JSON.stringify(o.replyMarkup ?? null).includes('Diff') ? 'Diff' : '-'}`),
      );
      // First turn: 10 ms fingerprint, 3 ms answer, 10 ms fingerprint. Later turns: 3 + 10 ms.
      expectObservable(finals$, '^ 400ms !').toBe('23ms a 89ms b 99ms c', { a: 're:m1 -', b: 're:m2 Diff', c: 're:m3 -' });
    });
    expect(asked, 'one fingerprint before the first turn, then one after each turn').to.deep.equal(['git0', 'git1', 'git1', 'git1']);
    const userLines = loop.commands.filter((c): c is Extract<ClaudeCommand, { kind: 'write' }> => c.kind === 'write' && c.line.includes('"type":"user"'));
    expect(userLines).to.have.length(3);
  });

  it('a folder that is not a work tree: one look before the first turn, one after each; a folder that became one has no button until it changes again', () => {
    const ts = testScheduler();
    const asked: string[] = [];
    // Not a work tree until `git init` during the second turn; the third turn changes it.
    const tree = [undefined, undefined, 'initialized', 'changed'];
    ts.run(({ hot, expectObservable }) => {
      const loop = appLoop(ts, {
        updates$: hot<Update>('a 99ms b 99ms c', { a: msg(1), b: msg(2), c: msg(3) }),
        spawn: responsive(ts, 3),
        config: { diffButton: true },
        io: (req: IoRequest): Observable<IoResult> => {
          asked.push(req.kind === 'gitState' ? req.id.split(':')[0]! : req.kind);
          const state = tree[asked.length - 1];
          return timer(1, ts).pipe(map((): IoResult => ({ kind: 'gitState', id: req.id, state })));
        },
      });
      const finals$ = loop.ops$.pipe(
        filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send' && o.answers !== undefined),
        map((o) => (JSON.stringify(o.replyMarkup ?? null).includes('Diff') ? 'D' : 'f')),
      );
      // Not a work tree before the turn: the final message does not wait for the look after it.
      expectObservable(finals$, '^ 300ms !').toBe('4ms f 98ms f 100ms D');
    });
    expect(asked).to.deep.equal(['git0', 'git1', 'git1', 'git1']);
  });
});
