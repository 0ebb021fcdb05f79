import { expect } from 'chai';
import fc from 'fast-check';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Nodes } from 'mdast';
import {
  assertValidEntities,
  capEntities,
  normalizeEntities,
  plain,
  splitsSurrogatePair,
} from '../src/domain/render/entities.ts';
import type { Entity, Rendered } from '../src/domain/render/entities.ts';
import { renderMarkdown } from '../src/domain/render/markdown.ts';
import { splitRendered, truncateRendered } from '../src/domain/render/split.ts';

/** [type, covered text, url or language] — readable expectations. */
type Shown = [string, string] | [string, string, string];
const show = (r: Rendered): Shown[] =>
  r.entities.map((e) => {
    const covered = r.text.slice(e.offset, e.offset + e.length);
    const extra = e.url ?? e.language;
    return extra === undefined ? [e.type, covered] : [e.type, covered, extra];
  });

const noWs = (s: string) => s.replace(/\s+/g, '');

interface Case {
  name: string;
  md: string;
  text: string;
  entities?: Shown[];
}

const cases: Case[] = [
  { name: 'plain paragraph', md: 'Hello world', text: 'Hello world', entities: [] },
  { name: 'paragraphs separated by one blank line', md: 'a\n\n\n\nb', text: 'a\n\nb', entities: [] },
  { name: 'soft break kept', md: 'a\nb', text: 'a\nb' },
  { name: 'hard break (two spaces)', md: 'a  \nb', text: 'a\nb' },
  { name: 'hard break (backslash)', md: 'a\\\nb', text: 'a\nb' },
  { name: 'no trailing whitespace', md: 'a   \n\n\n', text: 'a' },
  { name: 'ATX heading → bold line', md: '# Title\n\nBody', text: 'Title\n\nBody', entities: [['bold', 'Title']] },
  { name: 'setext heading', md: 'Title\n===\nBody', text: 'Title\n\nBody', entities: [['bold', 'Title']] },
  { name: 'heading with strong: no bold in bold', md: '## **A** b *c*', text: 'A b c', entities: [['bold', 'A b c'], ['italic', 'c']] },
  {
    name: 'strong / emphasis / delete',
    md: '**b** *i* _j_ ~~s~~',
    text: 'b i j s',
    entities: [['bold', 'b'], ['italic', 'i'], ['italic', 'j'], ['strikethrough', 's']],
  },
  { name: 'single tilde is literal', md: 'takes ~5 min, ~ok~', text: 'takes ~5 min, ~ok~', entities: [] },
  { name: 'inline code', md: 'run `npm test` now', text: 'run npm test now', entities: [['code', 'npm test']] },
  { name: 'inline code keeps markdown chars', md: '`*a* [b](c)`', text: '*a* [b](c)', entities: [['code', '*a* [b](c)']] },
  { name: 'fence with language', md: '```ts\nconst a = 1;\n```', text: 'const a = 1;', entities: [['pre', 'const a = 1;', 'ts']] },
  { name: 'fence with meta: language only', md: '```js title="x"\nx()\n```', text: 'x()', entities: [['pre', 'x()', 'js']] },
  { name: 'fence without language', md: '```\nplain\n```', text: 'plain', entities: [['pre', 'plain']] },
  { name: 'tilde fence', md: '~~~py\nprint(1)\n~~~', text: 'print(1)', entities: [['pre', 'print(1)', 'py']] },
  { name: 'indented code', md: 'para\n\n    x = 1\n    y = 2', text: 'para\n\nx = 1\ny = 2', entities: [['pre', 'x = 1\ny = 2']] },
  {
    name: 'unclosed fence → pre to the end',
    md: 'Intro\n\n```py\nprint(1)\n\n**not bold**',
    text: 'Intro\n\nprint(1)\n\n**not bold**',
    entities: [['pre', 'print(1)\n\n**not bold**', 'py']],
  },
  { name: 'fence keeps indentation', md: '```\n  a\n    b\n```', text: '  a\n    b', entities: [['pre', '  a\n    b']] },
  { name: 'http link', md: '[site](https://example.com/a?b=1)', text: 'site', entities: [['text_link', 'site', 'https://example.com/a?b=1']] },
  { name: 'tg link', md: '[me](tg://user?id=1)', text: 'me', entities: [['text_link', 'me', 'tg://user?id=1']] },
  { name: 'javascript: link → plain text + url', md: '[x](javascript:alert(1))', text: 'x (javascript:alert(1))', entities: [] },
  { name: 'relative link → plain text + url', md: 'see [docs](./README.md)', text: 'see docs (./README.md)', entities: [] },
  { name: 'unparsable http link', md: '[x](http://)', text: 'x (http://)', entities: [] },
  { name: 'link whose text is its url', md: '[foo](foo)', text: 'foo', entities: [] },
  { name: 'link with empty text → url', md: '[](https://e.com/x)', text: 'https://e.com/x', entities: [] },
  { name: 'angle autolink → plain', md: '<https://example.com>', text: 'https://example.com', entities: [] },
  { name: 'bare URL → plain', md: 'see https://example.com/x.', text: 'see https://example.com/x.', entities: [] },
  { name: 'www literal → plain', md: 'www.example.com', text: 'www.example.com', entities: [] },
  { name: 'email autolink → plain', md: '<a@b.co> and c@d.io', text: 'a@b.co and c@d.io', entities: [] },
  {
    name: 'reference link + definition kept visible',
    md: '[x][r]\n\n[r]: https://e.com/',
    text: 'x\n\n[r]: https://e.com/',
    entities: [['text_link', 'x', 'https://e.com/']],
  },
  { name: 'image → alt + url', md: '![cat](https://x.io/cat.png)', text: 'cat (https://x.io/cat.png)', entities: [] },
  { name: 'image without alt → url', md: '![](https://x.io/y.png)', text: 'https://x.io/y.png', entities: [] },
  { name: 'bullets', md: '- a\n- b\n* c', text: '• a\n• b\n\n• c', entities: [] },
  { name: 'nested bullets', md: '- a\n  - b\n    - c\n- d', text: '• a\n  • b\n    • c\n• d', entities: [] },
  { name: 'continuation lines indented', md: '- a\n  more\n- b', text: '• a\n  more\n• b' },
  { name: 'ordered list', md: '1. one\n2. two', text: '1. one\n2. two' },
  { name: 'ordered list renumbers from start', md: '3. x\n3. y', text: '3. x\n4. y' },
  { name: 'ordered inside bullets', md: '- a\n  1. x\n  2. y', text: '• a\n  1. x\n  2. y' },
  { name: 'task list', md: '- [ ] todo\n- [x] done', text: '☐ todo\n☑ done', entities: [] },
  { name: 'loose list', md: '- a\n\n- b', text: '• a\n\n• b' },
  { name: 'empty list item', md: '-\n- b', text: '•\n• b' },
  {
    name: 'list item with code block: code not indented',
    md: '1. Run:\n\n   ```sh\n   npm i\n   ```',
    text: '1. Run:\n\nnpm i',
    entities: [['pre', 'npm i', 'sh']],
  },
  {
    name: 'list item formatting',
    md: '- **a** `b`',
    text: '• a b',
    entities: [['bold', 'a'], ['code', 'b']],
  },
  { name: 'blockquote', md: '> quoted **b**', text: 'quoted b', entities: [['blockquote', 'quoted b'], ['bold', 'b']] },
  {
    name: 'nested blockquote → one blockquote',
    md: '> a\n> > b',
    text: 'a\n\nb',
    entities: [['blockquote', 'a\n\nb']],
  },
  {
    name: 'code inside blockquote',
    md: '> a\n> ```py\n> x\n> ```',
    text: 'a\n\nx',
    entities: [['blockquote', 'a\n\nx'], ['pre', 'x', 'py']],
  },
  { name: 'thematic break', md: 'a\n\n---\n\nb', text: 'a\n\n———\n\nb', entities: [] },
  {
    name: 'table → aligned pre',
    md: '| a | bb |\n|:-|--:|\n| long cell | 1 |\n| `c` | [l](https://x.y) |',
    text: 'a         |              bb\n----------|----------------\nlong cell |               1\nc         | l (https://x.y)',
    entities: [['pre', 'a         |              bb\n----------|----------------\nlong cell |               1\nc         | l (https://x.y)']],
  },
  { name: 'centered table column', md: '| h |\n|:-:|\n| abc |', text: ' h\n---\nabc', entities: [[ 'pre', ' h\n---\nabc' ]] },
  { name: 'inline html raw', md: 'a <b>x</b> c', text: 'a <b>x</b> c', entities: [] },
  { name: 'block html raw', md: '<div>\nhi\n</div>', text: '<div>\nhi\n</div>', entities: [] },
  { name: 'footnotes visible', md: 'a[^1]\n\n[^1]: note', text: 'a[^1]\n\n[^1]: note', entities: [] },
  {
    name: 'hostile: special characters (brief)',
    // `[`]()` is a link with an empty URL in GFM (so [ ] ( ) are markup); `\\` is an escaped backslash.
    md: '*_[`]()~>#+-=|{}.!\\\\',
    text: '*_`~>#+-=|{}.!\\',
    entities: [],
  },
  {
    name: 'hostile: special characters in prose stay literal',
    md: '1 + 1 = 2. (a) {b} [c] #d ~e |f| !g a_b_c snake_case_name 5 > 3 <- x -> y',
    text: '1 + 1 = 2. (a) {b} [c] #d ~e |f| !g a_b_c snake_case_name 5 > 3 <- x -> y',
    entities: [],
  },
  { name: 'hostile: escapes', md: '\\*not italic\\* \\_x\\_ \\# \\[y\\](z)', text: '*not italic* _x_ # [y](z)', entities: [] },
  { name: 'hostile: lone markup chars', md: '* ** _ __ ` ``` ~~', text: '• ** _ __ ` ``` ~~' },
  { name: 'hostile: unclosed emphasis', md: '**bold never closed and *it', text: '**bold never closed and *it', entities: [] },
  { name: 'hostile: unclosed link', md: '[text](https://e.com', text: '[text](https://e.com', entities: [] },
  {
    name: 'nested bold/italic',
    md: '***bi*** **b *i* b**',
    text: 'bi b i b',
    entities: [['bold', 'bi'], ['italic', 'bi'], ['bold', 'b i b'], ['italic', 'i']],
  },
  { name: 'bold in bold collapses', md: '**a **b** c**', text: 'a b c', entities: [['bold', 'a b c']] },
  {
    name: 'formatting inside a link',
    md: '[**bold** link](https://e.com/)',
    text: 'bold link',
    entities: [['text_link', 'bold link', 'https://e.com/'], ['bold', 'bold']],
  },
  {
    name: 'link inside bold inside italic',
    md: '*it **b [l](https://e.com/) b***',
    text: 'it b l b',
    entities: [['italic', 'it b l b'], ['bold', 'b l b'], ['text_link', 'l', 'https://e.com/']],
  },
  { name: 'code inside link: link wins', md: '[`code`](https://e.com/)', text: 'code', entities: [['text_link', 'code', 'https://e.com/']] },
  {
    name: 'code inside bold: bold split around code',
    md: '**run `npm test` now**',
    text: 'run npm test now',
    entities: [['bold', 'run '], ['code', 'npm test'], ['bold', ' now']],
  },
  {
    name: 'emoji: UTF-16 offsets',
    md: '😀 **👍🏽 x** `é`',
    text: '😀 👍🏽 x é',
    entities: [['bold', '👍🏽 x'], ['code', 'é']],
  },
  { name: 'CRLF normalised', md: 'a\r\nb\r\n\r\nc', text: 'a\nb\n\nc' },
  { name: 'lone surrogate → U+FFFD', md: 'a\ud83d **b**', text: 'a\ufffd b', entities: [['bold', 'b']] },
  { name: 'empty input', md: '', text: '', entities: [] },
  { name: 'whitespace-only input', md: '  \n\n \t', text: '', entities: [] },
];

