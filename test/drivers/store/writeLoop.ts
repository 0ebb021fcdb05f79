// Child for the kill-during-write loop: opens the state in argv[2] as the bot does, then adds
// journal entries with consecutive ids (keeping the last 20) as fast as it can, until killed.
import { openState } from '../../../src/drivers/store/index.ts';

const s = openState(process.argv[2]!, { log: (m) => process.stderr.write(m + '\n') });
let n = Number(s.journal.list().at(-1)?.id ?? 0);
let said = false;
for (;;) {
  n++;
  const r = s.journal.add({ id: String(n), sessionKey: '1/default', prompt: `message ${n} `.repeat(n % 7), meta: { n }, at: n });
  if (!r.ok) throw new Error(r.log);
  while (s.journal.list().length > 20) s.journal.remove(s.journal.list()[0]!.id);
  s.offset.set(n);
  if (!said) {
    // Synchronous, so the loop starts right after the parent hears it.
    process.stdout.write('go\n');
    said = true;
  }
}
