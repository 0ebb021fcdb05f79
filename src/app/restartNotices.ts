// After a restart, one notice per chat whose messages were still in flight (its running turn was
// cut off, or it had queued ones); idle chats get nothing.
import { messageRef } from '../domain/messageRef.ts';
import { chatKeyOf, type Turn } from '../domain/turn.ts';
import { telegram, type Effect } from './effects.ts';
import { replyOp } from './reply.ts';

const preview = (t: Turn): string => (t.prompt.length > 80 ? `${t.prompt.slice(0, 80)}…` : t.prompt);

export function restartNotices(recovered: readonly Turn[]): Effect[] {
  const byChat = new Map<string, Turn[]>();
  for (const t of recovered) {
    const key = chatKeyOf(t.origin.chat);
    byChat.set(key, [...(byChat.get(key) ?? []), t]);
  }
  return [...byChat.values()].map((turns) => {
    const first = turns[0]!;
    const text =
      turns.length === 1
        ? `♻️ The bot restarted before answering "${preview(first)}". Answering it now.`
        : `♻️ The bot restarted before answering ${turns.length} messages (the first: "${preview(first)}"). Answering them now, in order.`;
    return telegram(replyOp(messageRef.recovered(first.id), first.origin.chat, text, first.origin.replyTo));
  });
}
