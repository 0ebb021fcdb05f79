// The synchronous fs calls the state module makes, in one object so tests can inject faults
// (ENOSPC, EROFS, EACCES) at any single call without a real full disk.
import * as fs from 'node:fs';

export interface StoreFs {
  openSync: typeof fs.openSync;
  writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
  fsyncSync: typeof fs.fsyncSync;
  closeSync: typeof fs.closeSync;
  renameSync: typeof fs.renameSync;
  unlinkSync: typeof fs.unlinkSync;
  mkdirSync: (path: string, options?: { recursive?: boolean }) => string | undefined;
  readFileSync: (path: string, encoding: 'utf8') => string;
  statSync: (path: string) => fs.Stats;
}

export const nodeFs: StoreFs = {
  openSync: fs.openSync,
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  unlinkSync: fs.unlinkSync,
  mkdirSync: (path, options) => fs.mkdirSync(path, options),
  readFileSync: (path, encoding) => fs.readFileSync(path, encoding),
  statSync: (path) => fs.statSync(path),
};
