// Inline (phrasing) Markdown → Telegram entities: emphasis, code spans, links, images, breaks. Pure.
import type { Link, LinkReference, Nodes, PhrasingContent, RootContent } from 'mdast';
import { imageText, isLinkableUrl } from './links.ts';
import { plainText } from './plainText.ts';
import { definitionUrl, isAutolink, nested, type RenderContext } from './renderContext.ts';

export function renderInlines(ctx: RenderContext, nodes: readonly PhrasingContent[]): void {
  for (const n of nodes) renderInline(ctx, n);
}

export function renderInline(ctx: RenderContext, n: PhrasingContent): void {
  nested(ctx, n, () => inlineBody(ctx, n));
}

function inlineBody(ctx: RenderContext, n: PhrasingContent): void {
  const b = ctx.b;
  switch (n.type) {
    case 'text':
      b.write(n.value);
      return;
    case 'strong':
      b.wrap('bold', () => renderInlines(ctx, n.children));
      return;
    case 'emphasis':
      b.wrap('italic', () => renderInlines(ctx, n.children));
      return;
    case 'delete':
      b.wrap('strikethrough', () => renderInlines(ctx, n.children));
      return;
    case 'inlineCode':
      b.wrap('code', () => b.write(n.value));
      return;
    case 'break':
      b.write('\n');
      return;
    case 'html':
      b.write(n.value);
      return;
    case 'link':
      link(ctx, n, n.url, isAutolink(ctx, n));
      return;
    case 'linkReference':
      link(ctx, n, definitionUrl(ctx, n.identifier), false);
      return;
    case 'image':
      b.write(imageText(n.alt ?? '', n.url));
      return;
    case 'imageReference':
      b.write(imageText(n.alt ?? '', definitionUrl(ctx, n.identifier)));
      return;
    case 'footnoteReference':
      b.write(`[^${n.label ?? n.identifier}]`);
      return;
    default: {
      // Node types without a case of their own (block rendering hands them here too): their content.
      const other = n as Nodes;
      if ('children' in other) ctx.blocks(other.children as RootContent[], 2);
      else if ('value' in other && typeof other.value === 'string') b.write(other.value);
    }
  }
}

function link(ctx: RenderContext, n: Link | LinkReference, url: string, autolink: boolean): void {
  const b = ctx.b;
  if (autolink) {
    renderInlines(ctx, n.children); // plain: Telegram detects URLs itself
    return;
  }
  const label = plainText(ctx, n.children);
  if (label.trim() === '') {
    b.write(url);
    return;
  }
  if (isLinkableUrl(url)) {
    b.wrap('text_link', () => renderInlines(ctx, n.children), { url: new URL(url).href });
    return;
  }
  renderInlines(ctx, n.children);
  if (url !== '' && url !== label) b.write(` (${url})`);
}
