// Warm after a restart: the processes of the most recently active workspaces are started in the
// background (resuming their conversations), so the first message after a restart does not wait
// for a cold CLI. A spawn without a turn, then released: the idle reaper and the LRU cap apply.
import type { ClaudeCommand } from '../domain/claude.ts';
import { workspaceKey } from '../domain/turn.ts';
import type { AppConfig } from './config.ts';
import { launchOf } from './launch.ts';
import { telegramTools } from './mcp.ts';
import { claude, log, type Effect } from './effects.ts';
import { runtimeOf, type AppState } from './state.ts';

/** The workspaces to warm, most recently active first (only those that were ever used, none with recovered turns). */
export function warmWorkspaces(s: AppState, n: number): string[] {
  const used: Array<{ ws: string; at: number }> = [];
  for (const [chatKey, c] of Object.entries(s.chats)) {
    for (const [name, meta] of Object.entries(c.sessions)) {
      const ws = workspaceKey(chatKey, name);
      // A workspace with messages to answer from the last run gets its process from its turn.
      if (meta.lastActivity !== undefined && runtimeOf(s, ws).pending === 0) used.push({ ws, at: meta.lastActivity });
    }
  }
  return used.sort((a, b) => b.at - a.at).slice(0, Math.max(0, n)).map((u) => u.ws);
}

/** Spawn and release each, so a process nobody uses is reaped after the idle time. */
export function warmCommands(s: AppState, cfg: AppConfig): ClaudeCommand[] {
  const n = Math.min(cfg.warmSessions ?? 0, cfg.maxLive ?? Infinity);
  return warmWorkspaces(s, n).flatMap((ws): ClaudeCommand[] => {
    const launch = { ...launchOf(cfg, s, ws), ...telegramTools(cfg) };
    return [{ kind: 'spawn', workspace: ws, launch }, { kind: 'hold', workspace: ws, held: false }];
  });
}

/** The commands as effects, with one log line. */
export function warmEffects(s: AppState, cfg: AppConfig): Effect[] {
  const cmds = warmCommands(s, cfg);
  if (!cmds.length) return [];
  return [log(`warming ${cmds.length / 2} recently active session(s) in the background`), ...cmds.map(claude)];
}
