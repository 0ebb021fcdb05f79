// A GFM table as a monospace pre block: Telegram has no tables, aligned columns read well. Pure.
import type { Table } from 'mdast';
import { plainText } from './plainText.ts';
import type { RenderContext } from './renderContext.ts';

/** The table's lines: header, a `---|---` rule, then the rows; cells padded to their column's alignment. */
export function tableLines(rows: readonly string[][], align: Table['align']): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  if (columns === 0) return [];
  const width = (s: string) => [...s].length;
  const widths = Array.from({ length: columns }, (_, c) => Math.max(1, ...rows.map((r) => width(r[c] ?? ''))));
  const pad = (s: string, c: number) => {
    const gap = widths[c]! - width(s);
    const a = align?.[c];
    if (a === 'right') return ' '.repeat(gap) + s;
    if (a === 'center') return ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(gap - Math.floor(gap / 2));
    return s + ' '.repeat(gap);
  };
  const line = (r: readonly string[]) => widths.map((_, c) => pad(r[c] ?? '', c)).join(' | ').trimEnd();
  const lines = rows.map(line);
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('-|-'));
  return lines;
}

export function renderTable(ctx: RenderContext, n: Table): void {
  const rows = n.children.map((row) => row.children.map((cell) => plainText(ctx, cell.children).replace(/\s*\n\s*/g, ' ').trim()));
  const lines = tableLines(rows, n.align);
  if (lines.length === 0) return;
  ctx.b.wrap('pre', () => ctx.b.write(lines.join('\n'), true));
}
