// Splitting/truncating rendered text to Telegram's per-message limits. Pure.
import {
  capEntities,
  clipEntities,
  MAX_ENTITIES,
  MAX_MESSAGE_LENGTH,
  normalizeEntities,
  splitsSurrogatePair,
} from './entities.ts';
import type { Entity, Rendered } from './entities.ts';

const skipNewlines = (text: string, i: number) => {
  while (i < text.length && text[i] === '\n') i++;
  return i;
};
const backNewlines = (text: string, i: number, floor: number) => {
  while (i > floor && text[i - 1] === '\n') i--;
  return i;
};

interface Cut {
  /** The chunk ends here (exclusive). */
  end: number;
  /** The next chunk starts here. */
  next: number;
}

/** Best cut for a chunk starting at `pos` that must end at or before `limit` (< text.length). */
function chooseCut(text: string, pos: number, limit: number, max: number, pres: readonly Entity[]): Cut {
  const half = pos + Math.ceil(max / 2);
  const boundaries: Array<[string, number]> = [
    ['\n\n', 2],
    ['\n', 1],
    [' ', 1],
  ];
  let cut: Cut | undefined;
  for (const floor of [half, pos + 1]) {
    for (const [sep, width] of boundaries) {
      const i = text.lastIndexOf(sep, limit);
      if (i >= floor && i <= limit) {
        cut = { end: i, next: i + width };
        break;
      }
    }
    if (cut) break;
  }
  if (!cut) {
    let i = limit;
    if (splitsSurrogatePair(text, i)) i -= 1;
    cut = { end: i, next: i };
  }
  // Rather end the chunk before a pre block than inside it, if that keeps the chunk at least half full.
  const at = cut.end;
  const inside = pres.find((p) => p.offset < at && at < p.offset + p.length);
  if (inside && inside.offset > pos && text[inside.offset - 1] === '\n') {
    const end = backNewlines(text, inside.offset, pos);
    if (end - pos >= max / 2) cut = { end, next: inside.offset };
  }
  return cut;
}

/**
 * Splits into chunks of at most `max` UTF-16 units (default 4096) and at most 100 entities each.
 * Cuts prefer a paragraph break, then a newline, then a space (each only if the chunk stays at least half
 * full, otherwise anywhere before), then any position that is not inside a surrogate pair. A cut inside a
 * pre block moves to just before the block when that keeps the chunk at least half full. Entities crossing
 * a cut are clipped into both chunks (a pre block continues as pre with the same language). Newlines at chunk
 * edges and the single space or newline(s) at a cut are dropped; whitespace-only chunks are omitted, so an
 * empty or blank text gives [].
 */
export function splitRendered(r: Rendered, max: number = MAX_MESSAGE_LENGTH): Rendered[] {
  if (!Number.isInteger(max) || max < 2) throw new RangeError(`splitRendered: max must be an integer ≥ 2, got ${max}`);
  const { text } = r;
  const entities = normalizeEntities(text, r.entities);
  const pres = entities.filter((e) => e.type === 'pre');
  const stop = backNewlines(text, text.length, 0);
  const chunks: Rendered[] = [];
  let pos = skipNewlines(text, 0);
  while (pos < stop) {
    const cut: Cut = stop - pos <= max ? { end: stop, next: stop } : chooseCut(text, pos, pos + max, max, pres);
    const end = backNewlines(text, cut.end, pos);
    const chunkText = text.slice(pos, end);
    if (chunkText.trim() !== '') {
      chunks.push({ text: chunkText, entities: capEntities(clipEntities(entities, pos, end), MAX_ENTITIES) });
    }
    pos = skipNewlines(text, Math.max(cut.next, pos + 1));
  }
  return chunks;
}

/**
 * Keeps the head of `r` within `max` UTF-16 units, ending with `ellipsis` when something was cut
 * (trailing whitespace before the ellipsis is dropped). Never cuts a surrogate pair; entities are clipped
 * to the kept text (the ellipsis is outside all entities) and capped at 100. If `max` leaves no room for the
 * ellipsis plus one unit, the head is returned without it.
 */
export function truncateRendered(r: Rendered, max: number, ellipsis = '…'): Rendered {
  const entities = normalizeEntities(r.text, r.entities);
  if (r.text.length <= max) return { text: r.text, entities: capEntities(entities, MAX_ENTITIES) };
  if (max <= 0) return { text: '', entities: [] };
  const tail = ellipsis.length < max ? ellipsis : '';
  let cut = max - tail.length;
  if (splitsSurrogatePair(r.text, cut)) cut -= 1;
  const head = r.text.slice(0, cut).trimEnd();
  return { text: head + tail, entities: capEntities(clipEntities(entities, 0, head.length), MAX_ENTITIES) };
}
