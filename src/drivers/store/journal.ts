// Messages accepted but not yet answered (SESSIONS_DIR/journal.json), so a restart or a crash
// never loses one silently. One bad entry is dropped alone, logged, and the rest kept.
import { join } from 'node:path';
import { z } from 'zod';
import { bySchema, readEntries } from './readState.ts';
import type { StateFile, StateStore } from './stateStore.ts';
import type { WriteResult } from './writeResult.ts';

export const JOURNAL_FILE = 'journal.json';

export const journalEntrySchema = z.object({
  id: z.string(),
  sessionKey: z.string(),
  prompt: z.string(),
  meta: z.unknown(),
  at: z.number(),
  /** Images of the prompt, by path (the bytes are on disk, not in the journal). */
  images: z.array(z.object({ path: z.string(), mediaType: z.string() })).optional(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;

export class Journal {
  private readonly file: StateFile<JournalEntry[]>;

  constructor(store: StateStore, sessionsDir: string) {
    const path = join(sessionsDir, JOURNAL_FILE);
    this.file = store.open(path, readEntries(path, 'array', bySchema(journalEntrySchema), store.log, store.fs), []);
  }

  list(): readonly JournalEntry[] {
    return this.file.value;
  }

  has(id: string): boolean {
    return this.file.value.some((e) => e.id === id);
  }

  /** Kept in memory even when the write fails: the result says whether it is on disk. */
  add(e: JournalEntry): WriteResult {
    if (this.has(e.id)) return this.file.status();
    return this.file.set([...this.file.value, e]);
  }

  remove(id: string): WriteResult {
    const next = this.file.value.filter((e) => e.id !== id);
    if (next.length === this.file.value.length) return this.file.status();
    return this.file.set(next);
  }
}
