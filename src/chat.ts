// `npm run chat`: the same app with the console in place of Telegram (no token needed). Lines you
// type are messages in chat "console" (SESSIONS_DIR/chatconsole, the same sessions directory as the
// bot); answers stream in; y / n / a answer permission prompts. End of input or Ctrl-C ends it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { of } from 'rxjs';
import { CONSOLE_CHAT_ID } from './domain/turn.ts';
import { CONSOLE_USER_ID, ConsoleInput } from './drivers/console/consoleInput.ts';
import { ConsoleOutput } from './drivers/console/consoleOutput.ts';
import { ConfigError, parseConfig } from './protocol/config.ts';
import { run } from './run.ts';

const DEFAULT_CLAUDE_BIN = fileURLToPath(new URL('../node_modules/.bin/claude', import.meta.url));
const BOT_DIR = fileURLToPath(new URL('..', import.meta.url));

// Logs go to stderr, dimmed on a terminal, so stdout is the conversation.
const tty = process.stdout.isTTY === true;
const log = (msg: string) => process.stderr.write(tty ? `\x1b[2m${msg}\x1b[0m\n` : `${new Date().toISOString()} ${msg}\n`);
const fail = (msg: string): never => {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
};

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = parseConfig(process.env, { claudeBin: DEFAULT_CLAUDE_BIN, totalMemBytes: totalmem(), console: true });
  } catch (err) {
    return fail(err instanceof ConfigError ? err.message : String(err));
  }
  delete process.env.TELEGRAM_BOT_TOKEN;
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const input = new ConsoleInput(process.stdin, say);
  const output = new ConsoleOutput((s) => process.stdout.write(s), input, tty);
  await run({
    config,
    log,
    fail,
    botDir: BOT_DIR,
    secretFiles: [resolve('.env'), resolve(BOT_DIR, '.env')],
    frontEnd: {
      telegramOffset: false,
      pairing: false,
      allowedUserIds: new Set([CONSOLE_USER_ID]),
      answers: (t) => t.origin.chat.chatId === CONSOLE_CHAT_ID,
      updates$: (_offset, { idle$ }) => input.updates$(idle$, () => process.emit('SIGINT', 'SIGINT')),
      deliver$: (ops$) => output.deliver$(ops$),
      fetchFile: () => of({ ok: false, message: 'files cannot be sent from the console; put them in the session directory' }),
      ready: () => say('Console chat: type a message and press Enter. /help lists the commands; y / n / a answer questions; Ctrl-D or Ctrl-C ends.'),
    },
  });
}

void main();
