// A plain reply in a chat, as an effect.
import { plain, type Rendered } from '../domain/render/entities.ts';
import type { ChatRef, OutOp } from '../domain/telegram.ts';
import { telegram, type Effect } from './effects.ts';

export function replyOp(ref: string, chat: ChatRef, r: Rendered | string, replyTo?: number): Extract<OutOp, { op: 'send' }> {
  const msg = typeof r === 'string' ? plain(r) : r;
  return { op: 'send', ref, chat, text: msg.text, entities: msg.entities, replyTo };
}

export const reply = (ref: string, chat: ChatRef, r: Rendered | string, replyTo?: number): Effect => telegram(replyOp(ref, chat, r, replyTo));
