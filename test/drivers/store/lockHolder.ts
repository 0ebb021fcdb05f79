// Child for the lock test: takes the lock on argv[2], prints the outcome as one JSON line, then
// stays alive (holding it) until killed, or exits at once if it did not get it.
import { acquireLock } from '../../../src/drivers/store/instanceLock.ts';

const r = await acquireLock(process.argv[2]!);
process.stdout.write(JSON.stringify(r.ok ? { ok: true, pid: process.pid } : r) + '\n');
if (r.ok) setInterval(() => {}, 60_000);