describe('renderMarkdown', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = renderMarkdown(c.md);
      expect(r.text).to.equal(c.text);
      assertValidEntities(r);
      if (c.entities) expect(show(r)).to.deep.equal(c.entities);
    });
  }

  it('computes exact UTF-16 offsets after emoji', () => {
    const r = renderMarkdown('😀😀 **x** [y](https://e.com/)');
    expect(r.text).to.equal('😀😀 x y');
    expect(r.entities).to.deep.equal([
      { type: 'bold', offset: 5, length: 1 },
      { type: 'text_link', offset: 7, length: 1, url: 'https://e.com/' },
    ]);
  });

  it('deep nesting does not exhaust the stack (deep parts stay as source text)', () => {
    for (const md of ['>'.repeat(1500) + ' x', `${'- '.repeat(300)}x`, `${'['.repeat(500)}x${'](https://e.com)'.repeat(500)}`]) {
      const r = renderMarkdown(md);
      assertValidEntities(r);
      expect(r.text).to.contain('x');
    }
  });

  it('a typical Claude answer', () => {
    const md = [
      '## Summary',
      '',
      'I changed **two files**:',
      '',
      '- `src/a.ts` — fixed the *off-by-one*',
      '- `src/b.ts` — see [docs](https://example.com/docs)',
      '',
      '```diff',
      '- old',
      '+ new',
      '```',
      '',
      'Run `npm test` (takes ~5 min).',
    ].join('\n');
    const r = renderMarkdown(md);
    assertValidEntities(r);
    expect(r.text).to.equal(
      'Summary\n\nI changed two files:\n\n• src/a.ts — fixed the off-by-one\n• src/b.ts — see docs\n\n- old\n+ new\n\nRun npm test (takes ~5 min).',
    );
    expect(show(r)).to.deep.equal([
      ['bold', 'Summary'],
      ['bold', 'two files'],
      ['code', 'src/a.ts'],
      ['italic', 'off-by-one'],
      ['code', 'src/b.ts'],
      ['text_link', 'docs', 'https://example.com/docs'],
      ['pre', '- old\n+ new', 'diff'],
      ['code', 'npm test'],
    ]);
  });
});

