// Entity validation, stricter than Telegram (which often silently fixes or drops bad entities):
// the point is to catch the bot's rendering bugs. Offsets are UTF-16 code units.
import type { MessageEntity, User } from 'node-telegram-bot-api';
import { entityErr } from './apiError.ts';
import { isObj } from './params.ts';

/** Telegram keeps at most this many entities and ignores the rest. */
export const MAX_ENTITIES_KEPT = 100;

const ENTITY_TYPES = new Set([
  'mention', 'hashtag', 'cashtag', 'bot_command', 'url', 'email', 'phone_number', 'bold', 'italic', 'underline',
  'strikethrough', 'spoiler', 'blockquote', 'expandable_blockquote', 'code', 'pre', 'text_link', 'text_mention',
  'custom_emoji', 'date_time',
]);

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
/** True when UTF-16 index `i` falls between the two halves of a surrogate pair. */
const splitsPair = (text: string, i: number): boolean =>
  i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));

export function validLink(u: unknown): boolean {
  if (typeof u !== 'string' || u === '') return false;
  try {
    const url = new URL(u);
    if (url.protocol === 'tg:') return true;
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The type-specific fields of one entity, checked. */
function typed(e: Record<string, unknown>, ent: MessageEntity, at: string): void {
  switch (ent.type) {
    case 'text_link':
      if (!validLink(e.url)) throw entityErr(`${at} (text_link) has invalid url ${JSON.stringify(e.url)}`);
      ent.url = e.url as string;
      break;
    case 'text_mention':
      if (!isObj(e.user) || typeof e.user.id !== 'number') throw entityErr(`${at} (text_mention) needs a user with an id`);
      ent.user = e.user as unknown as User;
      break;
    case 'pre':
      if (e.language !== undefined) {
        if (typeof e.language !== 'string') throw entityErr(`${at} (pre) language must be a string`);
        ent.language = e.language;
      }
      break;
    case 'custom_emoji':
      if (typeof e.custom_emoji_id !== 'string' || e.custom_emoji_id === '') throw entityErr(`${at} (custom_emoji) needs custom_emoji_id`);
      ent.custom_emoji_id = e.custom_emoji_id;
      break;
    case 'date_time':
      if (typeof e.unix_time !== 'number' || !Number.isInteger(e.unix_time)) throw entityErr(`${at} (date_time) needs an integer unix_time`);
      ent.unix_time = e.unix_time;
      if (typeof e.date_time_format === 'string') ent.date_time_format = e.date_time_format;
      break;
    default:
      break;
  }
}

function one(e: unknown, i: number, text: string): MessageEntity {
  const at = `entity #${i}`;
  if (!isObj(e)) throw entityErr(`${at} is not an object`);
  const { type, offset, length } = e;
  if (typeof type !== 'string' || !ENTITY_TYPES.has(type)) throw entityErr(`${at} has unsupported type ${JSON.stringify(type)}`);
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw entityErr(`${at} (${type}) has invalid offset ${JSON.stringify(offset)}`);
  }
  if (typeof length !== 'number' || !Number.isInteger(length) || length <= 0) {
    throw entityErr(`${at} (${type}) has invalid length ${JSON.stringify(length)}`);
  }
  if (offset + length > text.length) {
    throw entityErr(
      `${at} (${type}) with offset ${offset} and length ${length} ends beyond the end of the text (${text.length} UTF-16 code units)`,
    );
  }
  if (splitsPair(text, offset)) throw entityErr(`${at} (${type}) starts in the middle of a surrogate pair at offset ${offset}`);
  if (splitsPair(text, offset + length)) throw entityErr(`${at} (${type}) ends in the middle of a surrogate pair at offset ${offset + length}`);
  const ent: MessageEntity = { type: type as MessageEntity['type'], offset, length };
  typed(e, ent, at);
  return ent;
}

/** Properly nested or disjoint: sort by start, longer first, and keep a stack of open ranges. */
function checkNesting(out: MessageEntity[]): void {
  const order = out.map((e, i) => ({ e, i })).sort((a, b) => a.e.offset - b.e.offset || b.e.length - a.e.length);
  const stack: Array<{ end: number; i: number; type: string }> = [];
  for (const { e, i } of order) {
    const end = e.offset + e.length;
    while (stack.length > 0 && stack[stack.length - 1]!.end <= e.offset) stack.pop();
    const top = stack[stack.length - 1];
    if (top && end > top.end) {
      throw entityErr(`entity #${i} (${e.type}) partially overlaps entity #${top.i} (${top.type}); entities must be nested or disjoint`);
    }
    stack.push({ end, i, type: e.type });
  }
}

/** Validates an entities array against `text`. Returns undefined for "no entities". */
export function validateEntities(raw: unknown, text: string, field = 'entities'): MessageEntity[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') throw entityErr(`${field} is not a valid JSON array`);
  if (!Array.isArray(raw)) throw entityErr(`${field} must be an array of MessageEntity`);
  const out = raw.map((e: unknown, i: number) => one(e, i, text));
  checkNesting(out);
  return out.length === 0 ? undefined : out;
}

/** JSON with sorted keys, for structural equality. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

export function canonicalEntities(e: MessageEntity[] | undefined): string {
  if (!e || e.length === 0) return '[]';
  const sorted = [...e].sort((a, b) => a.offset - b.offset || b.length - a.length || a.type.localeCompare(b.type));
  return canonical(sorted);
}
