// Work buttons (project, model, resume, worktree removal) carry their argument both ways; what
// cannot be carried safely is not made into a button, and foreign data decodes to nothing.
import { expect } from 'chai';
import { decodeButton, encodeButton, encodeWorkButton, type WorkButton } from '../../src/domain/callbackData.ts';
import { claudeNamesFor, isMenuName, telegramCommandName } from '../../src/domain/workdir.ts';

describe('callbackData: work buttons', () => {
  const cases: WorkButton[] = [
    { kind: 'project', name: 'my.app-2' },
    { kind: 'model', name: 'sonnet[1m]' },
    { kind: 'resume', id: '0fa98578-1c90-402e-a829-630ed3a285ee' },
    { kind: 'removeWorktree', session: 'fix_1' },
  ];
  for (const b of cases) {
    it(`${b.kind} round-trips within 64 bytes`, () => {
      const data = encodeWorkButton(b)!;
      expect(Buffer.byteLength(data)).to.be.at.most(64);
      expect(decodeButton(data)).to.deep.equal(b);
    });
  }
  it('arguments that cannot be carried give no button', () => {
    expect(encodeWorkButton({ kind: 'project', name: 'a b' })).to.equal(undefined);
    expect(encodeWorkButton({ kind: 'project', name: 'x'.repeat(61) })).to.equal(undefined);
    expect(encodeWorkButton({ kind: 'resume', id: '../../etc' })).to.equal(undefined);
  });
  it('foreign or tampered data decodes to nothing; old kinds still decode', () => {
    for (const d of ['j:', 'j:a/b', 'r:zzzzzzzz', 'x:../a', 'q:abc', undefined]) expect(decodeButton(d)).to.equal(undefined);
    expect(decodeButton(encodeButton({ kind: 'stall', token: 'ab.1', choice: 'stop' }))).to.deep.equal({ kind: 'stall', token: 'ab.1', choice: 'stop' });
  });
});

describe('Telegram command names ↔ Claude command names', () => {
  it('maps - to _ for the menu and back', () => {
    expect(telegramCommandName('code-review')).to.equal('code_review');
    expect(claudeNamesFor('code_review')).to.deep.equal(['code_review', 'code-review']);
    expect(claudeNamesFor('compact')).to.deep.equal(['compact']);
  });
  it('names Telegram cannot show are left out of the menu', () => {
    expect(isMenuName('plugin:cmd')).to.equal(false);
    expect(isMenuName('x'.repeat(33))).to.equal(false);
    expect(isMenuName('security-review')).to.equal(true);
  });
});
