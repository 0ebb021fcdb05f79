// Telegram message entities: types and pure helpers. Offsets and lengths are UTF-16 code units
// (JS string indices), as the Bot API requires.

export type EntityType =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'code'
  | 'pre'
  | 'text_link'
  | 'blockquote';

export interface Entity {
  type: EntityType;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export interface Rendered {
  text: string;
  entities: Entity[];
}

export const plain = (text: string): Rendered => ({ text, entities: [] });

/** Telegram's message text limit ("1-4096 characters"); we count UTF-16 units, which is safe either way. */
export const MAX_MESSAGE_LENGTH = 4096;
/** Telegram ignores formatting beyond about 100 entities per message. */
export const MAX_ENTITIES = 100;

export const ENTITY_TYPES: readonly EntityType[] = [
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'code',
  'pre',
  'text_link',
  'blockquote',
];

/** Styles that may contain and be part of any entity except code/pre. */
const FORMATTING = new Set<EntityType>(['bold', 'italic', 'underline', 'strikethrough', 'spoiler']);
const isCodeLike = (t: EntityType) => t === 'code' || t === 'pre';

/** Outer-first order for entities that cover exactly the same range. */
const PRIORITY: Record<EntityType, number> = {
  blockquote: 0,
  text_link: 1,
  bold: 2,
  italic: 3,
  underline: 4,
  strikethrough: 5,
  spoiler: 6,
  pre: 7,
  code: 8,
};

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when index `i` falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

/** Replaces lone surrogates with U+FFFD (same length), like String.prototype.toWellFormed. */
export function toWellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const end = (e: Entity) => e.offset + e.length;

function copy(e: Entity, offset: number, length: number): Entity {
  const out: Entity = { type: e.type, offset, length };
  if (e.url !== undefined) out.url = e.url;
  if (e.language !== undefined && e.language !== '') out.language = e.language;
  return out;
}

/** Sorts outer-first: by offset, then longer first, then by type priority. Returns a new array. */
export function sortEntities(entities: readonly Entity[]): Entity[] {
  return [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length || PRIORITY[a.type] - PRIORITY[b.type]);
}

/**
 * Makes an entity list acceptable to Telegram for `text`:
 * - clips to the text, drops empty ones, moves boundaries off the middle of surrogate pairs;
 * - drops entities that cross another one (keeps the earlier/outer one);
 * - drops anything inside code/pre, code/pre inside a text_link, nested blockquotes, nested text_links,
 *   and a style nested in the same style (redundant);
 * - drops text_links whose URL is not http(s):// or tg://;
 * - splits bold/italic/underline/strikethrough/spoiler around code/pre they contain
 *   (Telegram forbids styles containing code/pre).
 * Output is sorted outer-first.
 */
export function normalizeEntities(text: string, entities: readonly Entity[]): Entity[] {
  const len = text.length;
  const cleaned: Entity[] = [];
  for (const e of entities) {
    if (!ENTITY_TYPES.includes(e.type)) continue;
    if (!Number.isFinite(e.offset) || !Number.isFinite(e.length)) continue;
    let s = Math.max(0, Math.trunc(e.offset));
    let t = Math.min(len, Math.trunc(e.offset + e.length));
    if (splitsSurrogatePair(text, s)) s -= 1;
    if (splitsSurrogatePair(text, t)) t += 1;
    if (t <= s) continue;
    if (e.type === 'text_link' && !(typeof e.url === 'string' && /^(https?|tg):\/\//i.test(e.url))) continue;
    cleaned.push(copy(e, s, t - s));
  }

  interface Node {
    e: Entity;
    end: number;
    holes: Array<[number, number]>;
  }
  const stack: Node[] = [];
  const kept: Node[] = [];
  for (const e of sortEntities(cleaned)) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= e.offset) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && end(e) > parent.end) continue; // crosses its parent
    const inside = (pred: (t: EntityType) => boolean) => stack.some((n) => pred(n.e.type));
    if (inside(isCodeLike)) continue;
    if (isCodeLike(e.type) && inside((t) => t === 'text_link')) continue;
    if ((e.type === 'blockquote' || e.type === 'text_link' || FORMATTING.has(e.type)) && inside((t) => t === e.type)) continue;
    if (isCodeLike(e.type)) {
      // Styles around a code/pre lose that range; if a blockquote sits in between, they lose its whole range
      // (splitting only around the code would make the style cross the blockquote).
      let hole: [number, number] = [e.offset, end(e)];
      for (let i = stack.length - 1; i >= 0; i--) {
        const n = stack[i]!;
        if (FORMATTING.has(n.e.type)) n.holes.push(hole);
        else hole = [n.e.offset, n.end];
      }
    }
    const node: Node = { e, end: end(e), holes: [] };
    stack.push(node);
    kept.push(node);
  }

