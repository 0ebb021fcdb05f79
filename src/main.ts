// Composition root of the Telegram bot (`npm start`): configuration, the token check, the
// Telegram front end; everything else is shared with the console chat in run.ts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freemem, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TelegramApiError } from 'node-telegram-bot-api';
import { BOT_COMMANDS } from './domain/commands.ts';
import { CONSOLE_CHAT_ID } from './domain/turn.ts';
import { download, TelegramApi, updates$ } from './drivers/telegram.ts';
import { timingHooks } from './drivers/timing.ts';
import { ConfigError, parseConfig } from './protocol/config.ts';
import { run } from './run.ts';
import { outbox } from './streams/outbox/outbox.ts';

const DEFAULT_CLAUDE_BIN = fileURLToPath(new URL('../node_modules/.bin/claude', import.meta.url));
const BOT_DIR = fileURLToPath(new URL('..', import.meta.url));

let redact = (s: string) => s;
const log = (msg: string) => console.log(`${new Date().toISOString()} ${redact(msg)}`);
const fail = (msg: string): never => {
  console.error(redact(msg));
  process.exit(1);
};

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = parseConfig(process.env, { claudeBin: DEFAULT_CLAUDE_BIN, totalMemBytes: totalmem() });
  } catch (err) {
    return fail(err instanceof ConfigError ? err.message : String(err));
  }
  const token = config.token;
  redact = (s) => s.split(token).join('<token>');
  delete process.env.TELEGRAM_BOT_TOKEN; // not in this process's live environment any more

  const api = new TelegramApi(token, config.apiRoot);
  let me;
  try {
    me = await api.getMe();
    await api.setMyCommands({ commands: BOT_COMMANDS.map((c) => ({ ...c })) });
  } catch (err) {
    if (err instanceof TelegramApiError && (err.errorCode === 401 || err.errorCode === 404)) {
      return fail(`Telegram did not accept the bot token (${err.errorCode} ${err.description}). Check TELEGRAM_BOT_TOKEN: copy it again from @BotFather.`);
    }
    return fail(`Could not reach Telegram at ${config.apiRoot}: ${redact(String(err))}. Check the network, or TELEGRAM_API_ROOT.`);
  }

  const fetchFile = download(api, config.maxFileBytes);
  const timing = timingHooks(process.env, log); // CLAUDE_TG_TIMING=1: timestamps for the bench
  await run({
    config,
    log,
    fail,
    botDir: BOT_DIR,
    secretFiles: [resolve('.env'), resolve(BOT_DIR, '.env')],
    frontEnd: {
      botUsername: me.username,
      botId: me.id,
      telegramOffset: true,
      pairing: true,
      answers: (t) => t.origin.chat.chatId !== CONSOLE_CHAT_ID,
      updates$: (offset, app) => updates$(api, log, offset, app.takenIn),
      // 25/s rather than Telegram's "about 30": calls leave paced but arrive bunched by network jitter
      // (the soak saw a few 429s at 30 while 20 chats flushed at once).
      deliver$: (ops$) => outbox(ops$, (call) => (timing?.call(call), api.call(call)), { globalPerSecond: 25 }),
      fetchFile,
    },
  });
}

void main();
