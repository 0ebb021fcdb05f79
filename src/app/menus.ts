// The Telegram command menu per chat: the bot's commands plus the active session's Claude Code
// commands (`code-review` shown as /code_review). A projection of the state: a chat's menu is
// set again only when it changes, and nothing is sent for the state the bot started with.
import { distinctUntilChanged, map, mergeMap, pairwise, type Observable } from 'rxjs';
import { BOT_COMMANDS } from '../domain/commands.ts';
import type { OutOp } from '../domain/telegram.ts';
import { isMenuName, telegramCommandName } from '../domain/workdir.ts';
import type { Chats } from '../domain/workspaces.ts';
import type { AppState } from './state.ts';

type Menu = { command: string; description: string }[];

const BOT_NAMES = new Set<string>([...BOT_COMMANDS.map((c) => c.command), 'start']);

/** The bot's commands, then the Claude commands Telegram can show that the bot does not use (≤ 100). */
export function menuFor(claudeCommands: readonly string[] | undefined): Menu {
  const own: Menu = BOT_COMMANDS.map((c) => ({ command: c.command, description: c.description }));
  const seen = new Set(BOT_NAMES);
  const theirs: Menu = [];
  for (const n of claudeCommands ?? []) {
    const command = telegramCommandName(n);
    if (!isMenuName(n) || n.startsWith('__') || seen.has(command)) continue;
    seen.add(command);
    theirs.push({ command, description: `Claude Code: /${n}` });
  }
  return [...own, ...theirs].slice(0, 100);
}

// A session's command list keeps its identity until the CLI reports another: its menu is built once
// (every message changes the chats part of the state, and so runs menus() for every chat).
const built = new WeakMap<readonly string[], string>();
const menuText = (cmds: readonly string[]): string => {
  let text = built.get(cmds);
  if (text === undefined) built.set(cmds, (text = JSON.stringify(menuFor(cmds))));
  return text;
};

/** chat id → its menu, for chats whose active session has recorded Claude commands. */
function menus(chats: Chats): Map<number, string> {
  const out = new Map<number, string>();
  for (const [chatKey, c] of Object.entries(chats)) {
    const cmds = c.sessions[c.active]?.claudeCommands;
    if (cmds) out.set(Number(chatKey.split('_')[0]), menuText(cmds));
  }
  return out;
}

export function menuOps$(state$: Observable<AppState>): Observable<OutOp> {
  return state$.pipe(
    map((s) => s.chats),
    distinctUntilChanged(),
    map(menus),
    pairwise(),
    mergeMap(([before, after]): OutOp[] => {
      const ops: OutOp[] = [];
      for (const [chatId, menu] of after) if (before.get(chatId) !== menu) ops.push({ op: 'commands', chatId, commands: JSON.parse(menu) as Menu });
      // A chat whose active session has no Claude commands (yet) gets the bot's own menu back.
      for (const chatId of before.keys()) if (!after.has(chatId)) ops.push({ op: 'commands', chatId, commands: menuFor([]) });
      return ops;
    }),
  );
}
