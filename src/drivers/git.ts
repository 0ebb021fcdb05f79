// Git, run as a child process: branch and dirtiness of a work tree, and worktrees of a project
// (list, add for an existing or a new branch, remove). Errors come back as values with git's words.
import { execFile } from 'node:child_process';

export type GitResult = { ok: true; out: string } | { ok: false; message: string };

export function git(cwd: string, args: string[], timeoutMs = 20_000): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, ...args], { timeout: timeoutMs, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, message: (String(stderr).trim() || err.message).split('\n').slice(0, 3).join(' ') });
      else resolve({ ok: true, out: String(stdout) });
    });
  });
}

/** The top of the work tree `dir` belongs to, or undefined when it is not in one. */
export async function workTreeTop(dir: string): Promise<string | undefined> {
  const r = await git(dir, ['rev-parse', '--show-toplevel']);
  return r.ok ? r.out.trim() : undefined;
}

export async function branchOf(dir: string): Promise<string | undefined> {
  const r = await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']);
  return r.ok ? r.out.trim() : undefined;
}

/** Changed or untracked files (git status --porcelain), up to `max`. */
export async function changes(dir: string, max = 10): Promise<string[] | undefined> {
  const r = await git(dir, ['status', '--porcelain']);
  return r.ok ? r.out.split('\n').filter(Boolean).slice(0, max) : undefined;
}

export interface Worktree {
  path: string;
  /** Short branch name, when one is checked out. */
  branch?: string;
}

export async function worktrees(project: string): Promise<Worktree[]> {
  const r = await git(project, ['worktree', 'list', '--porcelain']);
  if (!r.ok) return [];
  const out: Worktree[] = [];
  for (const block of r.out.split('\n\n')) {
    const path = /^worktree (.+)$/m.exec(block)?.[1];
    const branch = /^branch refs\/heads\/(.+)$/m.exec(block)?.[1];
    if (path) out.push({ path, ...(branch ? { branch } : {}) });
  }
  return out;
}

/** git's own verdict on a branch name (`git check-ref-format --branch`). */
export async function validBranch(project: string, branch: string): Promise<boolean> {
  if (branch.startsWith('-')) return false;
  return (await git(project, ['check-ref-format', '--branch', branch])).ok;
}

export async function branchExists(project: string, branch: string): Promise<boolean> {
  return (await git(project, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`])).ok;
}

/** Checks `branch` out at `path`: an existing branch as is, a new one from HEAD. */
export async function addWorktree(project: string, path: string, branch: string): Promise<GitResult & { created?: boolean }> {
  if (await branchExists(project, branch)) return git(project, ['worktree', 'add', path, branch]);
  const r = await git(project, ['worktree', 'add', '-b', branch, path, 'HEAD']);
  return r.ok ? { ...r, created: true } : r;
}

/** Never forced: git itself refuses a tree with changes. */
export const removeWorktree = (project: string, path: string): Promise<GitResult> => git(project, ['worktree', 'remove', path]);
