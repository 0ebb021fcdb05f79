// Where and how a workspace's Claude Code starts: its working directory (the session's own folder,
// or a project or worktree, kept per workspace in chats.json), the persona, the conversation and
// the model chosen with /model.
import type { Launch } from '../domain/claude.ts';
import type { WorkspaceMeta } from '../domain/workspaces.ts';
import { dirOf, nowIso, personaOf, type AppConfig } from './config.ts';
import { runtimeOf, workspaceMeta, type AppState } from './state.ts';

/** The workspace's working directory. */
export const cwdOf = (cfg: AppConfig, workspace: string, meta: WorkspaceMeta | undefined): string => meta?.cwd ?? dirOf(cfg, workspace);

export function launchOf(cfg: AppConfig, s: AppState, workspace: string): Launch {
  const { meta } = workspaceMeta(s, workspace, cfg.defaultPersona, nowIso(cfg));
  const own = dirOf(cfg, workspace);
  return {
    dir: cwdOf(cfg, workspace, meta),
    persona: personaOf(cfg, meta.persona),
    sessionId: runtimeOf(s, workspace).sessionId,
    // Files the user sends to a project session stay in its own folder, which Claude may read.
    ...(meta.cwd && meta.cwd !== own ? { addDirs: [own] } : {}),
    ...(meta.model ? { model: meta.model } : {}),
  };
}
