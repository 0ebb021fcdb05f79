// parseCommand: commands and their arguments, hostile session names refused.
import { expect } from 'chai';
import { parseCommand } from '../../src/domain/commands.ts';

describe('commands', () => {
  const table: [string, unknown][] = [
    ['/new', { cmd: 'new' }],
    ['/new work-2', { cmd: 'new', name: 'work-2' }],
    ['/new@mybot x', { cmd: 'new', name: 'x' }],
    ['/switch', { cmd: 'invalid', message: 'Usage: /switch <name>. /sessions lists the names.' }],
    ['/stop', { cmd: 'stop', clear: false }],
    ['/stop all', { cmd: 'stop', clear: true }],
    ['/start', { cmd: 'help' }],
  ];
  for (const [text, cmd] of table) it(`${text} → ${JSON.stringify(cmd)}`, () => expect(parseCommand(text, 'mybot')).to.deep.equal(cmd));

  for (const hostile of ['/new ../../x', '/new a/b', '/switch ..', '/new ' + 'x'.repeat(33), '/persona ../etc/passwd', '/new .hidden', '/new a b c', '/new a ..', '/new a ../x', '/new a x/y@b', '/resume ../x', '/model a;b', '/worktree delete']) {
    it(`refuses ${hostile.slice(0, 30)}`, () => expect(parseCommand(hostile, 'mybot')).to.include({ cmd: 'invalid' }));
  }

  // Issue 10: sessions in projects and worktrees, the bot's new commands, Claude Code's commands.
  const more: [string, unknown][] = [
    ['/new a b', { cmd: 'new', name: 'a', project: 'b' }],
    ['/new fix my.app@feature/login-2', { cmd: 'new', name: 'fix', project: 'my.app', branch: 'feature/login-2' }],
    ['/projects', { cmd: 'projects' }],
    ['/model', { cmd: 'model' }],
    ['/model sonnet[1m]', { cmd: 'model', name: 'sonnet[1m]' }],
    ['/resume', { cmd: 'resume' }],
    ['/resume 0FA98578', { cmd: 'resume', id: '0fa98578' }],
    ['/worktree', { cmd: 'worktree' }],
    ['/worktree remove', { cmd: 'worktree', remove: { confirmed: false } }],
    ['/claude status', { cmd: 'claude', name: 'status', args: '', explicit: true }],
    ['/claude /code-review src/a.ts', { cmd: 'claude', name: 'code-review', args: 'src/a.ts', explicit: true }],
    ['/compact', { cmd: 'claude', name: 'compact', args: '', explicit: false }],
    ['/code_review now please', { cmd: 'claude', name: 'code_review', args: 'now please', explicit: false }],
  ];
  for (const [text, cmd] of more) it(`${text} → ${JSON.stringify(cmd)}`, () => expect(parseCommand(text, 'mybot')).to.deep.equal(cmd));

  it('/claude without a command name is refused with its usage', () => {
    expect(parseCommand('/claude', 'mybot')).to.include({ cmd: 'invalid' });
  });

  it('ignores commands addressed to another bot', () => {
    expect(parseCommand('/new@otherbot x', 'mybot')).to.equal(undefined);
  });
});
