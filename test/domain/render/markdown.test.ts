// renderMarkdown: a case table of GFM → Telegram text + entities, and properties over generated Markdown.
import { expect } from 'chai';
import fc from 'fast-check';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Nodes } from 'mdast';
import { assertValidEntities } from '../../../src/domain/render/entities.ts';
import { renderMarkdown } from '../../../src/domain/render/markdown.ts';
import { input, markdownish } from './arbitraries.ts';
import { show, type Shown } from './show.ts';

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
});
