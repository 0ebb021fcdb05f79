// The workdir driver's language, as plain data: projects (directories in PROJECTS_DIR), their git
// state and worktrees, Claude Code's custom command files and recorded conversations. The app asks
// with a request id and waits for the result with the same id on the workdir source.

export interface ProjectInfo {
  name: string;
  /** realpath of the project directory. */
  path: string;
  git: boolean;
  branch?: string;
  dirty?: boolean;
}

/** A conversation Claude Code recorded for a directory ($HOME/.claude/projects/<slug>/<id>.jsonl). */
export interface ConversationInfo {
  id: string;
  /** Last write, epoch ms. */
  mtimeMs: number;
  /** The first prompt's opening words ('' when none was found). */
  firstPrompt: string;
}

export type WorkdirRequest =
  | { kind: 'projects'; id: string }
  /** A project's directory, or (with branch) its git worktree on that branch, created or reused. */
  | { kind: 'open'; id: string; project: string; branch?: string }
  /** Removes a session's worktree of a project; refuses a dirty tree. */
  | { kind: 'removeWorktree'; id: string; project: string; path: string }
  /** Is `name` (or its `_`→`-` spelling) a file in <cwd>/.claude/commands or ~/.claude/commands? */
  | { kind: 'commandFile'; id: string; cwd: string; name: string }
  | { kind: 'conversations'; id: string; cwd: string };

export type WorkdirAnswer =
  | { kind: 'projects'; configured: boolean; projects: ProjectInfo[] }
  | { kind: 'opened'; cwd: string; project: string; projectPath: string; branch?: string; worktree?: 'created' | 'reused' | 'new-branch' }
  | { kind: 'removed'; path: string; projectPath: string }
  | { kind: 'commandFile'; name?: string }
  | { kind: 'conversations'; list: ConversationInfo[] };

export type WorkdirResult = { id: string; ok: true; answer: WorkdirAnswer } | { id: string; ok: false; message: string };

/** Telegram command names are [a-z0-9_]{1,32}; Claude's use `-` (code-review ↔ /code_review). */
export const telegramCommandName = (claudeName: string): string => claudeName.toLowerCase().replace(/-/g, '_');

/** Claude command names a Telegram command name may stand for, the typed spelling first. */
export const claudeNamesFor = (typed: string): string[] => [...new Set([typed, typed.replace(/_/g, '-')])];

/** A name Telegram's menu accepts. */
export const isMenuName = (claudeName: string): boolean => /^[a-z0-9_]{1,32}$/.test(telegramCommandName(claudeName));
