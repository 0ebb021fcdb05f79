// Per-turn cost of durable state (part of `npm run bench`): the StoreDriver carries out the writes
// one turn makes (journal add, chats, conversation id, journal remove, two offsets), each one
// write + fsync + rename + fsync of the directory, on the temp dir's disk. Median of 200 turns,
// against the same sequence written the old way (temp + rename, no fsync).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StoreWrite } from '../src/domain/store.ts';
import type { Turn } from '../src/domain/turn.ts';
import { StoreDriver } from '../src/drivers/storeDriver.ts';

const TURNS = 200;
const dir = mkdtempSync(join(tmpdir(), 'bench-state-'));
const store = new StoreDriver(dir, () => {});
const chats = { '123456789': { active: 'default', sessions: { default: { persona: 'default', createdAt: new Date(0).toISOString() } } } };

const turnWrites = (i: number): StoreWrite[] => {
  const turn: Turn = {
    id: `123456789:${i}`,
    workspace: '123456789/default',
    prompt: 'Please look at the failing test in src/app.ts and fix it; explain what went wrong.',
    origin: { chat: { chatId: 123456789 }, privateChat: true, replyTo: i, draftId: i + 1, userId: 123456789 },
    generation: 0,
  };
  return [
    { kind: 'journalAdd', turn, at: Date.now() },
    { kind: 'chats', chats: { ...chats, '123456789': { ...chats['123456789'], sessions: { default: { ...chats['123456789'].sessions.default, lastActivity: i } } } } },
    { kind: 'updateDone', updateId: i },
    { kind: 'conversation', dir: join(dir, 'chat123456789', 'default'), sessionId: '0fa98578-1c90-402e-a829-630ed3a285ee' },
    { kind: 'journalRemove', id: turn.id },
  ];
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const durable: number[] = [];
for (let i = 1; i <= TURNS; i++) {
  const writes = turnWrites(i);
  const t = performance.now();
  for (const w of writes) {
    store.taking(i);
    const r = store.write(w);
    if (!r.ok) throw new Error(`state write failed: ${r.message}`);
  }
  durable.push(performance.now() - t);
}
const plain: number[] = [];
for (let i = 1; i <= TURNS; i++) {
  const t = performance.now();
  for (const w of turnWrites(i)) {
    const tmp = join(dir, `old.${process.pid}.${i}.tmp`);
    writeFileSync(tmp, JSON.stringify(w));
    renameSync(tmp, join(dir, 'old.json'));
  }
  plain.push(performance.now() - t);
}
rmSync(dir, { recursive: true, force: true });
const d = median(durable);
const p = median(plain);
console.log('\n== 6. Durable state: the writes of one turn (journal add, chats, offset, conversation, journal remove), as the state writer thread does them (off the event loop)');
console.log(`   ${TURNS} turns on ${tmpdir()}: median ${d.toFixed(2)} ms per turn durable (fsync file + directory), ${p.toFixed(2)} ms the old way (no fsync): ${(d / p).toFixed(1)}x`);
console.log(`   6 durable state per turn (median)   ${d.toFixed(2)} ms (old way ${p.toFixed(2)} ms)   info`);
