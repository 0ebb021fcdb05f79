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

  for (const hostile of ['/new ../../x', '/new a/b', '/switch ..', '/new ' + 'x'.repeat(33), '/persona ../etc/passwd', '/new .hidden', '/new a b']) {
    it(`refuses ${hostile.slice(0, 30)}`, () => expect(parseCommand(hostile, 'mybot')).to.include({ cmd: 'invalid' }));
  }

  it('ignores commands addressed to another bot', () => {
    expect(parseCommand('/new@otherbot x', 'mybot')).to.equal(undefined);
  });
});
