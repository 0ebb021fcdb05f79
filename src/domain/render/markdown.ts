// GFM Markdown → Telegram `text` + `entities` (no parse_mode, no escaping). Pure.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type {
  Blockquote,
  Code,
  Definition,
  FootnoteDefinition,
  Heading,
  Link,
  LinkReference,
  List,
  ListItem,
  Nodes,
  PhrasingContent,
  Root,
  RootContent,
  Table,
} from 'mdast';
import { clipEntities, normalizeEntities, toWellFormed } from './entities.ts';
import type { Entity, EntityType, Rendered } from './entities.ts';

/** True for URLs Telegram accepts in a text_link: http(s):// or tg:// that `new URL` can parse. */
export function isLinkableUrl(url: string): boolean {
  if (!/^(https?|tg):\/\//i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

interface Open {
  type: EntityType;
  start: number | undefined;
  url?: string;
  language?: string;
}

/**
 * Appends text lazily: block separators (newlines) are only written when more content follows, an entity
 * starts at its first written character, and continuation lines inside list items get the current indent.
 * So entities never cover separators and the text never starts with a separator.
 */
class Builder {
  text = '';
  readonly entities: Entity[] = [];
  /** Number of content characters written so far (excludes separators and indents). */
  written = 0;
  private pending = 0;
  private atLineStart = true;
  private readonly indents: string[] = [];
  private readonly open: Open[] = [];

  sep(newlines: number): void {
    this.pending = Math.max(this.pending, newlines);
  }

  pushIndent(s: string): void {
    this.indents.push(s);
  }

  popIndent(): void {
    this.indents.pop();
  }

  /** Writes `s`; `raw` text (code) gets no list indentation. */
  write(s: string, raw = false): void {
    if (s === '') return;
    if (this.pending > 0 && this.text !== '') this.append('\n'.repeat(this.pending));
    this.pending = 0;
    const indent = raw ? '' : this.indents.join('');
    if (this.atLineStart && indent !== '' && s[0] !== '\n') this.append(indent);
    for (const o of this.open) if (o.start === undefined) o.start = this.text.length;
    this.append(indent === '' ? s : s.replace(/\n(?=[^\n])/g, `\n${indent}`));
    this.written += s.length;
  }

  private append(s: string): void {
    this.text += s;
    this.atLineStart = s.endsWith('\n');
  }

  wrap(type: EntityType, body: () => void, extra: { url?: string; language?: string } = {}): void {
    const o: Open = { type, start: undefined, ...extra };
    this.open.push(o);
    try {
      body();
    } finally {
      this.open.pop();
    }
    if (o.start !== undefined && this.text.length > o.start) {
      const e: Entity = { type, offset: o.start, length: this.text.length - o.start };
      if (o.url !== undefined) e.url = o.url;
      if (o.language) e.language = o.language;
      this.entities.push(e);
    }
  }
}

const imageText = (alt: string, url: string) => (alt && url ? `${alt} (${url})` : alt || url);

/** Deeper nodes are written as their Markdown source, so hostile nesting cannot exhaust the stack. */
const MAX_DEPTH = 64;

class Renderer {
  private readonly b = new Builder();
  private readonly definitions = new Map<string, Definition>();
  private depth = 0;

  constructor(private readonly source: string) {}

  render(root: Root): Rendered {
    collectDefinitions(root, this.definitions);
    this.blocks(root.children, 2);
    return { text: this.b.text, entities: this.b.entities };
  }

  private blocks(nodes: readonly RootContent[], gap: number): void {
    nodes.forEach((n, i) => {
      if (i > 0) this.b.sep(gap);
      this.block(n);
    });
  }

  /** Runs `body` one level deeper, or writes the node's source instead when nesting is too deep. */
  private nested(n: Nodes, body: () => void): void {
    if (this.depth >= MAX_DEPTH) {
      this.b.write(this.sourceOf(n));
      return;
    }
    this.depth++;
    try {
      body();
    } finally {
      this.depth--;
    }
  }

  private sourceOf(n: Nodes): string {
    const start = n.position?.start.offset;
    const stop = n.position?.end.offset;
    return start === undefined || stop === undefined ? '' : this.source.slice(start, stop);
  }

  private block(n: RootContent): void {
    this.nested(n, () => this.blockBody(n));
  }

  private blockBody(n: RootContent): void {
    const b = this.b;
    switch (n.type) {
      case 'paragraph':
        this.inlines(n.children);
        return;
      case 'heading':
        this.heading(n);
        return;
      case 'thematicBreak':
        b.write('———');
        return;
      case 'blockquote':
        this.blockquote(n);
        return;
      case 'list':
        this.list(n);
        return;
      case 'code':
        this.code(n);
        return;
      case 'table':
        this.table(n);
        return;
      case 'html':
        b.write(n.value);
        return;
      case 'definition':
        b.write(`[${n.label ?? n.identifier}]: ${n.url}`);
        return;
      case 'footnoteDefinition':
        this.footnoteDefinition(n);
        return;
      default:
        this.inline(n as PhrasingContent);
    }
  }

  private heading(n: Heading): void {
    this.b.wrap('bold', () => this.inlines(n.children));
  }

  private blockquote(n: Blockquote): void {
    this.b.wrap('blockquote', () => this.blocks(n.children, 2));
  }

  private code(n: Code): void {
    const language = n.lang?.trim() || undefined;
    this.b.wrap('pre', () => this.b.write(n.value, true), language ? { language } : {});
  }

  private list(n: List): void {
    const start = n.start ?? 1;
    n.children.forEach((item, i) => {
      if (i > 0) this.b.sep(n.spread ? 2 : 1);
      const number = n.ordered ? `${start + i}. ` : '';
      const box = item.checked === true ? '☑ ' : item.checked === false ? '☐ ' : '';
      const marker = n.ordered ? number + box : box || '• ';
      this.listItem(item, marker);
    });
  }

  private listItem(item: ListItem, marker: string): void {
    if (item.children.length === 0) {
      this.b.write(marker.trimEnd());
      return;
    }
    this.b.write(marker);
    this.b.pushIndent('  ');
    this.blocks(item.children, item.spread ? 2 : 1);
    this.b.popIndent();
  }

  private footnoteDefinition(n: FootnoteDefinition): void {
    this.b.write(`[^${n.label ?? n.identifier}]: `);
    this.blocks(n.children, 1);
  }

  private table(n: Table): void {
    const rows = n.children.map((row) => row.children.map((cell) => this.plainText(cell.children).replace(/\s*\n\s*/g, ' ').trim()));
    const columns = Math.max(0, ...rows.map((r) => r.length));
    if (columns === 0) return;
    const width = (s: string) => [...s].length;
    const widths = Array.from({ length: columns }, (_, c) => Math.max(1, ...rows.map((r) => width(r[c] ?? ''))));
    const pad = (s: string, c: number) => {
      const gap = widths[c]! - width(s);
      const align = n.align?.[c];
      if (align === 'right') return ' '.repeat(gap) + s;
      if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(gap - Math.floor(gap / 2));
      return s + ' '.repeat(gap);
    };
    const line = (r: string[]) => widths.map((_, c) => pad(r[c] ?? '', c)).join(' | ').trimEnd();
    const lines = rows.map(line);
    lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('-|-'));
    this.b.wrap('pre', () => this.b.write(lines.join('\n'), true));
  }

  private inlines(nodes: readonly PhrasingContent[]): void {
    for (const n of nodes) this.inline(n);
  }

  private inline(n: PhrasingContent): void {
    this.nested(n, () => this.inlineBody(n));
  }

  private inlineBody(n: PhrasingContent): void {
    const b = this.b;
    switch (n.type) {
      case 'text':
        b.write(n.value);
        return;
      case 'strong':
        b.wrap('bold', () => this.inlines(n.children));
        return;
      case 'emphasis':
        b.wrap('italic', () => this.inlines(n.children));
        return;
      case 'delete':
        b.wrap('strikethrough', () => this.inlines(n.children));
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
        this.link(n, n.url, this.isAutolink(n));
        return;
      case 'linkReference':
        this.link(n, this.definitions.get(n.identifier)?.url ?? '', false);
        return;
      case 'image':
        b.write(imageText(n.alt ?? '', n.url));
        return;
      case 'imageReference':
        b.write(imageText(n.alt ?? '', this.definitions.get(n.identifier)?.url ?? ''));
        return;
      case 'footnoteReference':
        b.write(`[^${n.label ?? n.identifier}]`);
        return;
      default: {
        const other = n as Nodes;
        if ('children' in other) this.blocks(other.children as RootContent[], 2);
        else if ('value' in other && typeof other.value === 'string') b.write(other.value);
      }
    }
  }

  /** `<https://…>` and bare URLs/emails: the source does not start with `[`. */
  private isAutolink(n: Link): boolean {
    const at = n.position?.start.offset;
    return at !== undefined && this.source[at] !== '[';
  }

  /** The visible plain text of phrasing content, as `inline` would show it without entities (tables, labels). */
  private plainText(nodes: readonly Nodes[], depth = 0): string {
    let out = '';
    for (const n of nodes) {
      if (depth >= MAX_DEPTH) {
        out += this.sourceOf(n);
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
          out += imageText(n.alt ?? '', this.definitions.get(n.identifier)?.url ?? '');
          break;
        case 'footnoteReference':
          out += `[^${n.label ?? n.identifier}]`;
          break;
        case 'link':
        case 'linkReference': {
          const label = this.plainText(n.children, depth + 1);
          const url = n.type === 'link' ? n.url : (this.definitions.get(n.identifier)?.url ?? '');
          if (n.type === 'link' && this.isAutolink(n)) out += label;
          else if (label.trim() === '') out += url;
          else out += url !== '' && url !== label ? `${label} (${url})` : label;
          break;
        }
        default:
          if ('children' in n) out += this.plainText(n.children as Nodes[], depth + 1);
          else if ('value' in n && typeof n.value === 'string') out += n.value;
      }
    }
    return out;
  }

  private link(n: Link | LinkReference, url: string, autolink: boolean): void {
    const b = this.b;
    if (autolink) {
      this.inlines(n.children); // plain: Telegram detects URLs itself
      return;
    }
    const label = this.plainText(n.children);
    if (label.trim() === '') {
      b.write(url);
      return;
    }
    if (isLinkableUrl(url)) {
      b.wrap('text_link', () => this.inlines(n.children), { url: new URL(url).href });
      return;
    }
    this.inlines(n.children);
    if (url !== '' && url !== label) b.write(` (${url})`);
  }
}

function collectDefinitions(root: Nodes, into: Map<string, Definition>): void {
  const todo: Nodes[] = [root];
  for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
    if (n.type === 'definition') {
      if (!into.has(n.identifier)) into.set(n.identifier, n);
    } else if ('children' in n) {
      for (let i = n.children.length - 1; i >= 0; i--) todo.push(n.children[i] as Nodes);
    }
  }
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
    raw = trimRendered(new Renderer(source).render(tree));
  } catch {
    raw = trimRendered({ text: source, entities: [] }); // never expected; plain text beats no answer
  }
  return { text: raw.text, entities: normalizeEntities(raw.text, raw.entities) };
}
