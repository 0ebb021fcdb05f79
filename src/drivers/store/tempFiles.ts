// Temporary names that never collide (pid + random) and that a start-up sweep can recognise.
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** `<dir>/.<name>.<pid>-<8 hex>.<ext>`: hidden, unique across processes and crashes. */
export function tempNameFor(dir: string, name: string, ext: 'part' | 'tmp' = 'part'): string {
  return join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.${ext}`);
}

// Ours, and the two shapes older versions left: `.<name>.part` (downloads) and
// `<file>.json.<pid>.<ms>.tmp` (state). Nothing else: session directories hold users' files.
const TEMP = [/^\..+\.\d+-[0-9a-f]{8}\.(part|tmp)$/, /^\..+\.part$/, /\.json\.\d+\.\d+\.tmp$/];
export const isTempName = (name: string): boolean => TEMP.some((re) => re.test(name));

/**
 * Removes temporary files a crashed run left in SESSIONS_DIR and in its session directories
 * (`chat<key>/<name>/`), without descending further. Call it after taking the lock. Returns the
 * names removed (relative to `sessionsDir`).
 */
export function sweepTemps(sessionsDir: string): string[] {
  const removed: string[] = [];
  const sweep = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(join(sessionsDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel ? join(rel, e.name) : e.name;
      if (e.isFile() && isTempName(e.name)) {
        try {
          rmSync(join(sessionsDir, path), { force: true });
          removed.push(path);
        } catch {
          // left for the next start; a leftover temp harms nothing
        }
      } else if (e.isDirectory() && depth < 2 && (depth === 1 || e.name.startsWith('chat'))) sweep(path, depth + 1);
    }
  };
  sweep('', 0);
  return removed;
}
