// /resume: the conversations Claude Code recorded for the active session's working directory
// (newest first, with a button each), and `/resume <id or its first 8 characters>`, which
// attaches the session to one: the next message starts Claude Code with --resume <id>.
import { of, type Observable } from 'rxjs';
import { encodeWorkButton } from '../domain/callbackData.ts';
import type { Command } from '../domain/commands.ts';
import { plain } from '../domain/render/entities.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import { chatKeyOf, workspaceKey } from '../domain/turn.ts';
import type { ConversationInfo } from '../domain/workdir.ts';
import { askWorkdir } from './ask.ts';
import { dirOf, nowIso } from './config.ts';
import type { CommandContext } from './commands.ts';
import { claude, reduce, store, telegram, type Effect } from './effects.ts';
import { cwdOf } from './launch.ts';
import { replyOp } from './reply.ts';
import { chatOf, runtimeOf, withRuntime } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';

const say = (x: CommandContext, text: Parameters<typeof replyOp>[2], replyMarkup?: unknown): Effect =>
  telegram({ ...replyOp(messageRef.reply(x.ref), x.chat, text, x.m.message_id), ...(replyMarkup ? { replyMarkup } : {}) });

const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const words = (c: ConversationInfo) => (c.firstPrompt ? `"${c.firstPrompt}"` : '(no prompt recorded)');

export function resumeEffects(cmd: Extract<Command, { cmd: 'resume' }>, x: CommandContext): Observable<Effect> {
  const { cfg, s } = x;
  const chatKey = chatKeyOf(x.chat);
  const c = chatOf(s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const ws = workspaceKey(chatKey, c.active);
  const cwd = cwdOf(cfg, ws, c.sessions[c.active]);
  const current = runtimeOf(s, ws).sessionId;
  return askWorkdir(x.workdir$, { kind: 'conversations', id: `resume:${x.ref}`, cwd }, (r) => {
    if (!r.ok) return of(say(x, r.message));
    if (r.answer.kind !== 'conversations') return of();
    const list = r.answer.list;
    if (!cmd.id) {
      if (!list.length) return of(say(x, `Claude Code has recorded no conversations for ${cwd} yet.`));
      const top = list.slice(0, 10);
      const lines = top.map((k) => `${k.id === current ? '▶️' : '▫️'} ${when(k.mtimeMs)} — ${words(k)} (${k.id.slice(0, 8)})`);
      const rows = top.flatMap((k) => {
        const data = encodeWorkButton({ kind: 'resume', id: k.id });
        return data ? [[{ text: `${k.id.slice(0, 8)} · ${(k.firstPrompt || 'no prompt').slice(0, 40)}`, callback_data: data }]] : [];
      });
      const text = joinRendered([styled(`Conversations in ${cwd}`, 'bold'), plain(lines.join('\n')), plain(`${list.length > top.length ? `(the newest ${top.length} of ${list.length}) ` : ''}Press one, or send /resume <id>, to continue it in session "${c.active}".`)]);
      return of(say(x, text, { inline_keyboard: rows }));
    }
    const matches = list.filter((k) => k.id === cmd.id || k.id.startsWith(cmd.id!));
    if (!matches.length) return of(say(x, `No conversation ${cmd.id} is recorded for ${cwd}. /resume lists the ones there.`));
    if (matches.length > 1) return of(say(x, `${cmd.id} fits ${matches.length} conversations; give more of the id. /resume lists them.`));
    const k = matches[0]!;
    if (runtimeOf(s, ws).running) return of(say(x, `Session "${c.active}" is busy; /stop it first, then /resume ${k.id.slice(0, 8)}.`));
    return of(
      reduce(withRuntime(ws, (rt) => ({ ...rt, sessionId: k.id }))),
      store({ kind: 'conversation', dir: dirOf(cfg, ws), sessionId: k.id }),
      // A live process holds the old conversation; the next message starts one with --resume.
      claude({ kind: 'kill', workspace: ws }),
      say(x, `Session "${c.active}" now continues conversation ${k.id} (${words(k)}, ${when(k.mtimeMs)}). Your next message goes on from there.`),
    );
  });
}
