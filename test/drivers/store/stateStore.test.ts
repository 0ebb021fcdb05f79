// A failed write keeps memory and is reported as a value; any later successful write persists
// everything, so the store recovers by itself when space returns.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openState, SESSION_FILE } from '../../../src/drivers/store/index.ts';
import { faultyFs, WRITE_CALLS } from './faultyFs.ts';

const entry = (id: string) => ({ id, sessionKey: '1/default', prompt: `p ${id}`, meta: null, at: 1 });
const readJsonFile = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const temps = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(tmp|part)$/.test(n));

describe('store: StateStore on a failing disk', () => {
  let dir: string;
  let logs: string[];
  let f: ReturnType<typeof faultyFs>;
  let s: ReturnType<typeof openState>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-state-'));
    logs = [];
    f = faultyFs();
    s = openState(dir, { log: (m) => logs.push(m), fs: f.fs });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('journal.add on a full disk: failure value, kept in memory, store unhealthy, no temp left', () => {
    expect(s.journal.add(entry('1:1'))).to.deep.equal({ ok: true });
    f.fail('ENOSPC', WRITE_CALLS);
    const r = s.journal.add(entry('1:2'));
    expect(r).to.include({ ok: false, code: 'ENOSPC', message: 'the disk is full' });
    expect(s.journal.has('1:2')).to.equal(true);
    expect(s.store.healthy).to.equal(false);
    expect(s.store.lastError?.code).to.equal('ENOSPC');
    expect(readJsonFile(join(dir, 'journal.json'))).to.deep.equal([entry('1:1')]);
    expect(temps(dir)).to.deep.equal([]);
    // adding the same id again reports that it is still not on disk
    expect(s.journal.add(entry('1:2')).ok).to.equal(false);
  });

  it('recovers by itself: the next successful write of any file writes the failed ones too', () => {
    f.fail('ENOSPC', WRITE_CALLS);
    expect(s.journal.add(entry('1:1')).ok).to.equal(false);
    s.chats.value['1'] = { active: 'default', sessions: { default: { persona: 'p', createdAt: 'c' } } };
    expect(s.chats.save().ok).to.equal(false);
    expect(s.offset.set(5).ok).to.equal(false);
    f.heal();
    expect(s.offset.set(6)).to.deep.equal({ ok: true });
    expect(readJsonFile(join(dir, 'journal.json'))).to.deep.equal([entry('1:1')]);
    expect(readJsonFile(join(dir, 'chats.json'))).to.deep.equal(s.chats.value);
    expect(readJsonFile(join(dir, 'telegram-offset.json'))).to.deep.equal({ offset: 6 });
    expect(s.store.healthy).to.equal(true);
    expect(s.store.lastError).to.equal(undefined);
    expect(logs.filter((l) => l.startsWith('state not saved'))).to.have.length(1); // once per cause
    expect(logs.at(-1)).to.equal('state: all files written again (recovered from ENOSPC)');
  });

  it('flush() retries without a new change; a failing flush keeps the store unhealthy', () => {
    f.fail('EROFS', WRITE_CALLS);
    s.journal.add(entry('1:1'));
    expect(s.store.flush()).to.include({ ok: false, code: 'EROFS', message: 'the disk is read-only' });
    f.heal();
    expect(s.store.flush().ok).to.equal(true);
    expect(readJsonFile(join(dir, 'journal.json'))).to.deep.equal([entry('1:1')]);
  });

  it('a file that can never be written does not block the others', () => {
    // the session directory path is a file: its writes fail for good (ENOTDIR)
    const blocked = join(dir, 'journal.json', 'sub');
    s.journal.add(entry('1:1'));
    expect(s.sessions.save(blocked, { sessionId: 'x' }).ok).to.equal(false);
    expect(s.offset.set(3).ok).to.equal(true);
    expect(s.store.flush().ok).to.equal(false);
    expect(readJsonFile(join(dir, 'telegram-offset.json'))).to.deep.equal({ offset: 3 });
    expect(s.sessions.load(blocked).sessionId).to.equal('x');
  });

  it('session state: directory creation or write failing keeps memory; recovery creates the directory', () => {
    const sdir = join(dir, 'chat1', 'default');
    f.fail('ENOSPC', ['mkdirSync']);
    const r = s.sessions.save(sdir, { sessionId: 'abc' });
    expect(r).to.include({ ok: false, code: 'ENOSPC' });
    expect(s.sessions.load(sdir).sessionId).to.equal('abc');
    expect(existsSync(sdir)).to.equal(false);
    f.heal();
    s.journal.add(entry('1:1'));
    expect((readJsonFile(join(sdir, SESSION_FILE)) as { sessionId: string }).sessionId).to.equal('abc');
    // an undefined field clears it, as before
    s.sessions.save(sdir, { sessionId: undefined });
    expect(readJsonFile(join(sdir, SESSION_FILE))).to.not.have.property('sessionId');
  });

  it('remove on a full disk keeps the removal in memory and writes it when space returns', () => {
    s.journal.add(entry('1:1'));
    s.journal.add(entry('1:2'));
    f.fail('ENOSPC', ['writeSync']);
    expect(s.journal.remove('1:1').ok).to.equal(false);
    expect(s.journal.list().map((e) => e.id)).to.deep.equal(['1:2']);
    f.heal();
    expect(s.journal.remove('nope').ok).to.equal(false); // nothing to remove, still not on disk
    expect(s.store.flush().ok).to.equal(true);
    expect(s.journal.remove('nope').ok).to.equal(true);
    expect((readJsonFile(join(dir, 'journal.json')) as { id: string }[]).map((e) => e.id)).to.deep.equal(['1:2']);
  });

  it('the offset is written only when it changes', () => {
    s.offset.set(4);
    const before = f.calls.length;
    expect(s.offset.set(4).ok).to.equal(true);
    expect(f.calls.length).to.equal(before);
  });
});
