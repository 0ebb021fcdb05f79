// reply_markup validation: inline keyboards attach to the message; callback_data is 1-64 bytes.
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { bad } from './apiError.ts';
import { canonical, validLink } from './entities.ts';
import { isObj } from './params.ts';

const OTHER_BUTTON_ACTIONS = [
  'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
];

function checkButton(b: unknown): void {
  if (!isObj(b)) throw bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  if (typeof b.text !== 'string') throw bad('can\'t parse inline keyboard button: Field "text" must be of type String');
  if (b.callback_data !== undefined) {
    if (typeof b.callback_data !== 'string') throw bad('BUTTON_DATA_INVALID');
    const bytes = Buffer.byteLength(b.callback_data, 'utf8');
    if (bytes < 1 || bytes > 64) throw bad('BUTTON_DATA_INVALID');
  } else if (b.url !== undefined) {
    if (!validLink(b.url)) throw bad('BUTTON_URL_INVALID');
  } else if (!OTHER_BUTTON_ACTIONS.some((a) => b[a] !== undefined)) {
    throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
}

/** Validates reply_markup; returns the inline keyboard if that is what it is. */
export function validateMarkup(raw: unknown): InlineKeyboardMarkup | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) throw bad("can't parse reply keyboard markup JSON object");
  if (!('inline_keyboard' in raw)) {
    if ('keyboard' in raw || 'remove_keyboard' in raw || 'force_reply' in raw) return undefined;
    throw bad("can't parse reply keyboard markup JSON object");
  }
  const rows = raw.inline_keyboard;
  if (!Array.isArray(rows)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  for (const row of rows) {
    if (!Array.isArray(row)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    row.forEach(checkButton);
  }
  const markup = raw as unknown as InlineKeyboardMarkup;
  return markup.inline_keyboard.length === 0 ? undefined : markup;
}

export function canonicalMarkup(m: InlineKeyboardMarkup | undefined): string {
  if (!m || m.inline_keyboard.length === 0) return 'none';
  return canonical(m);
}
