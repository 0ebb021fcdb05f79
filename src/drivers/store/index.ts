// The one module that owns the bot's state files in SESSIONS_DIR: chats.json, journal.json,
// telegram-offset.json, each session's .claude-telegram-session.json, bot.pid and the lock.
import { Journal } from './Journal.ts';
import { openChats } from './chats.ts';
import { nodeFs, type StoreFs } from './fsOps.ts';
import type { Log } from './readState.ts';
import { OffsetFile, SessionFiles } from './SessionFiles.ts';
import { StateStore } from './StateStore.ts';

export { acquireLock, type InstanceLock, type LockResult } from './instanceLock.ts';
export { checkSessionsDir } from './checkSessionsDir.ts';
export { durableWrite } from './durableWrite.ts';
export { nodeFs, type StoreFs } from './fsOps.ts';
export { Journal, type JournalEntry } from './Journal.ts';
export type { Chats, ChatState, SessionMeta } from './chats.ts';
export { readEntries, readState } from './readState.ts';
export { OffsetFile, SessionFiles, SESSION_FILE, type SessionState } from './SessionFiles.ts';
export { StateFile, StateStore } from './StateStore.ts';
export { sweepTemps, tempNameFor } from './tempName.ts';
export { isSystemError, userText, type WriteFailure, type WriteResult } from './writeResult.ts';

/** Every state file of SESSIONS_DIR, loaded (and repaired) into memory. Call after the lock. */
export function openState(sessionsDir: string, opts: { log?: Log; fs?: StoreFs } = {}) {
  const store = new StateStore(opts.log, opts.fs ?? nodeFs);
  return {
    store,
    journal: new Journal(store, sessionsDir),
    chats: openChats(store, sessionsDir),
    offset: new OffsetFile(store, sessionsDir),
    sessions: new SessionFiles(store),
  };
}
export type State = ReturnType<typeof openState>;
