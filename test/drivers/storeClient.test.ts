// The state writer on its worker thread: results in order (the journal's first), one per write; a burst lands on disk;
// a refused journal entry comes back as a failure value; close() waits for what is pending.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreResult, StoreWrite } from '../../src/domain/store.ts';
import type { Turn } from '../../src/domain/turn.ts';
import { StoreClient } from '../../src/drivers/storeClient.ts';
import { journalFirst, StoreDriver } from '../../src/drivers/storeDriver.ts';
import { openState } from '../../src/drivers/store/index.ts';
import { faultyFs } from './store/faultyFs.ts';

const turn = (i: number): Turn => ({
  id: `7:${i}`,
  workspace: '7/default',
  prompt: `prompt ${i}`,
  origin: { chat: { chatId: 7 }, privateChat: true, replyTo: i, draftId: i, userId: 7 },
  generation: 0,
});

describe('StoreClient (state writes on a worker thread)', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-client-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('carries out a burst in order, one result per write, and everything is on disk after close()', async () => {
    const logs: string[] = [];
    const client = new StoreClient(dir, (l) => logs.push(l), (err) => {
      throw err;
    });
    const results: StoreResult[] = [];
    client.results$.subscribe((r) => results.push(r));
    const writes: StoreWrite[] = [];
    for (let i = 1; i <= 50; i++) writes.push({ kind: 'journalAdd', turn: turn(i), at: i });
    for (let i = 1; i <= 49; i++) writes.push({ kind: 'journalRemove', id: `7:${i}` });
    writes.push({ kind: 'chats', chats: { '7': { active: 'default', sessions: { default: { persona: 'default', createdAt: 'x' } } } } });
    for (const w of writes) client.write(w);
    await client.close();
    expect(results.map((r) => r.write)).to.deep.equal(writes);
    expect(results.every((r) => r.ok)).to.equal(true);
    const journal = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as { id: string }[];
    expect(journal.map((e) => e.id)).to.deep.equal(['7:50']);
    // A new reader sees the same state.
    expect(new StoreDriver(dir, () => {}).recovered().map((t) => t.prompt)).to.deep.equal(['prompt 50']);
  });

  it("a batch is written (and answered) journal first, then the other files, each in its order", () => {
    const chats: StoreWrite = { kind: 'chats', chats: {} };
    const offset: StoreWrite = { kind: 'updateDone', updateId: 3 };
    const add: StoreWrite = { kind: 'journalAdd', turn: turn(1), at: 1 };
    const remove: StoreWrite = { kind: 'journalRemove', id: '7:0' };
    expect(journalFirst([chats, remove, offset, add])).to.deep.equal([[remove, add], [chats, offset]]);
    expect(journalFirst([chats, offset])).to.deep.equal([[chats, offset]]);
    expect(journalFirst([add])).to.deep.equal([[add]]);
  });

  it('a batch writes each file once, however many changes it had (StateStore.batch)', () => {
    const f = faultyFs();
    const state = openState(dir, { fs: f.fs });
    const results = state.store.batch(() => {
      for (let i = 0; i < 20; i++) state.journal.add({ id: `7:${i}`, sessionKey: '7/default', prompt: 'p', meta: null, at: i });
      state.offset.set(5);
    });
    expect(f.calls.filter((c) => c === 'renameSync')).to.have.length(2); // journal.json and the offset
    expect([...results.values()].every((r) => r.ok)).to.equal(true);
    expect((JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as unknown[]).length).to.equal(20);
  });
});
