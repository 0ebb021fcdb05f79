// Parsing what a user typed into a command. Pure.

export const SESSION_NAME = /^[A-Za-z0-9_-]{1,32}$/;

export type Command =
  | { cmd: 'new'; name?: string; project?: string; branch?: string }
  | { cmd: 'sessions' }
  | { cmd: 'switch'; name: string }
  | { cmd: 'persona'; name?: string }
  | { cmd: 'status' }
  | { cmd: 'stop'; clear: boolean }
  | { cmd: 'help' }
  | { cmd: 'projects' }
  | { cmd: 'model'; name?: string }
  | { cmd: 'resume'; id?: string }
  /** Shows the session's worktree; `remove` asks for confirmation, `confirmed` removes it. */
  | { cmd: 'worktree'; remove?: { session?: string; confirmed: boolean } }
  /** A command for Claude Code itself: `/claude <name> [args]` (explicit), or an unknown /name. */
  | { cmd: 'claude'; name: string; args: string; explicit: boolean }
  | { cmd: 'get'; path: string }
  | { cmd: 'invite' }
  | { cmd: 'invalid'; message: string };

export const BOT_COMMANDS = [
  { command: 'new', description: 'Start a new session: /new [name]' },
  { command: 'sessions', description: 'List sessions in this chat' },
  { command: 'switch', description: 'Switch the active session: /switch <name>' },
  { command: 'persona', description: 'List personas, or set one: /persona [name]' },
  { command: 'status', description: 'Session, model, queue, process and last turn' },
  { command: 'stop', description: 'Stop the running turn (/stop all also clears the queue)' },
  { command: 'get', description: "Get a file from the session's directory: /get <path>" },
  { command: 'help', description: 'How to use this bot' },
  { command: 'projects', description: 'Projects to work in: /new <name> <project>[@branch]' },
  { command: 'model', description: 'Show or switch the model: /model [name]' },
  { command: 'resume', description: 'Conversations of this directory; /resume <id> continues one' },
  { command: 'worktree', description: "This session's git worktree; /worktree remove" },
  { command: 'claude', description: 'A Claude Code command by name: /claude <command> [args]' },
  { command: 'invite', description: 'A one-time pairing code for someone else' },
] as const;

const nameError = (what: string, name: string) =>
  `"${name.slice(0, 40)}" is not a valid ${what} name: use 1-32 letters, digits, - or _.`;

export const MODEL_NAME = /^[A-Za-z0-9._:\[\]-]{1,64}$/;

/** `/new <name> [<project>[@<branch>]]`; project and branch are checked by the workdir driver. */
function parseNew(arg: string): Command {
  const [name, spec, ...rest] = arg.split(/\s+/);
  if (!SESSION_NAME.test(name!)) return { cmd: 'invalid', message: nameError('session', name!) };
  if (spec === undefined) return { cmd: 'new', name };
  const m = /^([^@/\\]{1,100})(?:@(.{1,200}))?$/.exec(spec);
  if (rest.length || !m || m[1] === '.' || m[1] === '..') return { cmd: 'invalid', message: 'Usage: /new <name> <project>[@<branch>], e.g. /new fix myapp@fix-login. /projects lists the projects.' };
  return { cmd: 'new', name, project: m[1]!, ...(m[2] !== undefined ? { branch: m[2] } : {}) };
}

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
      return parseNew(arg);
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
    case 'projects':
      return { cmd: 'projects' };
    case 'model':
      if (!arg) return { cmd: 'model' };
      return MODEL_NAME.test(arg) ? { cmd: 'model', name: arg } : { cmd: 'invalid', message: `"${arg.slice(0, 40)}" is not a model name. /model lists the models Claude Code offers.` };
    case 'resume':
      if (!arg) return { cmd: 'resume' };
      return /^[0-9a-f-]{8,36}$/i.test(arg) ? { cmd: 'resume', id: arg.toLowerCase() } : { cmd: 'invalid', message: `"${arg.slice(0, 40)}" is not a conversation id. /resume lists them; give the whole id or its first 8 characters.` };
    case 'worktree':
      if (!arg) return { cmd: 'worktree' };
      return /^remove$/i.test(arg) ? { cmd: 'worktree', remove: { confirmed: false } } : { cmd: 'invalid', message: 'Usage: /worktree shows the session\'s worktree; /worktree remove removes it (after a confirmation).' };
    case 'claude': {
      const c = /^\/?([A-Za-z0-9_:-]{1,64})(?:\s+([\s\S]*))?$/.exec(arg);
      if (!c) return { cmd: 'invalid', message: 'Usage: /claude <command> [arguments], e.g. /claude status or /claude code-review. It sends /<command> to Claude Code.' };
      return { cmd: 'claude', name: c[1]!, args: (c[2] ?? '').trim(), explicit: true };
    }
    case 'get':
      return arg ? { cmd: 'get', path: arg } : { cmd: 'invalid', message: "Usage: /get <path>, relative to the session's directory (/get . lists it)." };
    case 'invite':
      return { cmd: 'invite' };
    default:
      // Not one of the bot's: maybe one of Claude Code's (app/claudeCommand.ts decides).
      return { cmd: 'claude', name: cmd, args: arg, explicit: false };
  }
}

export const HELP_TEXT = `I run Claude Code on the bot's machine, in a working directory per session.

Send a message (or a file, photo, album or voice note with a caption) and Claude Code works on it; answers stream in while it runs. Messages sent while it works are queued and answered in order.

Commands:
/new [name] — start a new session (its own directory and conversation) and make it active
/new <name> <project> — a session working in one of the projects (/projects lists them)
/new <name> <project>@<branch> — the same in its own git worktree on that branch
/sessions — list this chat's sessions
/switch <name> — change the active session
/persona [name] — list personas, or set one for the active session
/status — session, model, queue, process, last turn's cost and time
/stop — stop the running turn (queued messages are kept; /stop all drops them too)
/get <path> — send a file from the session's directory (a directory: its listing)
/projects — the projects, their branch and state, with a button to start a session in one
/model [name] — the current model and the ones offered, or switch (kept for this session)
/resume [id] — the conversations recorded for this session's directory, or continue one
/worktree — this session's git worktree; /worktree remove deletes it (asks first, refuses changes)
/invite — a one-time pairing code for someone else
/help — this text

Claude Code's own commands work too: /compact, /clear, /context, /review, skills and your .claude/commands (the menu lists them once the session has run). A Claude Code command named like one of the bot's goes through /claude: /claude status, /claude model sonnet, /claude help. Names with - are typed with _ (/code_review).`;