describe('entities helpers', () => {
  it('assertValidEntities rejects bad entities', () => {
    const bad: Array<[string, Entity[]]> = [
      ['zero length', [{ type: 'bold', offset: 0, length: 0 }]],
      ['out of range', [{ type: 'bold', offset: 2, length: 5 }]],
      ['negative', [{ type: 'bold', offset: -1, length: 2 }]],
      ['crossing', [{ type: 'bold', offset: 0, length: 3 }, { type: 'italic', offset: 2, length: 3 }]],
      ['inside code', [{ type: 'code', offset: 0, length: 4 }, { type: 'bold', offset: 1, length: 1 }]],
      ['code in bold', [{ type: 'bold', offset: 0, length: 4 }, { type: 'code', offset: 1, length: 1 }]],
      ['nested blockquote', [{ type: 'blockquote', offset: 0, length: 4 }, { type: 'blockquote', offset: 1, length: 1 }]],
      ['bad url', [{ type: 'text_link', offset: 0, length: 1, url: 'javascript:x' }]],
      ['splits pair', [{ type: 'bold', offset: 0, length: 4 }]],
    ];
    for (const [name, entities] of bad) {
      expect(() => assertValidEntities({ text: 'abc😀', entities }), name).to.throw(/invalid entities/);
    }
    expect(() => assertValidEntities({ text: 'abcdef', entities: [] }, { maxLength: 5 })).to.throw();
  });

  it('normalizeEntities repairs what it can', () => {
    const text = 'ab😀cd';
    const out = normalizeEntities(text, [
      { type: 'bold', offset: 0, length: 0 }, // empty → dropped
      { type: 'italic', offset: 3, length: 1 }, // starts inside the pair → widened to it
      { type: 'bold', offset: 0, length: 6 },
      { type: 'underline', offset: 1, length: 4 },
      { type: 'code', offset: 4, length: 2 }, // crosses underline → dropped
      { type: 'text_link', offset: 0, length: 1, url: 'ftp://x' }, // bad scheme → dropped
    ]);
    assertValidEntities({ text, entities: out });
    expect(out).to.deep.equal([
      { type: 'bold', offset: 0, length: 6 },
      { type: 'underline', offset: 1, length: 4 },
      { type: 'italic', offset: 2, length: 2 },
    ]);
  });

  it('normalizeEntities splits styles around code, and around a blockquote holding code', () => {
    const text = 'abcdefgh';
    expect(
      normalizeEntities(text, [
        { type: 'bold', offset: 0, length: 8 },
        { type: 'blockquote', offset: 2, length: 4 },
        { type: 'pre', offset: 3, length: 1 },
      ]),
    ).to.deep.equal([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'blockquote', offset: 2, length: 4 },
      { type: 'pre', offset: 3, length: 1 },
      { type: 'bold', offset: 6, length: 2 },
    ]);
  });

  it('capEntities drops the innermost first', () => {
    const entities: Entity[] = [{ type: 'blockquote', offset: 0, length: 300 }];
    for (let i = 0; i < 150; i++) entities.push({ type: 'bold', offset: i * 2, length: 1 });
    const capped = capEntities(entities, 100);
    expect(capped).to.have.length(100);
    expect(capped[0]).to.deep.equal({ type: 'blockquote', offset: 0, length: 300 });
  });
});

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

