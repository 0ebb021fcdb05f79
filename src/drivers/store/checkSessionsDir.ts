// Start-up check of SESSIONS_DIR: one clear message naming the variable and the fix, instead of
// a stack trace at the first write.
import { dirname, join, resolve } from 'node:path';
import { durableWrite } from './durableWrite.ts';
import { nodeFs, type StoreFs } from './fsOps.ts';
import { codeOf } from './writeResult.ts';

const FIX: Record<string, string> = {
  EACCES: 'it is not writable by this user: fix its permissions (chown/chmod), or set SESSIONS_DIR to a directory this user owns.',
  EPERM: 'it is not writable by this user: fix its permissions (chown/chmod), or set SESSIONS_DIR to a directory this user owns.',
  EROFS: 'it is on a read-only file system: remount it read-write, or set SESSIONS_DIR to a writable directory.',
  ENOSPC: 'the disk is full: free some space there, or set SESSIONS_DIR to a directory on another disk.',
  EDQUOT: 'the disk quota is used up: free some space there, or set SESSIONS_DIR to a directory on another disk.',
  ENOTDIR: 'a part of that path is a file, not a directory: set SESSIONS_DIR to a directory.',
};

const explain = (dir: string, code: string, detail: string) =>
  `SESSIONS_DIR (${dir}) cannot be used: ${FIX[code] ?? `${detail}. Check the directory, or set SESSIONS_DIR to another one.`}`;

/** Creates the directory if its parent exists, then probes a durable write. Undefined when fine. */
export function checkSessionsDir(sessionsDir: string, fs: StoreFs = nodeFs): string | undefined {
  const dir = resolve(sessionsDir);
  let isDir: boolean;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch (err) {
    const code = codeOf(err);
    if (code !== 'ENOENT') return explain(dir, code, (err as Error).message);
    try {
      fs.mkdirSync(dir);
      isDir = true;
    } catch (err2) {
      const code2 = codeOf(err2);
      if (code2 === 'ENOENT') {
        return `SESSIONS_DIR (${dir}) cannot be created: its parent ${dirname(dir)} does not exist. Create the parent first, or set SESSIONS_DIR to a directory that exists.`;
      }
      return explain(dir, code2, (err2 as Error).message);
    }
  }
  if (!isDir) return explain(dir, 'ENOTDIR', 'not a directory');
  // A full page, so a disk with a few bytes left still fails here rather than at the first turn.
  const probe = join(dir, '.write-probe');
  const r = durableWrite(probe, 'x'.repeat(4096), fs);
  if (!r.ok) return explain(dir, r.code, r.log);
  try {
    fs.unlinkSync(probe);
  } catch (err) {
    return explain(dir, codeOf(err), (err as Error).message);
  }
  return undefined;
}
