// Child for the lock test: takes the lock on argv[2], prints the outcome as one JSON line, then
// stays alive (holding it) until killed, or exits at once if it did not get it. With argv[3]
// `busy` it blocks its event loop, so it cannot answer who it is.
import { acquireLock } from '../../../src/drivers/store/instanceLock.ts';

const r = await acquireLock(process.argv[2]!);
process.stdout.write(JSON.stringify(r.ok ? { ok: true, pid: process.pid } : r) + '\n');
if (r.ok && process.argv[3] === 'busy') for (;;); // holds the lock but can never answer
if (r.ok) setInterval(() => {}, 60_000);
