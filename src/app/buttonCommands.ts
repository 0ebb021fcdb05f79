// Buttons that stand for a command (start a session in a project, pick a model, resume a
// conversation, confirm a worktree's removal): a press by an allowed user runs that command in the
// chat the button's message is in.
import { merge, of, type Observable } from 'rxjs';
import type { CallbackQuery, Message } from 'node-telegram-bot-api';
import { decodeButton, type WorkButton } from '../domain/callbackData.ts';
import type { Command } from '../domain/commands.ts';
import { commandEffects, type CommandContext } from './commands.ts';
import { telegram, type Effect } from './effects.ts';

const WORK_KINDS = new Set<string>(['project', 'model', 'resume', 'removeWorktree']);

function commandOf(b: WorkButton): Command {
  switch (b.kind) {
    case 'project':
      return { cmd: 'new', project: b.name };
    case 'model':
      return { cmd: 'model', name: b.name };
    case 'resume':
      return { cmd: 'resume', id: b.id };
    case 'removeWorktree':
      return { cmd: 'worktree', remove: { session: b.session, confirmed: true } };
  }
}

/** Undefined when the press is not one of these (buttons.ts handles it, refusals included). */
export function workButtonEffects(q: CallbackQuery, x: Omit<CommandContext, 'chat' | 'm'>): Observable<Effect> | undefined {
  const press = decodeButton(q.data);
  if (!press || !WORK_KINDS.has(press.kind) || !x.cfg.allowedUserIds.has(q.from.id)) return undefined;
  const answer = telegram({ op: 'answerCallback', callbackQueryId: q.id });
  const m = q.message;
  // An inaccessible message (date 0) is too old to act on.
  if (!m || m.date === 0) return of(answer);
  const full = m as Message;
  const chat = full.message_thread_id && full.is_topic_message ? { chatId: m.chat.id, threadId: full.message_thread_id } : { chatId: m.chat.id };
  return merge(of(answer), commandEffects(commandOf(press as WorkButton), { ...x, chat, m: m as Message }));
}
