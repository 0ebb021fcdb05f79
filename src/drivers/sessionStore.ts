// Each workspace's conversation file (SESSION_FILE in its directory), for code outside the app's
// store driver: tests and the bench keep conversation ids with it.
import { SessionFiles, StateStore } from './store/index.ts';

export { SESSION_FILE, type SessionState } from './store/index.ts';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

/** Per-workspace state in memory, written durably; save() never throws (it returns a WriteResult). */
export const sessionStore = new SessionFiles(new StateStore(log));
