// tableLines: a GFM table laid out as aligned monospace lines.
import { expect } from 'chai';
import { tableLines } from '../../../src/domain/render/table.ts';

describe('tableLines', () => {
  it('pads columns to their widest cell, with a rule under the header', () => {
    expect(tableLines([['a', 'bb'], ['long', 'c']], [null, null])).to.deep.equal(['a    | bb', '-----|---', 'long | c']);
  });

  it('aligns right and centre as the table says', () => {
    expect(tableLines([['h', 'n'], ['abcd', '1']], ['center', 'right'])).to.deep.equal([' h   | n', '-----|--', 'abcd | 1']);
  });

  it('counts characters, not UTF-16 units, and fills missing cells', () => {
    expect(tableLines([['😀', 'x'], ['ab']], undefined)).to.deep.equal(['😀  | x', '---|--', 'ab |']);
  });

  it('has no lines for a table without columns', () => {
    expect(tableLines([], null)).to.deep.equal([]);
    expect(tableLines([[], []], null)).to.deep.equal([]);
  });
});
