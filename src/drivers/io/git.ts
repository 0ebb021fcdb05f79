// Git, read-only: a fingerprint of a work tree's changes (to see whether a turn changed files) and
// the changes as a patch (tracked changes against HEAD, plus new untracked files). Never takes the
// index lock (GIT_OPTIONAL_LOCKS=0), so it cannot disturb git commands Claude runs.
// A directory counts as a work tree only when it has its own `.git` (a repository, or a worktree's
// `.git` file): a session's own folder inside some other checkout (the default ./sessions inside
// the bot's) is not that checkout's work tree. Checking that is one stat, no git process.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SESSION_FILE } from '../store/sessionFiles.ts';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const MAX_OUTPUT = 64 * 1024 * 1024;
const MAX_NEW_FILES = 50;

interface Run {
  code: number;
  stdout: string;
}

function git(dir: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, '-c', 'core.quotepath=off', ...args], { maxBuffer: MAX_OUTPUT, timeout: 30_000, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout) });
    });
  });
}

/** The directory has its own `.git` (directory or file). */
const hasOwnGit = (dir: string): Promise<boolean> => lstat(join(dir, '.git')).then(() => true, () => false);

async function base(dir: string): Promise<string | undefined> {
  if (!(await hasOwnGit(dir))) return undefined;
  const inside = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') return undefined;
  return (await git(dir, ['rev-parse', '--verify', '-q', 'HEAD'])).code === 0 ? 'HEAD' : EMPTY_TREE;
}

// The bot's own file in a working directory is not a change Claude made.
const untracked = async (dir: string) =>
  (await git(dir, ['ls-files', '--others', '--exclude-standard', '-z'])).stdout.split('\0').filter((f) => f && basename(f) !== SESSION_FILE);

/**
 * A fingerprint of the work tree's changes; undefined when dir is not a git work tree. One git
 * process: `git status` names every changed and untracked file, and each one's size and mtime go
 * into the hash, so a second edit to an already changed file changes the fingerprint too.
 */
export async function gitState(dir: string): Promise<string | undefined> {
  if (!(await hasOwnGit(dir))) return undefined;
  const status = await git(dir, ['status', '--porcelain', '-z', '--untracked-files=all', '--no-renames']);
  if (status.code !== 0) return undefined;
  const h = createHash('sha256');
  for (const entry of status.stdout.split('\0')) {
    const path = entry.slice(3);
    if (!path || basename(path) === SESSION_FILE) continue;
    const st = await stat(join(dir, path)).catch(() => undefined);
    h.update(`${entry}\0${st?.size ?? -1}\0${st?.mtimeMs ?? 0}\0`);
  }
  return h.digest('hex');
}

/** The work tree's changes as one patch; undefined when dir is not in a git work tree. */
export async function gitDiff(dir: string): Promise<string | undefined> {
  const b = await base(dir);
  if (!b) return undefined;
  let patch = (await git(dir, ['diff', b])).stdout;
  for (const f of (await untracked(dir)).slice(0, MAX_NEW_FILES)) {
    patch += (await git(dir, ['diff', '--no-index', '--', '/dev/null', f])).stdout; // exit 1 means "differs"
  }
  return patch;
}
