// Atomic and durable replacement of a file: unique temp in the same directory, fsync, rename,
// fsync the directory. A crash at any point leaves the old content or the new, never a torn file.
import { basename, dirname } from 'node:path';
import { nodeFs, type StoreFs } from './fsOps.ts';
import { tempNameFor } from './tempFiles.ts';
import { failure, OK, type WriteResult } from './writeResult.ts';

// Directories that cannot be fsynced on some systems; the rename is done, so that is not a failure.
const DIR_FSYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EBADF']);

/** Never throws: an error removes the temp file and comes back as a WriteFailure. */
export function durableWrite(path: string, text: string, fs: StoreFs = nodeFs): WriteResult {
  const tmp = tempNameFor(dirname(path), basename(path), 'tmp');
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the unlink below is what matters
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    return failure(err, path);
  }
  return fsyncDir(dirname(path), path, fs);
}

function fsyncDir(dir: string, path: string, fs: StoreFs): WriteResult {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    return OK;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return DIR_FSYNC_UNSUPPORTED.has(code) ? OK : failure(err, `${path} (directory fsync)`);
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing left to do
      }
    }
  }
}
