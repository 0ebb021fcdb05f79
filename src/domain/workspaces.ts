// A chat's workspaces as persisted (chats.json): the active one and each one's persona.

export interface WorkspaceMeta {
  persona: string;
  createdAt: string;
  lastActivity?: number;
  /** Working directory when it is not the session's own folder: a project, or a worktree of one. */
  cwd?: string;
  /** The project (a directory in PROJECTS_DIR) the session works in. */
  project?: string;
  /** The branch of the session's own git worktree of that project. */
  branch?: string;
  /** Model chosen with /model (passed as --model on every start). */
  model?: string;
  /** Claude Code's slash commands, from the session's last `init` line. */
  claudeCommands?: string[];
}

export interface ChatWorkspaces {
  active: string;
  sessions: Record<string, WorkspaceMeta>;
}

/** chat key → its workspaces. */
export type Chats = Record<string, ChatWorkspaces>;
