// /worktree: the session's git worktree, and its removal — only on an explicit command, after a
// confirmation button, never while a turn runs; the workdir driver refuses a tree with changes.
import { concat, of, type Observable } from 'rxjs';
import { encodeWorkButton } from '../domain/callbackData.ts';
import type { Command } from '../domain/commands.ts';
import { chatKeyOf, workspaceKey } from '../domain/turn.ts';
import { askWorkdir } from './ask.ts';
import { nowIso } from './config.ts';
import type { CommandContext } from './commands.ts';
import { claude, reduce, telegram, type Effect } from './effects.ts';
import { replyOp } from './reply.ts';
import { chatOf, runtimeOf, type AppState } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';

const say = (x: CommandContext, text: string, replyMarkup?: unknown): Effect =>
  telegram({ ...replyOp(messageRef.reply(x.ref), x.chat, text, x.m.message_id), ...(replyMarkup ? { replyMarkup } : {}) });

export function worktreeEffects(cmd: Extract<Command, { cmd: 'worktree' }>, x: CommandContext): Observable<Effect> {
  const chatKey = chatKeyOf(x.chat);
  const c = chatOf(x.s, chatKey, x.cfg.defaultPersona, nowIso(x.cfg));
  const name = cmd.remove?.session ?? c.active;
  const meta = c.sessions[name];
  if (!meta) return of(say(x, `There is no session "${name}" here any more.`));
  if (!meta.branch || !meta.project || !meta.cwd) {
    return of(say(x, `Session "${name}" has no git worktree${meta.project ? ` (it works in project ${meta.project})` : ''}. /new <name> <project>@<branch> starts a session in one.`));
  }
  const where = `Session "${name}": project ${meta.project}, branch ${meta.branch}, worktree ${meta.cwd}.`;
  if (!cmd.remove?.confirmed) {
    const data = encodeWorkButton({ kind: 'removeWorktree', session: name });
    const ask = cmd.remove ? '\nRemove this worktree? Its folder is deleted; the branch stays in the repository. A worktree with uncommitted changes is not removed.' : '\n/worktree remove deletes it (after a confirmation).';
    return of(say(x, where + ask, cmd.remove && data ? { inline_keyboard: [[{ text: '🗑 Remove the worktree', callback_data: data }]] } : undefined));
  }
  const ws = workspaceKey(chatKey, name);
  if (runtimeOf(x.s, ws).running) return of(say(x, `Session "${name}" is busy; /stop it first, then remove the worktree.`));
  const { project, cwd, branch } = meta;
  // The process works in that directory: it ends first (the next message starts a new one).
  const removal$ = askWorkdir(x.workdir$, { kind: 'removeWorktree', id: `rmwt:${x.ref}`, project, path: cwd }, (r) => {
    if (!r.ok) return of(say(x, r.message));
    if (r.answer.kind !== 'removed') return of();
    const back = r.answer.projectPath;
    // The session stays, in the project's own directory.
    const moved = reduce((st: AppState): AppState => {
      const chat = st.chats[chatKey];
      const m = chat?.sessions[name];
      if (!chat || !m) return st;
      const { branch: _b, ...rest } = m;
      return { ...st, chats: { ...st.chats, [chatKey]: { ...chat, sessions: { ...chat.sessions, [name]: { ...rest, cwd: back } } } } };
    });
    return of(moved, say(x, `Removed the worktree ${r.answer.path} (branch ${branch} is kept). Session "${name}" now works in ${back}.`));
  });
  return concat(of(claude({ kind: 'kill', workspace: ws })), removal$);
}
