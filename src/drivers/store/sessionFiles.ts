// Per-session state (`.claude-telegram-session.json` in each session directory: Claude's
// session_id, the persona), held in memory per directory like every other state file.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readState } from './readState.ts';
import type { StateFile, StateStore } from './stateStore.ts';
import type { WriteResult } from './writeResult.ts';

export const SESSION_FILE = '.claude-telegram-session.json';

export const sessionStateSchema = z.looseObject({
  sessionId: z.string().optional(),
  persona: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type SessionState = z.infer<typeof sessionStateSchema>;

export class SessionFiles {
  private readonly files = new Map<string, StateFile<SessionState>>();

  constructor(private readonly store: StateStore) {}

  private file(dir: string): StateFile<SessionState> {
    const key = resolve(dir);
    let f = this.files.get(key);
    if (!f) {
      const path = join(key, SESSION_FILE);
      f = this.store.open(path, readState(path, sessionStateSchema, this.store.log, this.store.fs), {}, { mkdir: true });
      this.files.set(key, f);
    }
    return f;
  }

  load(dir: string): SessionState {
    return this.file(dir).value;
  }

  /** Merges `patch` (an undefined field clears it), creating the directory; never throws. */
  save(dir: string, patch: SessionState): WriteResult {
    const f = this.file(dir);
    return f.set({ ...f.value, ...patch, updatedAt: new Date().toISOString() });
  }
}
