// Messages accepted but not yet answered, kept in SESSIONS_DIR/journal.json so a restart (or a
// crash of the bot) never loses one silently: they are answered after the restart.
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './sessionStore.ts';

const entrySchema = z.object({
  id: z.string(),
  sessionKey: z.string(),
  prompt: z.string(),
  meta: z.unknown(),
  at: z.number(),
});
export type JournalEntry = z.infer<typeof entrySchema>;

export class Journal {
  private readonly file: string;
  private entries: JournalEntry[];

  constructor(sessionsDir: string) {
    this.file = join(sessionsDir, 'journal.json');
    const r = z.array(entrySchema).safeParse(readJson(this.file) ?? []);
    this.entries = r.success ? r.data : [];
  }

  list(): readonly JournalEntry[] {
    return this.entries;
  }

  has(id: string): boolean {
    return this.entries.some((e) => e.id === id);
  }

  add(e: JournalEntry): void {
    if (this.entries.some((x) => x.id === e.id)) return;
    this.entries = [...this.entries, e];
    this.save();
  }

  remove(id: string): void {
    const next = this.entries.filter((e) => e.id !== id);
    if (next.length === this.entries.length) return;
    this.entries = next;
    this.save();
  }

  private save(): void {
    writeJsonAtomic(this.file, this.entries);
  }
}
