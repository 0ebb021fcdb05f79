// Group chats: the bot acts only on messages addressed to it — a mention of @username, a reply to
// one of its messages, or a command (/cmd@username or bare /cmd). Channel posts and messages sent
// on behalf of a chat (sender_chat) are refused. Each sender must be allowed on their own.
import type { Message } from 'node-telegram-bot-api';
import type { AppConfig } from './config.ts';

export const isGroup = (m: Message): boolean => m.chat.type === 'group' || m.chat.type === 'supergroup' || m.chat.type === 'channel';

/** `ignore`: not for the bot; `refuse`: sent as a chat; `ok`: for the bot, with the mention cut out. */
export type GroupVerdict = { kind: 'ignore' } | { kind: 'refuse'; why: string } | { kind: 'ok'; text?: string };

export function groupVerdict(m: Message, cfg: AppConfig): GroupVerdict {
  if (m.chat.type === 'channel') return { kind: 'refuse', why: 'a channel post' };
  if (m.sender_chat) return { kind: 'refuse', why: `a message sent as chat ${m.sender_chat.id}` };
  const text = m.text ?? m.caption ?? '';
  const user = cfg.botUsername;
  if (/^\/[A-Za-z0-9_]+(\s|$)/.test(text)) return { kind: 'ok' };
  if (user && new RegExp(`^/[A-Za-z0-9_]+@${user}(\\s|$)`, 'i').test(text)) return { kind: 'ok' };
  const r = m.reply_to_message;
  if (r?.from?.is_bot && (cfg.botId !== undefined ? r.from.id === cfg.botId : r.from.username === user)) return { kind: 'ok' };
  if (user) {
    const mention = new RegExp(`(^|[^\\w@])@${user}\\b\\s*`, 'i');
    if (mention.test(text)) return { kind: 'ok', text: m.text !== undefined ? m.text.replace(mention, '$1').trim() : undefined };
  }
  return { kind: 'ignore' };
}
