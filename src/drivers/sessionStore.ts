// Per-session state saved atomically (temp file + rename) in the session directory.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const SESSION_FILE = '.claude-telegram-session.json';

const stateSchema = z.looseObject({
  sessionId: z.string().optional(),
  persona: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type SessionState = z.infer<typeof stateSchema>;

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export const sessionStore = {
  load(dir: string): SessionState {
    const r = stateSchema.safeParse(readJson(join(dir, SESSION_FILE)));
    return r.success ? r.data : {};
  },
  save(dir: string, patch: SessionState): void {
    mkdirSync(dir, { recursive: true });
    const next = { ...sessionStore.load(dir), ...patch, updatedAt: new Date().toISOString() };
    writeJsonAtomic(join(dir, SESSION_FILE), next);
  },
};
export type SessionStore = typeof sessionStore;
