// The chat menu as a projection of the state: set when the active session's Claude commands
// change (recorded from init), reset to the bot's own when the chat switches to a session without
// them, and nothing for the state the bot started with or for changes elsewhere.
import { expect } from 'chai';
import { map } from 'rxjs';
import { recordCommands } from '../../src/app/claudeCommand.ts';
import { menuFor, menuOps$ } from '../../src/app/menus.ts';
import { initialState, withChat, withRuntime, type AppState } from '../../src/app/state.ts';
import { testScheduler } from '../helpers/marbles.ts';

const s0 = initialState({ '5': { active: 'a', sessions: { a: { persona: 'p', createdAt: 'x' }, b: { persona: 'p', createdAt: 'x' } } } }, {}, []);
const s1 = recordCommands('5/a', ['compact', 'code-review'])(s0);
const s2 = withRuntime('5/a', (r) => ({ ...r, pending: 1 }))(s1); // not about chats
const s3 = recordCommands('5/a', ['compact', 'code-review'])(s2); // the same list again
const s4 = withChat('5', { ...s3.chats['5']!, active: 'b' })(s3);

describe('app/menus: setMyCommands per chat', () => {
  it('recordCommands keeps the state object when the list is unchanged', () => {
    expect(s3).to.equal(s2);
    expect(s1.chats['5']!.sessions.a!.claudeCommands).to.deep.equal(['compact', 'code-review']);
  });

  it('emits a chat menu on a change of the active session\'s commands, and the bot\'s menu after a switch', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const states = cold<AppState>('a-b-c-d-e|', { a: s0, b: s1, c: s2, d: s3, e: s4 });
      const ops = menuOps$(states).pipe(map((op) => (op.op === 'commands' ? `${op.chatId}:${op.commands.map((c) => c.command).slice(-2).join(',')}` : op.op)));
      const own = menuFor([]).map((c) => c.command).slice(-2).join(',');
      expectObservable(ops).toBe('--x-----y|', { x: '5:compact,code_review', y: `5:${own}` });
    });
  });
});
