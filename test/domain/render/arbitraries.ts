// fast-check inputs shared by the Markdown and split property tests: any UTF-16, and Markdown-ish token soup.
import fc from 'fast-check';

export const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
export const anyString = fc.oneof(
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
export const markdownish = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...tokens) }, { weight: 2, arbitrary: word }), { maxLength: 60 })
  .map((parts) => parts.join(''));
export const input = fc.oneof(anyString, markdownish);
