// Parsing what a user typed into a command. Pure.

export const SESSION_NAME = /^[A-Za-z0-9_-]{1,32}$/;

export type Command =
  | { cmd: 'new'; name?: string }
  | { cmd: 'sessions' }
  | { cmd: 'switch'; name: string }
  | { cmd: 'persona'; name?: string }
  | { cmd: 'status' }
  | { cmd: 'stop'; clear: boolean }
  | { cmd: 'help' }
  | { cmd: 'invite' }
  | { cmd: 'invalid'; message: string };

export const BOT_COMMANDS = [
  { command: 'new', description: 'Start a new session: /new [name]' },
  { command: 'sessions', description: 'List sessions in this chat' },
  { command: 'switch', description: 'Switch the active session: /switch <name>' },
  { command: 'persona', description: 'List personas, or set one: /persona [name]' },
  { command: 'status', description: 'Session, model, queue, process and last turn' },
  { command: 'stop', description: 'Stop the running turn (/stop all also clears the queue)' },
  { command: 'help', description: 'How to use this bot' },
  { command: 'invite', description: 'A one-time pairing code for someone else' },
] as const;

const nameError = (what: string, name: string) =>
  `"${name.slice(0, 40)}" is not a valid ${what} name: use 1-32 letters, digits, - or _.`;

/** Returns undefined when the text is not a command (or is a command for another bot). */
export function parseCommand(text: string, botUsername?: string): Command | undefined {
  const m = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, rawCmd, target, rawArgs] = m;
  if (target && botUsername && target.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  const cmd = rawCmd!.toLowerCase();
  const arg = (rawArgs ?? '').trim();
  switch (cmd) {
    case 'start':
    case 'help':
      return { cmd: 'help' };
    case 'new':
      if (!arg) return { cmd: 'new' };
      return SESSION_NAME.test(arg) ? { cmd: 'new', name: arg } : { cmd: 'invalid', message: nameError('session', arg) };
    case 'sessions':
      return { cmd: 'sessions' };
    case 'switch':
      if (!arg) return { cmd: 'invalid', message: 'Usage: /switch <name>. /sessions lists the names.' };
      return SESSION_NAME.test(arg) ? { cmd: 'switch', name: arg } : { cmd: 'invalid', message: nameError('session', arg) };
    case 'persona':
      if (!arg) return { cmd: 'persona' };
      return SESSION_NAME.test(arg) ? { cmd: 'persona', name: arg } : { cmd: 'invalid', message: nameError('persona', arg) };
    case 'status':
      return { cmd: 'status' };
    case 'stop':
      return { cmd: 'stop', clear: /^(all|clear)$/i.test(arg) };
    case 'invite':
      return { cmd: 'invite' };
    default:
      return { cmd: 'invalid', message: `Unknown command /${cmd}. /help lists the commands.` };
  }
}

export const HELP_TEXT = `I run Claude Code on the bot's machine, in a working directory per session.

Send a message (or a file or photo with a caption) and Claude Code works on it; answers stream in while it runs. Messages sent while it works are queued and answered in order.

Commands:
/new [name] — start a new session (its own directory and conversation) and make it active
/sessions — list this chat's sessions
/switch <name> — change the active session
/persona [name] — list personas, or set one for the active session
/status — session, model, queue, process, last turn's cost and time
/stop — stop the running turn (queued messages are kept; /stop all drops them too)
/invite — a one-time pairing code for someone else
/help — this text`;
