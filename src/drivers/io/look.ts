// A path as the user or Claude named it → what is there: a file (real path, size), a directory
// (its listing) or a clear reason why not. Symlinks are resolved first, so a root check sees where
// a path really leads.
import { constants } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import type { DirEntry, LookResult } from '../../domain/io.ts';

const MAX_ENTRIES = 200;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

export async function look(path: string, base: string, roots?: readonly string[]): Promise<LookResult> {
  const abs = isAbsolute(path) ? path : resolve(base, path);
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'error', message: `${path} does not exist.` };
    if (code === 'EACCES') return { kind: 'error', message: `${path} is not readable.` };
    if (code === 'ELOOP') return { kind: 'error', message: `${path} is a symlink loop.` };
    return { kind: 'error', message: `${path} could not be opened (${code ?? String(err)}).` };
  }
  if (roots) {
    const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => r)));
    if (!realRoots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) {
      return { kind: 'error', message: `${path} is outside this session's directory; only files inside it can be fetched.` };
    }
  }
  try {
    const st = await stat(real);
    if (st.isDirectory()) return { kind: 'dir', path: real, entries: await listing(real) };
    if (!st.isFile()) return { kind: 'error', message: `${path} is not a regular file.` };
    await access(real, constants.R_OK);
    return { kind: 'file', path: real, name: basename(real), bytes: st.size };
  } catch (err) {
    return { kind: 'error', message: codeOf(err) === 'EACCES' ? `${path} is not readable.` : `${path} could not be read (${codeOf(err) ?? String(err)}).` };
  }
}

async function listing(dir: string): Promise<DirEntry[]> {
  const names = (await readdir(dir)).sort().slice(0, MAX_ENTRIES + 1);
  const entries = await Promise.all(
    names.map(async (name): Promise<DirEntry> => {
      const st = await stat(join(dir, name)).catch(() => undefined);
      return { name, dir: st?.isDirectory() ?? false, bytes: st?.size ?? 0 };
    }),
  );
  return entries.sort((a, b) => Number(b.dir) - Number(a.dir) || a.name.localeCompare(b.name));
}
