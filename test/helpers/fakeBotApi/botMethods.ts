// What the bot calls once at start: getMe and setMyCommands (default scope only).
import { bad } from './apiError.ts';
import type { Chats } from './chats.ts';
import type { Handlers } from './exchange.ts';
import { isObj } from './params.ts';

export function botMethods(chats: Chats): Handlers {
  return {
    getMe: () => ({ ...chats.botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),

    setMyCommands(p) {
      if (p.scope !== undefined || p.language_code !== undefined) {
        throw bad('fakeBotApi models only the default command menu (no scope, no language_code)');
      }
      const cmds = p.commands;
      if (typeof cmds === 'string') throw bad("can't parse commands JSON object");
      if (!Array.isArray(cmds)) throw bad('parameter "commands" is required');
      if (cmds.length > 100) throw bad('BOT_COMMANDS_TOO_MUCH');
      chats.commands = cmds.map((c: unknown) => {
        if (!isObj(c) || typeof c.command !== 'string' || typeof c.description !== 'string') {
          throw bad("can't parse BotCommand: command and description must be strings");
        }
        if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
        if (c.description.length < 1 || c.description.length > 256) throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
        return { command: c.command, description: c.description };
      });
      return true;
    },
  };
}
