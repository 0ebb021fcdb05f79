// SESSIONS_DIR/telegram-offset.json: where long polling resumes after a restart.
import { join } from 'node:path';
import { z } from 'zod';
import { readState } from './readState.ts';
import type { StateFile, StateStore } from './stateStore.ts';
import type { WriteResult } from './writeResult.ts';

export const OFFSET_FILE = 'telegram-offset.json';

/** SESSIONS_DIR/telegram-offset.json: the next update to ask Telegram for. */
export class OffsetFile {
  private readonly file: StateFile<{ offset?: number }>;

  constructor(store: StateStore, sessionsDir: string) {
    const path = join(sessionsDir, OFFSET_FILE);
    this.file = store.open(path, readState(path, z.looseObject({ offset: z.number().int().optional() }), store.log, store.fs), {});
  }

  get(): number | undefined {
    return this.file.value.offset;
  }

  set(offset: number): WriteResult {
    if (offset === this.file.value.offset) return this.file.status();
    return this.file.set({ ...this.file.value, offset });
  }
}
