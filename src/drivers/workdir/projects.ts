// PROJECTS_DIR: every directory directly inside one of its entries is a project. A name is
// resolved with realpath and must stay inside its entry (no `..`, no symlink out of it).
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { ProjectInfo } from '../../domain/workdir.ts';
import { branchOf, changes, workTreeTop } from '../git.ts';

export type Resolved = { ok: true; name: string; path: string } | { ok: false; message: string };

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Whether `path` is `root` or inside it, on real paths. */
export const inside = (root: string, path: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/** The projects of all entries (the first entry wins a name), each still inside its entry. */
export function projectNames(dirs: readonly string[]): { name: string; path: string }[] {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    let root: string;
    let entries: string[];
    try {
      root = realpathSync(dir);
      entries = readdirSync(root).filter((n) => !n.startsWith('.')).sort();
    } catch {
      continue;
    }
    for (const name of entries) {
      if (seen.has(name)) continue;
      const r = resolveIn(root, name);
      if (r) seen.set(name, r);
    }
  }
  return [...seen].map(([name, path]) => ({ name, path }));
}

function resolveIn(root: string, name: string): string | undefined {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return undefined;
  let real: string;
  try {
    real = realpathSync(join(root, name));
  } catch {
    return undefined;
  }
  return real !== root && inside(root, real) && isDir(real) ? real : undefined;
}

export function resolveProject(dirs: readonly string[], name: string): Resolved {
  if (!dirs.length) return { ok: false, message: 'No projects are set up: the bot owner sets PROJECTS_DIR (a directory whose subdirectories are projects).' };
  const found = projectNames(dirs).find((p) => p.name === name);
  if (found) return { ok: true, ...found };
  const names = projectNames(dirs).map((p) => p.name);
  return {
    ok: false,
    message: `There is no project "${name.slice(0, 60)}". ${names.length ? `Projects: ${names.join(', ')}.` : 'PROJECTS_DIR holds no project directories.'} /projects lists them.`,
  };
}

/** Each project with its git branch and whether its work tree has changes. */
export async function listProjects(dirs: readonly string[]): Promise<ProjectInfo[]> {
  return Promise.all(
    projectNames(dirs).map(async ({ name, path }) => {
      const top = await workTreeTop(path);
      if (top === undefined) return { name, path, git: false };
      const [branch, changed] = await Promise.all([branchOf(path), changes(path, 1)]);
      return { name, path, git: true, ...(branch ? { branch } : {}), dirty: (changed?.length ?? 0) > 0 };
    }),
  );
}
