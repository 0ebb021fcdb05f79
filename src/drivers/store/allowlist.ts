// SESSIONS_DIR/allowed-users.json: users who paired with a code. Merged with ALLOWED_USER_IDS;
// the app decides who is allowed, this file only keeps its list across restarts.
import { join } from 'node:path';
import { z } from 'zod';
import { readState } from './readState.ts';
import type { StateFile, StateStore } from './stateStore.ts';
import type { WriteResult } from './writeResult.ts';

export const ALLOWLIST_FILE = 'allowed-users.json';

const schema = z.looseObject({ userIds: z.array(z.number().int().positive()) });

export class AllowlistFile {
  private readonly file: StateFile<{ userIds: number[] }>;

  constructor(store: StateStore, sessionsDir: string) {
    const path = join(sessionsDir, ALLOWLIST_FILE);
    this.file = store.open(path, readState(path, schema, store.log, store.fs), { userIds: [] });
  }

  get(): number[] {
    return this.file.value.userIds;
  }

  set(userIds: number[]): WriteResult {
    return this.file.set({ userIds: [...new Set(userIds)].sort((a, b) => a - b) });
  }
}
