// joinRendered / styled: pieces of rendered text put together with their entities still on the same characters.
import { expect } from 'chai';
import fc from 'fast-check';
import { joinRendered, styled } from '../../../src/domain/render/compose.ts';
import { assertValidEntities, plain } from '../../../src/domain/render/entities.ts';
import type { Rendered } from '../../../src/domain/render/entities.ts';
import { renderMarkdown } from '../../../src/domain/render/markdown.ts';
import { show } from './show.ts';

describe('joinRendered', () => {
  it('joins with a newline by default and shifts entities by what precedes them', () => {
    const r = joinRendered([styled('ab', 'bold'), plain('c'), { text: 'x😀y', entities: [{ type: 'code', offset: 1, length: 3 }] }]);
    expect(r.text).to.equal('ab\nc\nx😀y');
    expect(r.entities).to.deep.equal([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'code', offset: 6, length: 3 },
    ]);
  });

  it('uses the given separator', () => {
    const r = joinRendered([plain('a'), styled('b', 'italic')], '\n\n');
    expect(r.text).to.equal('a\n\nb');
    expect(show(r)).to.deep.equal([['italic', 'b']]);
  });

  it('skips empty parts: no separator doubled, none at either end', () => {
    expect(joinRendered([plain(''), plain('a'), plain(''), plain(''), plain('b'), plain('')], ' | ').text).to.equal('a | b');
    expect(joinRendered([plain(''), styled('', 'bold')])).to.deep.equal({ text: '', entities: [] });
    expect(joinRendered([])).to.deep.equal({ text: '', entities: [] });
  });

  it('keeps url and language, and leaves its inputs alone', () => {
    const link: Rendered = { text: 'docs', entities: [{ type: 'text_link', offset: 0, length: 4, url: 'https://e.com/' }] };
    const pre: Rendered = { text: 'x()', entities: [{ type: 'pre', offset: 0, length: 3, language: 'js' }] };
    const r = joinRendered([link, pre]);
    expect(show(r)).to.deep.equal([
      ['text_link', 'docs', 'https://e.com/'],
      ['pre', 'x()', 'js'],
    ]);
    expect(pre.entities[0]!.offset).to.equal(0);
  });

  it('every entity covers the same characters after joining, and the result stays valid', () => {
    const md = fc.array(fc.constantFrom('**b**', '*i*', '`c`', '😀', 'word', ' ', '[l](https://e.com/)', '\n\n```\npre\n```\n'), { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(md, { maxLength: 6 }), fc.constantFrom('\n', '\n\n', ' · '), (mds, sep) => {
        const parts = mds.map(renderMarkdown);
        const r = joinRendered(parts, sep);
        const kept = parts.filter((p) => p.text.length > 0);
        expect(r.text).to.equal(kept.map((p) => p.text).join(sep));
        expect(show(r)).to.deep.equal(kept.flatMap(show));
        assertValidEntities(r);
      }),
    );
  });
});

describe('styled', () => {
  it('covers the whole text with one entity', () => {
    expect(styled('⚠️ note', 'italic')).to.deep.equal({ text: '⚠️ note', entities: [{ type: 'italic', offset: 0, length: 7 }] });
    expect(styled('x', 'code').entities).to.deep.equal([{ type: 'code', offset: 0, length: 1 }]);
  });

  it('gives no entity for an empty text (Telegram refuses zero-length entities)', () => {
    expect(styled('', 'bold')).to.deep.equal({ text: '', entities: [] });
  });
});
