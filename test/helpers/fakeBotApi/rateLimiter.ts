// Telegram's flood limits (429 with retry_after): per chat, per group per minute, and global.
// Only calls that succeed count, as only delivered messages count in Telegram.
import type { RateLimitOptions } from './types.ts';

/** The methods that count: what the bot writes into chats. */
export const RATE_LIMITED_METHODS = new Set(['sendmessage', 'editmessagetext', 'deletemessage', 'senddocument']);

/** Seconds until a window of `windowMs` holding timestamps `ts` has room for one more of `max`. */
function retryFor(ts: number[], now: number, windowMs: number, max: number): number | undefined {
  const inWindow = ts.filter((t) => t > now - windowMs);
  if (inWindow.length < max) return undefined;
  if (max <= 0) return Math.ceil(windowMs / 1000);
  const freeAt = inWindow[inWindow.length - max]! + windowMs;
  return Math.max(1, Math.ceil((freeAt - now) / 1000));
}

export class RateLimiter {
  private readonly perChat: number;
  private readonly group: number;
  private readonly global: number;
  private readonly chatWindows = new Map<number, number[]>();
  private globalWindow: number[] = [];

  constructor(r: RateLimitOptions) {
    this.perChat = Math.max(r.burst ?? 3, r.perChatPerSecond ?? 1);
    this.group = r.groupPerMinute ?? 20;
    this.global = r.globalPerSecond ?? 30;
  }

  /** Seconds to wait before a call to `chatId` is allowed, or undefined when it is allowed now. */
  check(chatId: number, now: number): number | undefined {
    const chat = this.chatWindows.get(chatId) ?? [];
    const waits = [
      retryFor(chat, now, 1000, this.perChat),
      chatId < 0 ? retryFor(chat, now, 60_000, this.group) : undefined,
      retryFor(this.globalWindow, now, 1000, this.global),
    ].filter((w): w is number => w !== undefined);
    return waits.length ? Math.max(...waits) : undefined;
  }

  record(chatId: number, now: number): void {
    const chat = (this.chatWindows.get(chatId) ?? []).filter((t) => t > now - 60_000);
    chat.push(now);
    this.chatWindows.set(chatId, chat);
    this.globalWindow = this.globalWindow.filter((t) => t > now - 1000);
    this.globalWindow.push(now);
  }
}
