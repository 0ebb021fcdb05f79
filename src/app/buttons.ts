// Button presses and the draft's stop button → effects. A button acts only for allowed users, only
// in the chat its prompt was sent to, and only while its prompt is open.
import type { CallbackQuery, MessageGenerationStopped } from 'node-telegram-bot-api';
import { decodeButton } from '../domain/callbackData.ts';
import type { ChatRef } from '../domain/telegram.ts';
import { summarizeToolInput } from '../domain/toEvents.ts';
import { controlResponseLine } from '../protocol/stdin.ts';
import type { AppConfig } from './config.ts';
import { claude, log, reduce, telegram, type Effect } from './effects.ts';
import { without, type AppState } from './state.ts';
import { isAllowed } from './access.ts';
import { rulesLabel } from '../domain/permissionRules.ts';

const answer = (id: string, text?: string): Effect => telegram({ op: 'answerCallback', callbackQueryId: id, ...(text ? { text } : {}) });
const closePrompt = (ref: string, chat: ChatRef, text: string): Effect => telegram({ op: 'edit', ref, chat, text, replyMarkup: { inline_keyboard: [] } });

export function buttonEffects(q: CallbackQuery, cfg: AppConfig, s: AppState): Effect[] {
  if (!isAllowed(cfg, s, q.from.id)) return [log(`ignored a button press from user ${q.from.id}`), answer(q.id, 'Only the bot owner can answer this.')];
  const press = decodeButton(q.data);
  const sameChat = (c: ChatRef) => q.message?.chat.id === c.chatId;
  if (press?.kind === 'permission') {
    const p = s.permissions[press.token];
    if (!p || !sameChat(p.chat)) return [answer(q.id, 'This request is no longer pending.')];
    const allow = press.choice !== 'deny';
    const rules = p.sessionRules ?? [p.toolName];
    const verdict = press.choice === 'session' ? `✅ Allowed ${rulesLabel(rules)} for this session` : allow ? '✅ Allowed' : '❌ Denied';
    const response = allow ? { behavior: 'allow', updatedInput: p.input } : { behavior: 'deny', message: 'The user denied this in Telegram.' };
    return [
      reduce(without('permissions', [press.token])),
      ...(press.choice === 'session' ? [reduce((st: AppState) => ({ ...st, allowAlways: { ...st.allowAlways, [p.workspace]: [...(st.allowAlways[p.workspace] ?? []), ...rules] } }))] : []),
      claude({ kind: 'write', workspace: p.workspace, line: controlResponseLine(p.requestId, response) }),
      answer(q.id, verdict),
      closePrompt(p.ref, p.chat, `${verdict}: ${p.toolName} ${summarizeToolInput(p.toolName, p.input, 300)}`),
    ];
  }
  if (press?.kind === 'stall') {
    const st = s.stalls[press.token];
    if (!st || !sameChat(st.chat)) return [answer(q.id, 'That turn has finished.')];
    const text = press.choice === 'stop' ? '⏹ Stopping the turn.' : '⏳ Still waiting.';
    return [
      reduce(without('stalls', [press.token])),
      ...(press.choice === 'stop' ? [{ to: 'stop', workspace: st.workspace } as Effect] : []),
      answer(q.id, text),
      closePrompt(st.ref, st.chat, text),
    ];
  }
  return [answer(q.id)];
}

export function draftStopEffects(stop: MessageGenerationStopped, s: AppState): Effect[] {
  const workspace = s.drafts[`${stop.chat.id}:${stop.draft_id}`];
  return workspace ? [{ to: 'stop', workspace }] : [];
}