  const out: Entity[] = [];
  for (const { e, end: t, holes } of kept) {
    let s = e.offset;
    for (const [hs, ht] of holes.sort((a, b) => a[0] - b[0])) {
      if (hs > s) out.push(copy(e, s, hs - s));
      s = Math.max(s, ht);
    }
    if (t > s) out.push(copy(e, s, t - s));
  }
  return sortEntities(out);
}

/** Entities restricted to [start, stop) of the text and shifted so that `start` becomes 0. */
export function clipEntities(entities: readonly Entity[], start: number, stop: number): Entity[] {
  const out: Entity[] = [];
  for (const e of entities) {
    const s = Math.max(e.offset, start);
    const t = Math.min(end(e), stop);
    if (t > s) out.push(copy(e, s - start, t - s));
  }
  return out;
}

/**
 * Keeps at most `max` entities, dropping the most deeply nested ones first (then the later ones).
 * A subset of a properly nested family stays properly nested.
 */
export function capEntities(entities: readonly Entity[], max: number = MAX_ENTITIES): Entity[] {
  const sorted = sortEntities(entities);
  if (sorted.length <= max) return sorted;
  const stack: number[] = [];
  const ranked = sorted.map((e, index) => {
    while (stack.length > 0 && stack[stack.length - 1]! <= e.offset) stack.pop();
    const depth = stack.length;
    stack.push(end(e));
    return { index, depth };
  });
  ranked.sort((a, b) => a.depth - b.depth || a.index - b.index);
  const keep = new Set(ranked.slice(0, Math.max(0, max)).map((r) => r.index));
  return sorted.filter((_, i) => keep.has(i));
}

export interface ValidityOptions {
  /** Also require text.length ≤ maxLength (UTF-16 units). */
  maxLength?: number;
  /** Also require at most this many entities. */
  maxEntities?: number;
}

/**
 * Throws an Error describing the first problem found unless `r.entities` is valid for `r.text`:
 * known types; integer offset ≥ 0 and length > 0 inside the text; no boundary inside a surrogate pair;
 * any two entities disjoint or nested; nothing inside code/pre; no code/pre inside a style or a
 * text_link; no blockquote in a blockquote, no text_link in a text_link; text_link has an http(s)/tg URL.
 */
export function assertValidEntities(r: Rendered, opts: ValidityOptions = {}): void {
  const { text, entities } = r;
  const fail = (msg: string, e?: Entity): never => {
    throw new Error(`invalid entities: ${msg}${e ? ` ${JSON.stringify(e)}` : ''} (text length ${text.length})`);
  };
  if (typeof text !== 'string') fail('text is not a string');
  if (!Array.isArray(entities)) fail('entities is not an array');
  if (opts.maxLength !== undefined && text.length > opts.maxLength) fail(`text longer than ${opts.maxLength}`);
  if (opts.maxEntities !== undefined && entities.length > opts.maxEntities) fail(`more than ${opts.maxEntities} entities`);
  for (const e of entities) {
    if (!ENTITY_TYPES.includes(e.type)) fail('unknown type', e);
    if (!Number.isInteger(e.offset) || !Number.isInteger(e.length)) fail('non-integer offset/length', e);
    if (e.offset < 0 || e.length <= 0 || end(e) > text.length) fail('out of range or empty', e);
    if (splitsSurrogatePair(text, e.offset) || splitsSurrogatePair(text, end(e))) fail('splits a surrogate pair', e);
    if (e.type === 'text_link' && (typeof e.url !== 'string' || !/^(https?|tg):\/\//i.test(e.url))) fail('bad url', e);
    if (e.language !== undefined && (e.type !== 'pre' || typeof e.language !== 'string')) fail('language on non-pre', e);
  }
  const stack: Entity[] = [];
  for (const e of sortEntities(entities)) {
    while (stack.length > 0 && end(stack[stack.length - 1]!) <= e.offset) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && end(e) > end(parent)) fail(`crosses ${JSON.stringify(parent)}:`, e);
    for (const a of stack) {
      if (isCodeLike(a.type)) fail(`inside ${a.type}:`, e);
      if (isCodeLike(e.type) && (FORMATTING.has(a.type) || a.type === 'text_link')) fail(`code/pre inside ${a.type}:`, e);
      if ((e.type === 'blockquote' || e.type === 'text_link') && a.type === e.type) fail(`nested ${e.type}:`, e);
    }
    stack.push(e);
  }
}
