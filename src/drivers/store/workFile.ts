// claude-work.json in SESSIONS_DIR: per workspace, a usage-limit hold and the crons/wakeups its
// process had pending, so a restart can resume the hold and re-create or report the schedules.
import { join } from 'node:path';
import { z } from 'zod';
import { bySchema, readEntries } from './readState.ts';
import type { StateFile, StateStore } from './stateStore.ts';
import type { WriteResult } from './writeResult.ts';

export const WORK_FILE = 'claude-work.json';

const schedule = z.object({
  kind: z.enum(['cron', 'wakeup']),
  id: z.string(),
  prompt: z.string(),
  cron: z.string().optional(),
  recurring: z.boolean(),
  human: z.string().optional(),
  at: z.number().optional(),
});
const entry = z.object({
  limit: z.object({ until: z.number(), text: z.string(), hourly: z.boolean() }).optional(),
  schedules: z.array(schedule).optional(),
});
export type WorkEntry = z.infer<typeof entry>;

export class WorkFile {
  private readonly file: StateFile<Record<string, WorkEntry>>;

  constructor(store: StateStore, sessionsDir: string) {
    const path = join(sessionsDir, WORK_FILE);
    this.file = store.open(path, readEntries(path, 'record', bySchema(entry), store.log, store.fs), {});
  }

  get value(): Record<string, WorkEntry> {
    return this.file.value;
  }

  /** Replaces the fields present in `patch` (undefined clears one); an empty entry is removed. */
  set(workspace: string, patch: WorkEntry): WriteResult {
    const next = { ...this.file.value };
    const e = { ...next[workspace], ...patch };
    const clean: WorkEntry = { ...(e.limit ? { limit: e.limit } : {}), ...(e.schedules?.length ? { schedules: e.schedules } : {}) };
    if (Object.keys(clean).length) next[workspace] = clean;
    else delete next[workspace];
    return this.file.set(next);
  }
}