// ---------------------------------------------------------------- properties

const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: anyUnit }),
);
const tokens = [
  '*', '**', '_', '__', '~', '~~', '`', '```', '```js\n', '~~~', '[', ']', '(', ')', '![', '<', '>', '> ', '#', '# ', '## ',
  '-', '- ', '+ ', '1. ', '2) ', '- [ ] ', '- [x] ', '|', '| --- |', ':-:', '\\', '{', '}', '.', '!', '=', '===', '---',
  '\n', '\n\n', ' ', '  ', '    ', '\t', 'https://example.com/a', 'www.x.org', '<https://e.com>', '[^1]', '[^1]: ', '[r]: ',
  '😀', '👍🏽', '👨‍👩‍👧', 'é', '中文', '"', "'", '<b>', '</b>', '<!-- c -->', 'tg://user?id=1',
];
const word = fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/);
const markdownish = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...tokens) }, { weight: 2, arbitrary: word }), { maxLength: 60 })
  .map((parts) => parts.join(''));
const input = fc.oneof(anyString, markdownish);

/** Letters the renderer may legitimately drop: fence info strings, link/definition titles, task-box x. */
function hiddenStrings(md: string): string {
  const tree = fromMarkdown(md.replace(/\r\n?/g, '\n'), { extensions: [gfm({ singleTilde: false })], mdastExtensions: [gfmFromMarkdown()] });
  let out = '';
  const walk = (n: Nodes) => {
    if (n.type === 'code') out += ` ${n.lang ?? ''} ${n.meta ?? ''}`; // info string (lost when the block is empty)
    if ((n.type === 'link' || n.type === 'image' || n.type === 'definition') && n.title) out += ` ${n.title}`;
    if (n.type === 'listItem' && n.checked) out += ' x'; // "[x]" becomes ☑
    if ('children' in n) for (const c of n.children) walk(c as Nodes);
  };
  walk(tree);
  return out;
}

