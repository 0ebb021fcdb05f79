// The one module that owns the bot's state files in SESSIONS_DIR: chats.json, journal.json,
// telegram-offset.json, allowed-users.json, each session's .claude-telegram-session.json, bot.pid and the lock.
import { AllowlistFile } from './allowlist.ts';
import { Journal } from './journal.ts';
import { openChats } from './openChats.ts';
import { nodeFs, type StoreFs } from './fsOps.ts';
import type { Log } from './readState.ts';
import { OffsetFile } from './offsetFile.ts';
import { SessionFiles } from './sessionFiles.ts';
import { StateStore } from './stateStore.ts';
import { WorkFile } from './workFile.ts';

export { ALLOWLIST_FILE, AllowlistFile } from './allowlist.ts';
export { acquireLock, type InstanceLock, type LockResult } from './instanceLock.ts';
export { checkSessionsDir } from './checkSessionsDir.ts';
export { durableWrite } from './durableWrite.ts';
export { nodeFs, type StoreFs } from './fsOps.ts';
export { Journal, JOURNAL_FILE, type JournalEntry } from './journal.ts';
export { CHATS_FILE, openChats, type Chats, type ChatState, type SessionMeta } from './openChats.ts';
export { readEntries, readState } from './readState.ts';
export { OFFSET_FILE, OffsetFile } from './offsetFile.ts';
export { SessionFiles, SESSION_FILE, type SessionState } from './sessionFiles.ts';
export { StateFile, StateStore } from './stateStore.ts';
export { sweepTemps, tempNameFor } from './tempFiles.ts';
export { WORK_FILE, WorkFile, type WorkEntry } from './workFile.ts';
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
    work: new WorkFile(store, sessionsDir),
    allowlist: new AllowlistFile(store, sessionsDir),
  };
}
export type State = ReturnType<typeof openState>;
