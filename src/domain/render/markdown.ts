// GFM Markdown → Telegram `text` + `entities` (no parse_mode, no escaping). Pure.
// The entry point: parse, render blocks (blocks.ts) and inlines (inlines.ts), trim, normalize.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Root } from 'mdast';
import { renderBlocks } from './blocks.ts';
import { Builder } from './builder.ts';
import { clipEntities, normalizeEntities, toWellFormed } from './entities.ts';
import type { Rendered } from './entities.ts';
import { collectDefinitions, type RenderContext } from './renderContext.ts';

export { isLinkableUrl } from './links.ts';

function renderTree(source: string, root: Root): Rendered {
  const ctx: RenderContext = {
    b: new Builder(),
    source,
    definitions: collectDefinitions(root),
    depth: 0,
    blocks: (nodes, gap) => renderBlocks(ctx, nodes, gap),
  };
  renderBlocks(ctx, root.children, 2);
  return { text: ctx.b.text, entities: ctx.b.entities };
}

/** Only newlines are stripped at the start (code may begin with indentation); all whitespace at the end. */
function trimRendered(r: Rendered): Rendered {
  const start = /^\n*/.exec(r.text)![0].length;
  const stop = r.text.trimEnd().length;
  if (stop <= start) return { text: '', entities: [] };
  return { text: r.text.slice(start, stop), entities: clipEntities(r.entities, start, stop) };
}

/**
 * Renders GitHub-flavoured Markdown as Telegram text + entities.
 * Lone surrogates become U+FFFD and CRLF/CR become LF; everything else that is not markup is kept verbatim.
 * Single `~x~` is not strikethrough (only `~~x~~`), since "~5 min" is common in prose.
 */
export function renderMarkdown(md: string): Rendered {
  const source = toWellFormed(md).replace(/\r\n?/g, '\n');
  let raw: Rendered;
  try {
    const tree = fromMarkdown(source, {
      extensions: [gfm({ singleTilde: false })],
      mdastExtensions: [gfmFromMarkdown()],
    });
    raw = trimRendered(renderTree(source, tree));
  } catch {
    raw = trimRendered({ text: source, entities: [] }); // never expected; plain text beats no answer
  }
  return { text: raw.text, entities: normalizeEntities(raw.text, raw.entities) };
}
