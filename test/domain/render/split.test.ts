// splitRendered / truncateRendered: Telegram's per-message limits without breaking entities or surrogate pairs.
import { expect } from 'chai';
import fc from 'fast-check';
import { assertValidEntities, plain, splitsSurrogatePair } from '../../../src/domain/render/entities.ts';
import type { Entity, Rendered } from '../../../src/domain/render/entities.ts';
import { renderMarkdown } from '../../../src/domain/render/markdown.ts';
import { splitRendered, truncateRendered } from '../../../src/domain/render/split.ts';
import { anyUnit, input } from './arbitraries.ts';
import { show } from './show.ts';

const noWs = (s: string) => s.replace(/\s+/g, '');

const chunkOk = (c: Rendered, max: number) => {
  expect(c.text.length).to.be.at.most(max);
  expect(c.text.length).to.be.greaterThan(0);
  assertValidEntities(c, { maxLength: max, maxEntities: 100 });
  expect(splitsSurrogatePair(c.text, 0)).to.equal(false);
  expect(/^[\uDC00-\uDFFF]/.test(c.text), 'starts with a low surrogate').to.equal(false);
  expect(/[\uD800-\uDBFF]$/.test(c.text), 'ends with a high surrogate').to.equal(false);
  expect(c.text).to.not.match(/^\n|\n$/);
};

describe('splitRendered', () => {
  it('returns a short text unchanged as one chunk', () => {
    const r = renderMarkdown('**hi** there');
    expect(splitRendered(r)).to.deep.equal([r]);
  });

  it('returns [] for an empty or blank text', () => {
    expect(splitRendered(plain(''))).to.deep.equal([]);
    expect(splitRendered(plain('\n\n'))).to.deep.equal([]);
  });

  it('rejects max < 2', () => {
    expect(() => splitRendered(plain('abc'), 1)).to.throw(RangeError);
  });

  it('prefers a paragraph break, then a newline, then a space, then anywhere', () => {
    expect(splitRendered(plain('aaaa bbbb\ncc\n\ndd'), 14).map((c) => c.text)).to.deep.equal(['aaaa bbbb\ncc', 'dd']);
    expect(splitRendered(plain('aaaa bbbb\ncccc'), 12).map((c) => c.text)).to.deep.equal(['aaaa bbbb', 'cccc']);
    expect(splitRendered(plain('aaaa bbbb cccc'), 12).map((c) => c.text)).to.deep.equal(['aaaa bbbb', 'cccc']);
    expect(splitRendered(plain('abcdefghij'), 4).map((c) => c.text)).to.deep.equal(['abcd', 'efgh', 'ij']);
  });

  it('does not take a paragraph break that would leave the chunk under half full', () => {
    const text = `ab\n\n${'x '.repeat(20)}`;
    const chunks = splitRendered(plain(text), 20);
    expect(chunks[0]!.text.length).to.be.at.least(10);
  });

  it('never splits a surrogate pair', () => {
    const text = `a${'😀'.repeat(10)}`;
    const chunks = splitRendered(plain(text), 4);
    for (const c of chunks) chunkOk(c, 4);
    expect(chunks.map((c) => c.text).join('')).to.equal(text);
    expect(chunks[0]!.text).to.equal('a😀');
  });

  it('clips entities into both chunks', () => {
    const r: Rendered = { text: 'aaaa bbbb cccc', entities: [{ type: 'bold', offset: 2, length: 10 }, { type: 'text_link', offset: 0, length: 14, url: 'https://e.com/' }] };
    const chunks = splitRendered(r, 10);
    expect(chunks.map(show)).to.deep.equal([
      [['text_link', 'aaaa bbbb', 'https://e.com/'], ['bold', 'aa bbbb']],
      [['text_link', 'cccc', 'https://e.com/'], ['bold', 'cc']],
    ]);
  });

  it('moves a cut to before a pre block when the chunk stays at least half full', () => {
    const prose = 'word '.repeat(14).trim(); // 69 chars
    const code = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    const r = renderMarkdown(`${prose}\n\n\`\`\`js\n${code}\n\`\`\``);
    const chunks = splitRendered(r, 100);
    expect(chunks[0]!.text).to.equal(prose);
    expect(chunks[0]!.entities).to.deep.equal([]);
    expect(chunks[1]!.text).to.equal(code);
    expect(show(chunks[1]!)).to.deep.equal([['pre', code, 'js']]);
  });

  it('splits a long pre block and reopens it with the same language', () => {
    const code = Array.from({ length: 40 }, (_, i) => `console.log(${i});`).join('\n');
    const r = renderMarkdown(`\`\`\`ts\n${code}\n\`\`\``);
    const chunks = splitRendered(r, 200);
    expect(chunks.length).to.be.greaterThan(1);
    for (const c of chunks) {
      chunkOk(c, 200);
      expect(c.entities).to.deep.equal([{ type: 'pre', offset: 0, length: c.text.length, language: 'ts' }]);
    }
    expect(chunks.map((c) => c.text).join('\n')).to.equal(code);
  });

  it('caps each chunk at 100 entities, keeping the outer ones', () => {
    const md = `> ${Array.from({ length: 300 }, (_, i) => `**w${i}**`).join(' ')}`;
    const r = renderMarkdown(md);
    expect(r.entities.length).to.equal(301);
    const chunks = splitRendered(r, 4096);
    expect(chunks).to.have.length(1);
    chunkOk(chunks[0]!, 4096);
    expect(chunks[0]!.entities).to.have.length(100);
    expect(chunks[0]!.entities[0]!.type).to.equal('blockquote');
  });

  it('a 9000-char answer with a code block crossing 4096', () => {
    const para = (i: number) => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(6).trim()} **bold ${i}** and \`code ${i}\`.`;
    const intro = Array.from({ length: 8 }, (_, i) => para(i)).join('\n\n');
    const codeLines = Array.from({ length: 90 }, (_, i) => `  const value${i} = compute(${i}, "😀"); // step ${i}`);
    const outro = Array.from({ length: 16 }, (_, i) => para(100 + i)).join('\n\n');
    const md = `${intro}\n\n\`\`\`typescript\n${codeLines.join('\n')}\n\`\`\`\n\n${outro}`;
    const r = renderMarkdown(md);
    assertValidEntities(r);
    expect(r.text.length).to.be.greaterThan(9000);
    const pre = r.entities.find((e) => e.type === 'pre')!;
    expect(pre.offset).to.be.below(4096);
    expect(pre.offset + pre.length).to.be.above(4096);

    const chunks = splitRendered(r);
    expect(chunks.length).to.be.at.least(3);
    for (const c of chunks) chunkOk(c, 4096);
    // the code block continues as pre with the same language in the next chunk
    const withPre = chunks.map((c) => c.entities.filter((e) => e.type === 'pre'));
    const first = withPre.findIndex((p) => p.length > 0);
    expect(withPre[first]![0]!.language).to.equal('typescript');
    expect(withPre[first + 1]!.length).to.equal(1);
    expect(withPre[first + 1]![0]).to.include({ offset: 0, language: 'typescript' });
    // text intact
    expect(noWs(chunks.map((c) => c.text).join(''))).to.equal(noWs(r.text));
    const code = chunks.flatMap((c) => c.entities.filter((e) => e.type === 'pre').map((e) => c.text.slice(e.offset, e.offset + e.length)));
    expect(code.join('\n')).to.equal(codeLines.join('\n'));
  });
});

