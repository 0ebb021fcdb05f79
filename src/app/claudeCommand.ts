// A /command that is not one of the bot's goes to Claude Code as the message text when the
// session's CLI lists it (its last `init` line's slash_commands, or a few built-ins before the
// first one), or when it names a custom command file (asked of the workdir driver).
import { of, type Observable } from 'rxjs';
import type { Command } from '../domain/commands.ts';
import { claudeNamesFor } from '../domain/workdir.ts';
import { chatKeyOf, splitWorkspaceKey, workspaceKey } from '../domain/turn.ts';
import { nowIso } from './config.ts';
import type { CommandContext } from './commands.ts';
import { askWorkdir } from './ask.ts';
import type { Effect } from './effects.ts';
import { cwdOf } from './launch.ts';
import { reply } from './reply.ts';
import { chatOf, type AppState } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';

/** Claude Code built-ins known before a session's first `init` too: 2.1.330 lists these in slash_commands except cost (answered all the same, fixtures/slash-local.jsonl) and review (named by the issue). */
export const BUILTIN_CLAUDE_COMMANDS = ['clear', 'compact', 'context', 'cost', 'init', 'review', 'security-review', 'usage', 'model', 'mcp', 'agents', 'effort'];

/** Keeps a workspace's Claude command names (the state is unchanged when they are). */
export const recordCommands = (workspace: string, names: readonly string[]) => (s: AppState): AppState => {
  const { chatKey, name } = splitWorkspaceKey(workspace);
  const chat = s.chats[chatKey];
  const meta = chat?.sessions[name];
  if (!chat || !meta) return s;
  const list = names.filter((n) => !n.startsWith('__'));
  if (meta.claudeCommands && meta.claudeCommands.length === list.length && meta.claudeCommands.every((n, i) => n === list[i])) return s;
  return { ...s, chats: { ...s.chats, [chatKey]: { ...chat, sessions: { ...chat.sessions, [name]: { ...meta, claudeCommands: list } } } } };
};

/** The Claude command a typed name stands for, among the known ones. */
export function knownCommand(known: readonly string[], typed: string): string | undefined {
  const names = claudeNamesFor(typed);
  return known.find((k) => names.includes(k));
}

export function claudeCommandEffects(cmd: Extract<Command, { cmd: 'claude' }>, x: CommandContext, toTurn: (prompt: string) => Observable<Effect>): Observable<Effect> {
  const { cfg, s, chat, m } = x;
  const chatKey = chatKeyOf(chat);
  const c = chatOf(s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const meta = c.sessions[c.active];
  const prompt = (name: string) => `/${name}${cmd.args ? ` ${cmd.args}` : ''}`;
  // Built-ins such as /cost work although init does not list them all.
  const known = knownCommand([...(meta?.claudeCommands ?? []), ...BUILTIN_CLAUDE_COMMANDS], cmd.name);
  if (known) return toTurn(prompt(known));
  // Named on purpose with /claude: sent as typed (with `_` as `-` when that is what the CLI knows).
  if (cmd.explicit) return toTurn(prompt(cmd.name));
  const req = { kind: 'commandFile' as const, id: `cmdfile:${x.ref}`, cwd: cwdOf(cfg, workspaceKey(chatKey, c.active), meta), name: cmd.name };
  return askWorkdir(x.workdir$, req, (r) => {
    const name = r.ok && r.answer.kind === 'commandFile' ? r.answer.name : undefined;
    if (name) return toTurn(prompt(name));
    return of(reply(messageRef.reply(x.ref), chat, `Unknown command /${cmd.name}. /help lists the bot's commands; Claude Code's are in the menu once this session has answered (or send /claude ${cmd.name} to pass it on as it is).`, m.message_id));
  });
}
