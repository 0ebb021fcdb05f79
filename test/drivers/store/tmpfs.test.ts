// The same failures on a real small disk: a 64 KiB tmpfs filled up, then remounted read-only.
// Needs root and mount(8); skipped where that is not allowed (the injected-fault tests still run).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { checkSessionsDir, openState, SESSION_FILE } from '../../../src/drivers/store/index.ts';
import { download } from '../../../src/drivers/telegram.ts';
import { fileServer } from './downloadServer.ts';

const run = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe', timeout: 10_000 });
const temps = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(tmp|part)$/.test(n));
const entry = (id: string) => ({ id, sessionKey: '1/default', prompt: `p ${id}`, meta: null, at: 1 });

describe('store: on a real full and read-only tmpfs', function () {
  let dir: string;
  let mounted = false;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'store-tmpfs-'));
    try {
      if (process.getuid?.() !== 0) throw new Error('not root');
      run('mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir);
      mounted = true;
    } catch {
      this.skip();
    }
  });
  after(() => {
    if (mounted) run('umount', '-l', dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('full disk at every write point: values not throws, memory kept, no temp left; recovers when space returns', async () => {
    const logs: string[] = [];
    const s = openState(dir, { log: (m) => logs.push(m) });
    expect(s.journal.add(entry('1:1')).ok).to.equal(true);
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(1 << 20, 1));
      expect.fail('the tmpfs did not fill up');
    } catch (err) {
      expect((err as { code?: string }).code).to.equal('ENOSPC');
    }
    expect(s.journal.add(entry('1:2'))).to.include({ ok: false, code: 'ENOSPC', message: 'the disk is full' });
    s.chats.value['1'] = { active: 'default', sessions: { default: { persona: 'p', createdAt: 'c' } } };
    expect(s.chats.save().ok).to.equal(false);
    expect(s.offset.set(7).ok).to.equal(false);
    const sdir = join(dir, 'chat1', 'default');
    expect(s.sessions.save(sdir, { sessionId: 'abc' }).ok).to.equal(false);
    expect(checkSessionsDir(dir)).to.include('SESSIONS_DIR').and.include('the disk is full');
    const server = await fileServer(20_000);
    try {
      const r = await firstValueFrom(download(server.api, 1 << 20)({ fileId: 'f', name: 'a.bin' }, sdir));
      expect(r).to.deep.equal({ ok: false, message: 'the disk is full.' });
    } finally {
      await server.close();
    }
    expect(temps(dir)).to.deep.equal([]);
    expect(JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8'))).to.deep.equal([entry('1:1')]);
    expect(s.store.healthy).to.equal(false);

    rmSync(join(dir, 'filler'));
    expect(s.offset.set(8).ok).to.equal(true);
    expect(s.store.healthy).to.equal(true);
    expect(JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8'))).to.deep.equal([entry('1:1'), entry('1:2')]);
    expect(JSON.parse(readFileSync(join(dir, 'chats.json'), 'utf8'))).to.deep.equal(s.chats.value);
    expect(JSON.parse(readFileSync(join(sdir, SESSION_FILE), 'utf8')).sessionId).to.equal('abc');
    expect(logs.filter((l) => l.startsWith('state not saved'))).to.have.length(1);
  });

  it('a read-only remount while running: EROFS values; writable again, everything is written', () => {
    const s = openState(dir);
    run('mount', '-o', 'remount,ro', dir);
    try {
      expect(s.journal.add(entry('1:3'))).to.include({ ok: false, code: 'EROFS', message: 'the disk is read-only' });
      expect(checkSessionsDir(dir)).to.include('read-only file system');
    } finally {
      run('mount', '-o', 'remount,rw', dir);
    }
    expect(s.store.flush().ok).to.equal(true);
    expect(JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')).map((e: { id: string }) => e.id)).to.deep.equal(['1:1', '1:2', '1:3']);
    expect(temps(dir)).to.deep.equal([]);
  });
});
