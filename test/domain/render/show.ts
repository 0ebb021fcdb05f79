// Entities as [type, covered text, url or language]: expectations a reader can check by eye.
import type { Rendered } from '../../../src/domain/render/entities.ts';

export type Shown = [string, string] | [string, string, string];

export const show = (r: Rendered): Shown[] =>
  r.entities.map((e) => {
    const covered = r.text.slice(e.offset, e.offset + e.length);
    const extra = e.url ?? e.language;
    return extra === undefined ? [e.type, covered] : [e.type, covered, extra];
  });
