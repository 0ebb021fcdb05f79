// Transitional: the old entry points, now over the state module (src/drivers/store/). New code
// uses openState() from there; this file goes once main.ts and sessionRegistry.ts are wired.
import { readFileSync } from 'node:fs';
import { durableWrite, SessionFiles, StateStore } from './store/index.ts';

export { SESSION_FILE, type SessionState } from './store/index.ts';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

/** @deprecated Throws like before; use durableWrite (store/), which returns failures as values. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const r = durableWrite(path, JSON.stringify(value, null, 2) + '\n');
  if (!r.ok) throw new Error(r.log);
}

/** @deprecated Silently undefined on a bad file; use readState (store/), which moves it aside. */
export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Per-session state in memory, written durably; save() never throws (it returns a WriteResult). */
export const sessionStore = new SessionFiles(new StateStore(log));
export type SessionStore = typeof sessionStore;
