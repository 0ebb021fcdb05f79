// What /status says about where a session works and how to continue its conversation in a
// terminal on the bot's machine (`-p` sessions are not in the terminal's own /resume picker).
import type { WorkspaceMeta } from '../domain/workspaces.ts';
import type { AppConfig } from './config.ts';
import { cwdOf } from './launch.ts';

/** A shell word: quoted only when it needs to be. */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function handoffLines(cfg: AppConfig, workspace: string, meta: WorkspaceMeta | undefined, sessionId: string | undefined): string[] {
  const cwd = cwdOf(cfg, workspace, meta);
  return [
    ...(meta?.project ? [`Project: ${meta.project}${meta.branch ? `, branch ${meta.branch} (own worktree)` : ''}`] : []),
    `Directory: ${cwd}`,
    `Conversation: ${sessionId ?? 'new'}`,
    ...(sessionId ? [`In a terminal: cd ${shellWord(cwd)} && claude --resume ${sessionId}`] : []),
  ];
}
