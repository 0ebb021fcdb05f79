// Block Markdown → Telegram text + entities: paragraphs, headings, quotes, code, lists, tables. Pure.
import type { Blockquote, Code, FootnoteDefinition, Heading, List, ListItem, PhrasingContent, RootContent } from 'mdast';
import { renderInline, renderInlines } from './inlines.ts';
import { nested, type RenderContext } from './renderContext.ts';
import { renderTable } from './table.ts';

/** Renders sibling blocks, `gap` newlines apart. */
export function renderBlocks(ctx: RenderContext, nodes: readonly RootContent[], gap: number): void {
  nodes.forEach((n, i) => {
    if (i > 0) ctx.b.sep(gap);
    nested(ctx, n, () => blockBody(ctx, n));
  });
}

function blockBody(ctx: RenderContext, n: RootContent): void {
  const b = ctx.b;
  switch (n.type) {
    case 'paragraph':
      renderInlines(ctx, n.children);
      return;
    case 'heading':
      heading(ctx, n);
      return;
    case 'thematicBreak':
      b.write('———');
      return;
    case 'blockquote':
      blockquote(ctx, n);
      return;
    case 'list':
      list(ctx, n);
      return;
    case 'code':
      code(ctx, n);
      return;
    case 'table':
      renderTable(ctx, n);
      return;
    case 'html':
      b.write(n.value);
      return;
    case 'definition':
      b.write(`[${n.label ?? n.identifier}]: ${n.url}`);
      return;
    case 'footnoteDefinition':
      footnoteDefinition(ctx, n);
      return;
    default:
      renderInline(ctx, n as PhrasingContent);
  }
}

function heading(ctx: RenderContext, n: Heading): void {
  ctx.b.wrap('bold', () => renderInlines(ctx, n.children));
}

function blockquote(ctx: RenderContext, n: Blockquote): void {
  ctx.b.wrap('blockquote', () => renderBlocks(ctx, n.children, 2));
}

function code(ctx: RenderContext, n: Code): void {
  const language = n.lang?.trim() || undefined;
  ctx.b.wrap('pre', () => ctx.b.write(n.value, true), language ? { language } : {});
}

/** Bullets, numbers and task boxes as text; item content indented under its marker. */
function list(ctx: RenderContext, n: List): void {
  const start = n.start ?? 1;
  n.children.forEach((item, i) => {
    if (i > 0) ctx.b.sep(n.spread ? 2 : 1);
    const number = n.ordered ? `${start + i}. ` : '';
    const box = item.checked === true ? '☑ ' : item.checked === false ? '☐ ' : '';
    const marker = n.ordered ? number + box : box || '• ';
    listItem(ctx, item, marker);
  });
}

function listItem(ctx: RenderContext, item: ListItem, marker: string): void {
  if (item.children.length === 0) {
    ctx.b.write(marker.trimEnd());
    return;
  }
  ctx.b.write(marker);
  ctx.b.pushIndent('  ');
  renderBlocks(ctx, item.children, item.spread ? 2 : 1);
  ctx.b.popIndent();
}

function footnoteDefinition(ctx: RenderContext, n: FootnoteDefinition): void {
  ctx.b.write(`[^${n.label ?? n.identifier}]: `);
  renderBlocks(ctx, n.children, 1);
}
