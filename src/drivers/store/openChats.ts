// SESSIONS_DIR/chats.json: each chat's named sessions and its active one. Validated chat by chat
// and session by session, so one bad entry never makes the bot forget the others.
import { join } from 'node:path';
import { z } from 'zod';
import { workspaceExtras } from '../../protocol/chats.ts';
import { issuesText, moveAside, readEntries, type EntryCheck, type Log } from './readState.ts';
import type { StateFile, StateStore } from './stateStore.ts';

export const CHATS_FILE = 'chats.json';

export const sessionMetaSchema = z.object({ persona: z.string(), createdAt: z.string(), lastActivity: z.number().optional(), ...workspaceExtras });
export type SessionMeta = z.infer<typeof sessionMetaSchema>;
export type ChatState = { active: string; sessions: Record<string, SessionMeta> };
export type Chats = Record<string, ChatState>;

/** One chat: bad sessions dropped (logged), a bad `active` repaired to a kept session. */
export function checkChat(path: string, log: Log) {
  return (raw: unknown, chatKey: string): EntryCheck<ChatState> => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, why: 'not an object' };
    const { active, sessions } = raw as { active?: unknown; sessions?: unknown };
    if (sessions === null || typeof sessions !== 'object' || Array.isArray(sessions)) return { ok: false, why: 'sessions is not an object' };
    const kept: Record<string, SessionMeta> = {};
    for (const [name, meta] of Object.entries(sessions)) {
      const r = sessionMetaSchema.safeParse(meta);
      if (r.success) kept[name] = r.data;
      else log(`state file ${path}: chat ${chatKey}: dropped session ${name} (${issuesText(r.error)})`);
    }
    if (typeof active === 'string') return { ok: true, value: { active, sessions: kept } };
    const first = Object.keys(kept)[0];
    if (first === undefined) return { ok: false, why: 'no valid active session and no valid sessions' };
    log(`state file ${path}: chat ${chatKey}: active session was ${JSON.stringify(active)}; made "${first}" active`);
    return { ok: true, value: { active: first, sessions: kept } };
  };
}

/** chats.json as a StateFile: mutate `.value`, then `.save()`. */
export function openChats(store: StateStore, sessionsDir: string): StateFile<Chats> {
  const path = join(sessionsDir, CHATS_FILE);
  // A chat with a dropped session or a repaired `active` is kept, yet the file is still moved aside.
  let repaired = false;
  const log: Log = (m) => {
    repaired = true;
    store.log(m);
  };
  const read = readEntries(path, 'record', checkChat(path, log), store.log, store.fs);
  if (repaired && !read.movedAside && read.value !== undefined) {
    moveAside(path, 'had invalid sessions or active names (kept the others)', store.log, store.fs);
    read.movedAside = true;
  }
  return store.open(path, read, {});
}
