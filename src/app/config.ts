// Everything the app needs to know that is not an event: plain values, no effects.
import type { SchedulerLike } from 'rxjs';
import type { Persona } from '../protocol/persona.ts';
import { splitWorkspaceKey } from '../domain/turn.ts';

export interface AppConfig {
  allowedUserIds: ReadonlySet<number>;
  /** Absolute. Workspace directories are `<sessionsDir>/chat<chatKey>/<name>`. */
  sessionsDir: string;
  personas: ReadonlyMap<string, Persona>;
  defaultPersona: string;
  maxFileBytes: number;
  maxQueue: number;
  permissionTimeoutMs: number;
  stallMs: number;
  botUsername?: string;
  /** The bot's own user id (a reply to one of its messages addresses it in a group). */
  botId?: number;
  /** A fresh random pairing code (the driver's randomness, given as a function). */
  newCode?: () => string;
  /** Distinguishes this run's button tokens from those of earlier runs (still on old messages). */
  runId: string;
  /** For /status. */
  maxLive?: number;
  maxRespawns: number;
  /** Delay before the n-th respawn of a crashed CLI (n from 1). */
  backoffMs: (n: number) => number;
  interruptTimeoutMs: number;
  scheduler: SchedulerLike;
  /** Serve the `telegram` MCP server (send_file) to every session. */
  telegramTools?: boolean;
  /** Speech to text is configured (STT_URL or STT_PROVIDER=local). */
  transcriber?: boolean;
  /** Show a transcript with Send/Cancel buttons before it goes to Claude (VOICE_CONFIRM=1). */
  voiceConfirm?: boolean;
  /** Check git work trees around each turn and offer a Diff button (needs the io driver). */
  diffButton?: boolean;
  /** How long an album waits for its next part before it becomes one prompt. */
  albumWaitMs?: number;
  /** How many of the most recently active workspaces get a process at start (app/warm.ts). */
  warmSessions?: number;
}

export const dirOf = (cfg: AppConfig, workspace: string): string => {
  const { chatKey, name } = splitWorkspaceKey(workspace);
  return `${cfg.sessionsDir}/chat${chatKey}/${name}`;
};

export const personaOf = (cfg: AppConfig, name: string | undefined): Persona =>
  cfg.personas.get(name ?? cfg.defaultPersona) ?? cfg.personas.get(cfg.defaultPersona)!;

export const nowIso = (cfg: AppConfig): string => new Date(cfg.scheduler.now()).toISOString();

export const ago = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
};
