// Measures the per-write cost of durable state writes: the median of 200 durableWrite calls of a
// journal-sized file (20 entries), in a directory on the disk given (default: the OS tmpdir).
// Run: npx tsx test/drivers/store/writeCost.ts [dir]
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { durableWrite } from '../../../src/drivers/store/index.ts';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'write-cost-'));
const entries = Array.from({ length: 20 }, (_, i) => ({
  id: `123456789:${1000 + i}`,
  sessionKey: '123456789/default',
  prompt: 'Please look at the failing test in src/app.ts and fix it; explain what went wrong. '.repeat(3),
  meta: { chat: { chatId: 123456789 }, privateChat: true, replyTo: 1000 + i, draftId: 42 + i, userId: 123456789 },
  at: 1_760_000_000_000 + i,
}));
const text = JSON.stringify(entries, null, 2) + '\n';

function measure(what: string, write: () => void): void {
  const ms: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    write();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(3);
  console.log(`${Buffer.byteLength(text)} bytes × 200 ${what} in ${dir}: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`);
}

measure('durable writes (durableWrite)', () => {
  const r = durableWrite(join(dir, 'journal.json'), text);
  if (!r.ok) throw new Error(r.log);
});
// The previous writeJsonAtomic: temp + rename, no fsync; for comparison only.
measure('atomic writes without fsync (before)', () => {
  const tmp = join(dir, `journal.json.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, 'journal.json'));
});
rmSync(dir, { recursive: true, force: true });
