// Runs the bot exactly as `npm start` does (tsx src/main.ts) against a fake Bot API and the real
// Claude Code CLI pointed at a fake model, all on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBotApi, type FakeBotApi, type StoredMessage } from './fakeBotApi/index.ts';
import { startFakeModel, type Director, type FakeModel } from './fakeModel.ts';
import { claudeBin, makeCliEnv, REPO_ROOT } from './cliEnv.ts';
import { signal, taggedClaudePids } from './processes.ts';

export const OWNER = 111;
export const STRANGER = 999;
export const PRIVATE_CHAT = 111;

export interface BotOptions {
  env?: Record<string, string>;
  director?: Director;
  rateLimit?: Parameters<typeof startFakeBotApi>[0] extends infer O ? (O extends { rateLimit?: infer R } ? R : never) : never;
  claudeBin?: string;
}

export interface Harness {
  tg: FakeBotApi;
  model: FakeModel;
  sessionsDir: string;
  home: string;
  /** The bot's working directory (where it reads .env). */
  cwd: string;
  output: string[];
  bot: ChildProcess;
  env: NodeJS.ProcessEnv;
  start(): Promise<void>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Waits for a line of the bot's output (from index `from` on, default all). */
  waitForOutput(re: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  /** Bot messages in a chat whose current text matches. */
  find(chatId: number, re: RegExp): StoredMessage | undefined;
  waitForMessage(chatId: number, re: RegExp, timeoutMs?: number): Promise<StoredMessage>;
  close(): Promise<void>;
}

// `npm start` is `node --import tsx src/main.ts`: signals reach the bot directly (the tsx CLI's
// signal relay SIGKILLs a child whose event loop is busy for more than ~60 ms).
const TSX_LOADER = import.meta.resolve('tsx');

export async function startBot(opts: BotOptions = {}): Promise<Harness> {
  const tg = await startFakeBotApi({ rateLimit: opts.rateLimit });
  const model = await startFakeModel({ director: opts.director });
  const sessionsDir = await mkdtemp(join(tmpdir(), 'bot-sessions-'));
  const cwd = await mkdtemp(join(tmpdir(), 'bot-cwd-'));
  const cli = await makeCliEnv(model.url);
  const env: NodeJS.ProcessEnv = {
    ...cli.env,
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    ALLOWED_USER_IDS: String(OWNER),
    SESSIONS_DIR: sessionsDir,
    PERSONAS_DIR: join(REPO_ROOT, 'personas'),
    CLAUDE_BIN: opts.claudeBin ?? claudeBin(),
    ...opts.env,
  };
  const output: string[] = [];
  const waiters = new Set<() => void>();
  let bot!: ChildProcess;
  let exit: Promise<number | null> = Promise.resolve(null);

  const h: Harness = {
    tg,
    model,
    sessionsDir,
    home: cli.home,
    cwd,
    output,
    env,
    get bot() {
      return bot;
    },
    async start() {
      const from = output.length;
      bot = spawn(process.execPath, ['--import', TSX_LOADER, join(REPO_ROOT, 'src', 'main.ts')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const onData = (chunk: Buffer) => {
        output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        for (const w of waiters) w();
      };
      bot.stdout!.on('data', onData);
      bot.stderr!.on('data', onData);
      exit = new Promise((resolve) => bot.once('exit', (code) => resolve(code)));
      await h.waitForOutput(/is running/, 20_000, from);
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (bot.exitCode !== null || bot.signalCode !== null) return bot.exitCode;
      bot.kill(signal);
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
      const code = await Promise.race([exit, timeout]);
      if (code === 'timeout') {
        bot.kill('SIGKILL');
        throw new Error(`the bot did not exit within 30 s of ${signal}; output:\n${output.slice(-20).join('\n')}`);
      }
      return code;
    },
    waitForOutput(re, timeoutMs = 15_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.slice(from).find((l) => re.test(l));
          if (line !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no bot output matching ${re} within ${timeoutMs} ms; last lines:\n${output.slice(-15).join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    find(chatId, re) {
      return tg.chatLog(chatId).find((m) => re.test(m.text ?? ''));
    },
    waitForMessage(chatId, re, timeoutMs = 30_000) {
      // The chat's content as it is at the timeout, not as it was when the wait began.
      return tg.waitFor(() => h.find(chatId, re), timeoutMs, () => `a bot message matching ${re} in chat ${chatId}; chat has (at the timeout): ${JSON.stringify(tg.chatLog(chatId).map((m) => m.text?.slice(0, 80)))}`);
    },
    async close() {
      try {
        await h.stop('SIGTERM');
      } catch {
        /* reported by the test that stopped it */
      }
      // Belt and braces: nothing the bot started may survive it.
      for (const pid of taggedClaudePids(env)) signal(pid, 'SIGKILL');
      await tg.close();
      await model.close();
      await cli.cleanup();
      await rm(sessionsDir, { recursive: true, force: true });
      await rm(cwd, { recursive: true, force: true });
    },
  };
  return h;
}
