// Phrasing content as plain text, for the places that cannot hold entities (table cells, link labels). Pure.
import type { Nodes } from 'mdast';
import { imageText } from './links.ts';
import { definitionUrl, isAutolink, MAX_DEPTH, sourceOf, type RenderContext } from './renderContext.ts';

/** The visible plain text of phrasing content, as inline rendering would show it without entities. */
export function plainText(ctx: Pick<RenderContext, 'source' | 'definitions'>, nodes: readonly Nodes[], depth = 0): string {
  let out = '';
  for (const n of nodes) {
    if (depth >= MAX_DEPTH) {
      out += sourceOf(ctx, n);
      continue;
    }
    switch (n.type) {
      case 'text':
      case 'inlineCode':
      case 'html':
        out += n.value;
        break;
      case 'break':
        out += '\n';
        break;
      case 'image':
        out += imageText(n.alt ?? '', n.url);
        break;
      case 'imageReference':
        out += imageText(n.alt ?? '', definitionUrl(ctx, n.identifier));
        break;
      case 'footnoteReference':
        out += `[^${n.label ?? n.identifier}]`;
        break;
      case 'link':
      case 'linkReference': {
        const label = plainText(ctx, n.children, depth + 1);
        const url = n.type === 'link' ? n.url : definitionUrl(ctx, n.identifier);
        if (n.type === 'link' && isAutolink(ctx, n)) out += label;
        else if (label.trim() === '') out += url;
        else out += url !== '' && url !== label ? `${label} (${url})` : label;
        break;
      }
      default:
        if ('children' in n) out += plainText(ctx, n.children as Nodes[], depth + 1);
        else if ('value' in n && typeof n.value === 'string') out += n.value;
    }
  }
  return out;
}
