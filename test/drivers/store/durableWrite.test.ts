// durableWrite: atomic and durable, and a failure at any fs call is a value, leaves the old
// content and no temp file behind.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durableWrite } from '../../../src/drivers/store/index.ts';
import { faultyFs, type FsCall } from './faultyFs.ts';

describe('store: durableWrite', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'store-dw-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the text, fsyncs file and directory, and leaves only the file', () => {
    const f = faultyFs();
    const path = join(dir, 'a.json');
    expect(durableWrite(path, '{"a":1}\n', f.fs)).to.deep.equal({ ok: true });
    expect(readFileSync(path, 'utf8')).to.equal('{"a":1}\n');
    expect(readdirSync(dir)).to.deep.equal(['a.json']);
    // file fsync before the rename, directory fsync after it
    const order = f.calls.filter((c) => c === 'fsyncSync' || c === 'renameSync');
    expect(order).to.deep.equal(['fsyncSync', 'renameSync', 'fsyncSync']);
  });

  it('writes text larger than one write() call and multi-byte characters whole', () => {
    const path = join(dir, 'big.json');
    const text = JSON.stringify({ s: 'ж😀'.repeat(300_000) });
    expect(durableWrite(path, text).ok).to.equal(true);
    expect(readFileSync(path, 'utf8')).to.equal(text);
  });

  for (const [call, code] of [
    ['openSync', 'EROFS'],
    ['writeSync', 'ENOSPC'],
    ['fsyncSync', 'EIO'],
    ['renameSync', 'EACCES'],
  ] as [FsCall, string][]) {
    it(`${code} at ${call}: a value with a path-free message, old content kept, no temp left`, () => {
      const path = join(dir, 'state.json');
      writeFileSync(path, '"old"\n');
      const f = faultyFs();
      f.fail(code, [call], (args) => typeof args[0] !== 'string' || args[0] !== dir);
      const r = durableWrite(path, '"new"\n', f.fs);
      expect(r.ok).to.equal(false);
      if (r.ok) return;
      expect(r.code).to.equal(code);
      expect(r.message).to.not.include(dir);
      expect(r.message).to.not.match(/(^|\s)\//); // no absolute path
      expect(r.log).to.include(path);
      expect(readFileSync(path, 'utf8')).to.equal('"old"\n');
      expect(readdirSync(dir)).to.deep.equal(['state.json']);
    });
  }

  it('a directory fsync error (EIO) is reported; "not supported" is not', () => {
    const path = join(dir, 's.json');
    const f = faultyFs();
    f.fail('EIO', ['fsyncSync'], () => f.calls.filter((c) => c === 'fsyncSync').length === 2);
    const r = durableWrite(path, '1', f.fs);
    expect(r.ok === false && r.code).to.equal('EIO');
    const g = faultyFs();
    g.fail('EINVAL', ['fsyncSync'], () => g.calls.filter((c) => c === 'fsyncSync').length === 2);
    expect(durableWrite(path, '2', g.fs).ok).to.equal(true);
    expect(readFileSync(path, 'utf8')).to.equal('2');
  });

  it('a missing directory is a value too (ENOENT), never a throw', () => {
    const r = durableWrite(join(dir, 'no', 'such', 'x.json'), '1');
    expect(r).to.include({ ok: false, code: 'ENOENT' });
  });
});
