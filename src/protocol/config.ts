// The bot's environment, validated once at start-up. Each error names the variable and what to do.
import { z } from 'zod';

const MIB = 1024 * 1024;

const positiveNumber = (name: string, def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a positive number, got "${v}".` });
        return z.NEVER;
      }
      return n;
    });

export const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: z
    .string({ error: 'TELEGRAM_BOT_TOKEN is missing. Create a bot with @BotFather in Telegram (send /newbot), copy the token it gives you, and put TELEGRAM_BOT_TOKEN=<token> in .env or the environment.' })
    .regex(/^\d+:[A-Za-z0-9_-]+$/, 'TELEGRAM_BOT_TOKEN does not look like a bot token (expected <digits>:<letters>, as @BotFather prints it).'),
  TELEGRAM_API_ROOT: z
    .string()
    .url('TELEGRAM_API_ROOT must be a URL such as http://127.0.0.1:8081 (a self-hosted Bot API server).')
    .optional()
    .transform((v) => (v ?? 'https://api.telegram.org').replace(/\/+$/, '')),
  ALLOWED_USER_IDS: z
    .string({ error: 'ALLOWED_USER_IDS is missing. The bot refuses to run open to everyone: set ALLOWED_USER_IDS to your numeric Telegram user id (comma-separated for several). To find yours, message @userinfobot in Telegram, or start this bot once and read the id it logs for refused users.' })
    .transform((v, ctx) => {
      const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = parts.filter((p) => !/^\d+$/.test(p));
      if (parts.length === 0 || bad.length) {
        ctx.addIssue({ code: 'custom', message: `ALLOWED_USER_IDS must be comma-separated numeric user ids, e.g. 123456789,987654321; got "${v}".` });
        return z.NEVER;
      }
      return new Set(parts.map(Number));
    }),
  CLAUDE_BIN: z.string().min(1).optional(),
  SESSIONS_DIR: z.string().min(1).default('./sessions'),
  PERSONAS_DIR: z.string().min(1).default('./personas'),
  DEFAULT_PERSONA: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'DEFAULT_PERSONA must be the name of a file in PERSONAS_DIR, without .json.').default('default'),
  IDLE_MINUTES: positiveNumber('IDLE_MINUTES', 15),
  MAX_LIVE_SESSIONS: positiveNumber('MAX_LIVE_SESSIONS', 0),
  STALL_MINUTES: positiveNumber('STALL_MINUTES', 10),
  PERMISSION_TIMEOUT_MINUTES: positiveNumber('PERMISSION_TIMEOUT_MINUTES', 10),
  SHUTDOWN_GRACE_SECONDS: positiveNumber('SHUTDOWN_GRACE_SECONDS', 10),
  MAX_QUEUE: positiveNumber('MAX_QUEUE', 10),
  MAX_FILE_MB: positiveNumber('MAX_FILE_MB', 20),
  WARM_SESSIONS: z
    .string()
    .regex(/^\s*\d+\s*$/, 'WARM_SESSIONS must be a whole number (0 turns warming after a restart off).')
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : Number(v))),
});

export interface Config {
  token: string;
  apiRoot: string;
  allowedUserIds: ReadonlySet<number>;
  claudeBin: string;
  sessionsDir: string;
  personasDir: string;
  defaultPersona: string;
  idleMs: number;
  maxLiveSessions: number;
  stallMs: number;
  permissionTimeoutMs: number;
  shutdownGraceMs: number;
  maxQueue: number;
  maxFileBytes: number;
  /** Processes resumed in the background at start (undefined: MAX_LIVE_SESSIONS, within free memory). */
  warmSessions?: number;
}

export class ConfigError extends Error {}

/** Each live CLI process takes about 200 MiB: allow half the machine's memory for them. */
export function defaultMaxLive(totalMemBytes: number): number {
  return Math.max(1, Math.min(32, Math.floor((totalMemBytes * 0.5) / (200 * MIB))));
}

export function parseConfig(env: Record<string, string | undefined>, defaults: { claudeBin: string; totalMemBytes: number }): Config {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    throw new ConfigError(['The bot cannot start:', ...r.error.issues.map((i) => `- ${i.message}`)].join('\n'));
  }
  const e = r.data;
  return {
    token: e.TELEGRAM_BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT,
    allowedUserIds: e.ALLOWED_USER_IDS,
    claudeBin: e.CLAUDE_BIN ?? defaults.claudeBin,
    sessionsDir: e.SESSIONS_DIR,
    personasDir: e.PERSONAS_DIR,
    defaultPersona: e.DEFAULT_PERSONA,
    idleMs: e.IDLE_MINUTES * 60_000,
    maxLiveSessions: e.MAX_LIVE_SESSIONS || defaultMaxLive(defaults.totalMemBytes),
    stallMs: e.STALL_MINUTES * 60_000,
    permissionTimeoutMs: e.PERMISSION_TIMEOUT_MINUTES * 60_000,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    maxQueue: Math.floor(e.MAX_QUEUE),
    maxFileBytes: e.MAX_FILE_MB * 1024 * 1024,
    ...(e.WARM_SESSIONS !== undefined ? { warmSessions: e.WARM_SESSIONS } : {}),
  };
}
