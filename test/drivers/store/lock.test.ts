// The single-instance lock is released by the kernel when its holder dies, however it dies;
// a stale bot.pid blocks nothing.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../../src/drivers/store/index.ts';
import { bundle } from './bundle.ts';

/** Starts the lock-holder child and waits (bounded) for its one line. */
function holder(script: string, dir: string, ...extra: string[]): Promise<{ child: ChildProcess; line: { ok: boolean; pid?: number; message?: string } }> {
  const child = spawn(process.execPath, [script, dir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`lock holder said nothing in 10 s: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        ok({ child, line: JSON.parse(out) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n')) fail(new Error(`lock holder exited ${code} without a line`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((ok, fail) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    const timer = setTimeout(() => fail(new Error('child did not exit in 10 s')), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      ok();
    });
  });

describe('store: single-instance lock', function () {
  this.timeout(30_000);
  let dir: string;
  let script: { file: string; dir: string };
  const children: ChildProcess[] = [];
  before(() => (script = bundle(join(import.meta.dirname, 'lockHolder.ts'))));
  after(() => rmSync(script.dir, { recursive: true, force: true }));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'store-lock-'))));
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second acquire in another process fails naming the holder pid; after SIGKILL of the holder it succeeds', async () => {
    const { child, line } = await holder(script.file, dir);
    children.push(child);
    expect(line).to.deep.equal({ ok: true, pid: child.pid });
    expect(JSON.parse(readFileSync(join(dir, 'bot.pid'), 'utf8'))).to.deep.equal({ pid: child.pid });

    const second = await acquireLock(dir);
    expect(second.ok).to.equal(false);
    expect(!second.ok && second.message).to.include(`(pid ${child.pid})`).and.include('SESSIONS_DIR');
    // and the same from a third process
    const third = await holder(script.file, dir);
    children.push(third.child);
    expect(third.line.ok).to.equal(false);
    expect(third.line.message).to.include(`(pid ${child.pid})`);

    child.kill('SIGKILL'); // no exit handler runs: only the kernel can free the lock
    await exited(child);
    const mine = await acquireLock(dir);
    expect(mine.ok).to.equal(true);
    expect(JSON.parse(readFileSync(join(dir, 'bot.pid'), 'utf8'))).to.deep.equal({ pid: process.pid });
    if (mine.ok) mine.lock.release();
  });

  it('a holder too busy to answer is still a holder; the message falls back to bot.pid, marked as a hint', async () => {
    const { child } = await holder(script.file, dir, 'busy');
    children.push(child);
    const r = await acquireLock(dir);
    expect(r.ok).to.equal(false);
    expect(!r.ok && r.message).to.include(`(pid not answering; bot.pid says ${child.pid})`);
  });

  it('a stale bot.pid, even of a live unrelated process (pid 1), does not block', async () => {
    writeFileSync(join(dir, 'bot.pid'), '{"pid":1}');
    const r = await acquireLock(dir);
    expect(r.ok).to.equal(true);
    if (r.ok) r.lock.release();
  });

  it('release frees the lock in the same process, and the same directory by another path is the same lock', async () => {
    const a = await acquireLock(dir);
    expect(a.ok).to.equal(true);
    const b = await acquireLock(join(dir, '.', '..', dir.split('/').at(-1)!));
    expect(b.ok).to.equal(false);
    if (a.ok) a.lock.release();
    const c = await acquireLock(dir);
    expect(c.ok).to.equal(true);
    if (c.ok) c.lock.release();
  });

  it('different directories do not share a lock', async () => {
    const other = mkdtempSync(join(tmpdir(), 'store-lock-'));
    const a = await acquireLock(dir);
    const b = await acquireLock(other);
    expect([a.ok, b.ok]).to.deep.equal([true, true]);
    if (a.ok) a.lock.release();
    if (b.ok) b.lock.release();
    rmSync(other, { recursive: true, force: true });
  });
});
