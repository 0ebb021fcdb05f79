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
  // Empty or unset: the bot pairs its first user with a one-time code (app/pairing.ts).
  ALLOWED_USER_IDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parts = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = parts.filter((p) => !/^\d+$/.test(p));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `ALLOWED_USER_IDS must be comma-separated numeric user ids, e.g. 123456789,987654321; got "${v}".` });
        return z.NEVER;
      }
      return new Set(parts.map(Number));
    }),
  CLAUDE_BIN: z.string().min(1).optional(),
  SESSIONS_DIR: z.string().min(1).default('./sessions'),
  PERSONAS_DIR: z.string().min(1).default('./personas'),
  // Unset: personas/default.json if there is one, else no persona (Claude Code's own prompt).
  DEFAULT_PERSONA: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'DEFAULT_PERSONA must be the name of a file in PERSONAS_DIR, without .json.').optional(),
  ISOLATION: z
    .enum(['auto', 'bwrap', 'user', 'none'], { error: 'ISOLATION must be auto, bwrap, user or none (see "Keeping the token from Claude" in README.md).' })
    .default('auto'),
  AGENT_UID: positiveNumber('AGENT_UID', 10001),
  IDLE_MINUTES: positiveNumber('IDLE_MINUTES', 15),
  MAX_LIVE_SESSIONS: positiveNumber('MAX_LIVE_SESSIONS', 0),
  STALL_MINUTES: positiveNumber('STALL_MINUTES', 10),
  PERMISSION_TIMEOUT_MINUTES: positiveNumber('PERMISSION_TIMEOUT_MINUTES', 10),
  SHUTDOWN_GRACE_SECONDS: positiveNumber('SHUTDOWN_GRACE_SECONDS', 10),
  MAX_QUEUE: positiveNumber('MAX_QUEUE', 10),
  MAX_FILE_MB: positiveNumber('MAX_FILE_MB', 20),
  PROJECTS_DIR: z.string().optional(),
  STT_URL: z.string().url('STT_URL must be the base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 (the bot POSTs to <STT_URL>/audio/transcriptions).').optional(),
  STT_API_KEY: z.string().optional(),
  STT_MODEL: z.string().min(1).default('whisper-1'),
  STT_PROVIDER: z.enum(['openai', 'local'], { error: 'STT_PROVIDER must be "openai" (an OpenAI-compatible STT_URL) or "local" (whisper.cpp with WHISPER_MODEL_PATH).' }).optional(),
  WHISPER_MODEL_PATH: z.string().min(1).optional(),
  STT_TIMEOUT_SECONDS: positiveNumber('STT_TIMEOUT_SECONDS', 60),
  VOICE_CONFIRM: z.string().optional().transform((v) => v === '1' || v?.toLowerCase() === 'true'),
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
  /** Whether PERSONAS_DIR was set (a missing default directory is then not an error). */
  personasDirSet: boolean;
  /** Undefined when DEFAULT_PERSONA is not set. */
  defaultPersona?: string;
  isolation: 'auto' | 'bwrap' | 'user' | 'none';
  agentUid: number;
  idleMs: number;
  maxLiveSessions: number;
  stallMs: number;
  permissionTimeoutMs: number;
  shutdownGraceMs: number;
  maxQueue: number;
  maxFileBytes: number;
  /** PROJECTS_DIR split at ':' (empty: no projects). */
  projectsDirs: string[];
  /** Speech to text: an OpenAI-compatible endpoint, whisper.cpp on this machine, or none. */
  stt?: { provider: 'openai'; url: string; apiKey?: string; model: string; timeoutMs: number } | { provider: 'local'; modelPath: string; timeoutMs: number };
  voiceConfirm: boolean;
  /** Processes resumed in the background at start (undefined: MAX_LIVE_SESSIONS, within free memory). */
  warmSessions?: number;
}

export class ConfigError extends Error {}

/** Each live CLI process takes about 200 MiB: allow half the machine's memory for them. */
export function defaultMaxLive(totalMemBytes: number): number {
  return Math.max(1, Math.min(32, Math.floor((totalMemBytes * 0.5) / (200 * MIB))));
}

/** `console: true` (npm run chat) needs no Telegram token. */
export function parseConfig(env: Record<string, string | undefined>, defaults: { claudeBin: string; totalMemBytes: number; console?: boolean }): Config {
  const r = (defaults.console ? envSchema.extend({ TELEGRAM_BOT_TOKEN: z.string().optional().catch(undefined).transform((v) => v ?? '') }) : envSchema).safeParse(env);
  if (!r.success) {
    throw new ConfigError(['The bot cannot start:', ...r.error.issues.map((i) => `- ${i.message}`)].join('\n'));
  }
  const e = r.data;
  if (e.STT_PROVIDER === 'local' && !e.WHISPER_MODEL_PATH) {
    throw new ConfigError('The bot cannot start:\n- STT_PROVIDER=local needs WHISPER_MODEL_PATH: the path of a whisper.cpp ggml model file you downloaded (e.g. ggml-base.en.bin).');
  }
  const timeoutMs = e.STT_TIMEOUT_SECONDS * 1000;
  const stt: Config['stt'] =
    e.STT_PROVIDER === 'local'
      ? { provider: 'local', modelPath: e.WHISPER_MODEL_PATH!, timeoutMs }
      : e.STT_URL
        ? { provider: 'openai', url: e.STT_URL.replace(/\/+$/, ''), apiKey: e.STT_API_KEY || undefined, model: e.STT_MODEL, timeoutMs }
        : undefined;
  return {
    stt,
    voiceConfirm: e.VOICE_CONFIRM,
    token: e.TELEGRAM_BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT,
    allowedUserIds: e.ALLOWED_USER_IDS,
    claudeBin: e.CLAUDE_BIN ?? defaults.claudeBin,
    sessionsDir: e.SESSIONS_DIR,
    personasDir: e.PERSONAS_DIR,
    personasDirSet: (env.PERSONAS_DIR ?? '').trim() !== '',
    defaultPersona: e.DEFAULT_PERSONA,
    isolation: e.ISOLATION,
    agentUid: Math.floor(e.AGENT_UID),
    idleMs: e.IDLE_MINUTES * 60_000,
    maxLiveSessions: e.MAX_LIVE_SESSIONS || defaultMaxLive(defaults.totalMemBytes),
    stallMs: e.STALL_MINUTES * 60_000,
    permissionTimeoutMs: e.PERMISSION_TIMEOUT_MINUTES * 60_000,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    maxQueue: Math.floor(e.MAX_QUEUE),
    maxFileBytes: e.MAX_FILE_MB * 1024 * 1024,
    projectsDirs: (e.PROJECTS_DIR ?? '').split(':').map((d) => d.trim()).filter(Boolean),
    ...(e.WARM_SESSIONS !== undefined ? { warmSessions: e.WARM_SESSIONS } : {}),
  };
}
