// What block and inline rendering share for one Markdown document: the output, the source, the
// link definitions and the nesting depth. Pure.
import type { Definition, Link, Nodes, RootContent } from 'mdast';
import type { Builder } from './builder.ts';

/** Deeper nodes are written as their Markdown source, so hostile nesting cannot exhaust the stack. */
export const MAX_DEPTH = 64;

export interface RenderContext {
  readonly b: Builder;
  readonly source: string;
  readonly definitions: ReadonlyMap<string, Definition>;
  depth: number;
  /** Block rendering, handed in so inline rendering can fall back to it without an import cycle. */
  readonly blocks: (nodes: readonly RootContent[], gap: number) => void;
}

/** Runs `body` one level deeper, or writes the node's source instead when nesting is too deep. */
export function nested(ctx: RenderContext, n: Nodes, body: () => void): void {
  if (ctx.depth >= MAX_DEPTH) {
    ctx.b.write(sourceOf(ctx, n));
    return;
  }
  ctx.depth++;
  try {
    body();
  } finally {
    ctx.depth--;
  }
}

export function sourceOf(ctx: Pick<RenderContext, 'source'>, n: Nodes): string {
  const start = n.position?.start.offset;
  const stop = n.position?.end.offset;
  return start === undefined || stop === undefined ? '' : ctx.source.slice(start, stop);
}

/** The URL a reference (`[x][id]`, `![x][id]`) points to; '' when it is not defined. */
export const definitionUrl = (ctx: Pick<RenderContext, 'definitions'>, identifier: string): string =>
  ctx.definitions.get(identifier)?.url ?? '';

/** `<https://…>` and bare URLs/emails: the source does not start with `[`. */
export function isAutolink(ctx: Pick<RenderContext, 'source'>, n: Link): boolean {
  const at = n.position?.start.offset;
  return at !== undefined && ctx.source[at] !== '[';
}

/** The first definition of each identifier wins, as in CommonMark. */
export function collectDefinitions(root: Nodes): Map<string, Definition> {
  const into = new Map<string, Definition>();
  const todo: Nodes[] = [root];
  for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
    if (n.type === 'definition') {
      if (!into.has(n.identifier)) into.set(n.identifier, n);
    } else if ('children' in n) {
      for (let i = n.children.length - 1; i >= 0; i--) todo.push(n.children[i] as Nodes);
    }
  }
  return into;
}