describe('truncateRendered', () => {
  it('returns a short text unchanged', () => {
    const r = renderMarkdown('**a** b');
    expect(truncateRendered(r, 10)).to.deep.equal(r);
  });

  it('keeps the head and ends with an ellipsis, entities clipped', () => {
    const r: Rendered = { text: 'hello world foo', entities: [{ type: 'bold', offset: 6, length: 9 }] };
    const t = truncateRendered(r, 10);
    expect(t.text).to.equal('hello wor…');
    expect(t.entities).to.deep.equal([{ type: 'bold', offset: 6, length: 3 }]);
    assertValidEntities(t, { maxLength: 10 });
  });

  it('drops whitespace before the ellipsis and never splits a pair', () => {
    expect(truncateRendered(plain('ab  cd'), 5).text).to.equal('ab…');
    expect(truncateRendered(plain('a😀😀'), 3).text).to.equal('a…');
    expect(truncateRendered(plain('a😀😀'), 4).text).to.equal('a😀…');
    expect(truncateRendered(plain('a😀😀'), 5).text).to.equal('a😀😀');
  });

  it('custom ellipsis and tiny max', () => {
    expect(truncateRendered(plain('abcdef'), 5, ' [...]').text).to.equal('abcde');
    expect(truncateRendered(plain('abcdef'), 0).text).to.equal('');
  });
});

describe('split properties', () => {
  it('split chunks respect max, keep valid entities, never cut a pair, lose nothing', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 2, max: 80 }), (md, max) => {
        const r = renderMarkdown(md);
        const chunks = splitRendered(r, max);
        for (const c of chunks) chunkOk(c, max);
        expect(noWs(chunks.map((c) => c.text).join(''))).to.equal(noWs(r.text));
      }),
      { numRuns: 1500 },
    );
  });

  it('split of arbitrary text + arbitrary entities stays valid', () => {
    const entity = (len: number) =>
      fc.record({
        type: fc.constantFrom('bold', 'italic', 'code', 'pre', 'text_link', 'blockquote', 'spoiler') as fc.Arbitrary<Entity['type']>,
        offset: fc.integer({ min: -2, max: len + 2 }),
        length: fc.integer({ min: -1, max: len + 2 }),
        url: fc.constant('https://e.com/'),
      });
    const arb = fc.string({ unit: anyUnit, maxLength: 300 }).chain((text) =>
      fc.tuple(fc.constant(text), fc.array(entity(text.length), { maxLength: 250 })),
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 2, max: 120 }), ([text, entities], max) => {
        const r: Rendered = { text, entities };
        const chunks = splitRendered(r, max);
        for (const c of chunks) {
          expect(c.text.length).to.be.within(1, max);
          assertValidEntities(c, { maxLength: max, maxEntities: 100 });
          expect(splitsSurrogatePair(r.text, 0)).to.equal(false);
        }
        expect(noWs(chunks.map((c) => c.text).join(''))).to.equal(noWs(text));
        const t = truncateRendered(r, max);
        expect(t.text.length).to.be.at.most(max);
        assertValidEntities(t, { maxLength: max, maxEntities: 100 });
      }),
      { numRuns: 500 },
    );
  });

  it('chunk boundaries never fall inside a surrogate pair of the original text', () => {
    const emojiText = fc.array(fc.constantFrom('😀', 'a', ' ', '\n', '👍🏽', '𝕏'), { maxLength: 200 }).map((a) => a.join(''));
    fc.assert(
      fc.property(emojiText, fc.integer({ min: 2, max: 30 }), (text, max) => {
        for (const c of splitRendered(plain(text), max)) {
          expect(c.text).to.not.match(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
          expect(c.text.length).to.be.at.most(max);
        }
        const t = truncateRendered(plain(text), max);
        expect(t.text).to.not.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      }),
    );
  });
});
