// SESSIONS_DIR problems at start-up: one clear message naming the variable and the fix.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSessionsDir } from '../../../src/drivers/store/index.ts';
import { faultyFs } from './faultyFs.ts';

describe('store: checkSessionsDir', () => {
  let base: string;
  beforeEach(() => (base = mkdtempSync(join(tmpdir(), 'store-check-'))));
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('an existing writable directory is fine and keeps no probe file', () => {
    expect(checkSessionsDir(base)).to.equal(undefined);
    expect(readdirSync(base)).to.deep.equal([]);
  });

  it('a missing directory is created', () => {
    const dir = join(base, 'sessions');
    expect(checkSessionsDir(dir)).to.equal(undefined);
    expect(existsSync(dir)).to.equal(true);
  });

  it('a missing parent: a message naming SESSIONS_DIR, the parent and the fix', () => {
    const dir = join(base, 'no', 'sessions');
    const m = checkSessionsDir(dir);
    expect(m).to.include('SESSIONS_DIR').and.include(dir).and.include(`its parent ${join(base, 'no')} does not exist`).and.include('Create the parent first');
    expect(existsSync(join(base, 'no'))).to.equal(false);
  });

  it('a path that is a file, or under a file: not a directory', () => {
    writeFileSync(join(base, 'f'), 'x');
    expect(checkSessionsDir(join(base, 'f'))).to.include('SESSIONS_DIR').and.include('is a file, not a directory');
    expect(checkSessionsDir(join(base, 'f', 'sessions'))).to.include('SESSIONS_DIR').and.include('is a file, not a directory');
  });

  for (const [code, text] of [
    ['EROFS', 'read-only file system: remount it read-write'],
    ['EACCES', 'not writable by this user'],
    ['ENOSPC', 'the disk is full: free some space'],
  ]) {
    it(`${code} on the probe write: "${text}"`, () => {
      const f = faultyFs();
      f.fail(code!, ['openSync', 'writeSync'], (args) => String(args[0]).includes('write-probe') || typeof args[0] === 'number');
      const m = checkSessionsDir(base, f.fs);
      expect(m).to.include(`SESSIONS_DIR (${base}) cannot be used`).and.include(text);
      expect(readdirSync(base)).to.deep.equal([]);
    });
  }

  it('EROFS when creating it', () => {
    const f = faultyFs();
    f.fail('EROFS', ['mkdirSync']);
    expect(checkSessionsDir(join(base, 'new'), f.fs)).to.include('read-only file system');
  });
});
