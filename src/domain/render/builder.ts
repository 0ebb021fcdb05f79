// The text + entities being written by the Markdown renderer. Pure.
import type { Entity, EntityType } from './entities.ts';

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
export class Builder {
  text = '';
  readonly entities: Entity[] = [];
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
