// Entry of the state writer's worker thread: registers tsx (a worker does not inherit the
// parent's --import hooks on Node 20), then runs storeWorker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./storeWorker.ts');