const letterCounts = (s: string) => {
  const m = new Map<string, number>();
  for (const ch of s.toLowerCase().match(/[a-z]/g) ?? []) m.set(ch, (m.get(ch) ?? 0) + 1);
  return m;
};

describe('properties', () => {
  it('rendering never throws and entities are always valid', () => {
    fc.assert(
      fc.property(input, (md) => {
        const r = renderMarkdown(md);
        assertValidEntities(r);
        expect(r.text).to.equal(r.text.replace(/^\n+/, '').trimEnd());
      }),
      { numRuns: 1500 },
    );
  });

  it('rendering loses no letters (markup-free letters, link URLs and languages count)', () => {
    fc.assert(
      fc.property(markdownish, (md) => {
        const r = renderMarkdown(md);
        const pool = [r.text, ...r.entities.map((e) => `${e.url ?? ''} ${e.language ?? ''}`), hiddenStrings(md)].join(' ');
        const have = letterCounts(pool);
        for (const [ch, n] of letterCounts(md)) expect(have.get(ch) ?? 0, `letter ${ch} in ${JSON.stringify(md)}`).to.be.at.least(n);
      }),
      { numRuns: 1500 },
    );
  });

  it('prose without markup is rendered verbatim', () => {
    const w = fc.oneof(fc.stringMatching(/^[a-zA-Zа-яё0-9]{1,10}$/), fc.constantFrom('😀', '👍🏽', 'é', '中文', 'a,b', 'c;d?', 'x:y'));
    const prose = fc
      .array(fc.tuple(w, fc.constantFrom(' ', '\n', '\n\n')), { minLength: 1, maxLength: 40 })
      .map((ps) => ps.map(([a, b]) => a + b).join('').trimEnd());
    fc.assert(
      fc.property(prose, (text) => {
        const r = renderMarkdown(text);
        expect(r.text).to.equal(text);
        expect(r.entities).to.deep.equal([]);
      }),
    );
  });

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
