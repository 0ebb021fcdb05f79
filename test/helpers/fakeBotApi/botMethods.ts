// What the bot calls once at start: getMe and setMyCommands (the default scope, or one chat's).
import { bad } from './apiError.ts';
import type { Chats } from './chats.ts';
import type { Handlers } from './exchange.ts';
import { isObj } from './params.ts';

export function botMethods(chats: Chats): Handlers {
  return {
    getMe: () => ({ ...chats.botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),

    setMyCommands(p) {
      const scope = p.scope;
      const chatScope = isObj(scope) && scope.type === 'chat' && typeof scope.chat_id === 'number' ? scope.chat_id : undefined;
      if ((scope !== undefined && chatScope === undefined) || p.language_code !== undefined) {
        throw bad('fakeBotApi models only the default command menu and chat scopes (no other scope, no language_code)');
      }
      const cmds = p.commands;
      if (typeof cmds === 'string') throw bad("can't parse commands JSON object");
      if (!Array.isArray(cmds)) throw bad('parameter "commands" is required');
      if (cmds.length > 100) throw bad('BOT_COMMANDS_TOO_MUCH');
      const list = cmds.map((c: unknown) => {
        if (!isObj(c) || typeof c.command !== 'string' || typeof c.description !== 'string') {
          throw bad("can't parse BotCommand: command and description must be strings");
        }
        if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
        if (c.description.length < 1 || c.description.length > 256) throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
        return { command: c.command, description: c.description };
      });
      if (chatScope === undefined) chats.commands = list;
      else chats.chatCommands.set(chatScope, list);
      return true;
    },
  };
}
