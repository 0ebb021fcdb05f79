// Carries out the app's StoreWrites on the state module (drivers/store/): chats.json, the journal,
// each workspace's conversation file, and the Telegram update offset; loads them at start-up.
// A failed write never throws: it comes back as a StoreResult, and memory keeps the state.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SavedWork } from '../domain/claudeWork.ts';
import type { StoreResult, StoreWrite } from '../domain/store.ts';
import type { Turn, TurnOrigin } from '../domain/turn.ts';
import type { Chats } from '../domain/workspaces.ts';
import { join, resolve } from 'node:path';
import { CHATS_FILE, JOURNAL_FILE, OFFSET_FILE, openState, SESSION_FILE, WORK_FILE, ALLOWLIST_FILE, userText, type State, type WriteResult } from './store/index.ts';

const OK_RESULT: WriteResult = { ok: true };
/** A write with nothing to change (the same conversation id again). */
const SKIPPED: WriteResult = { ok: true };

const originSchema = z.object({
  chat: z.object({ chatId: z.number(), threadId: z.number().optional() }),
  privateChat: z.boolean(),
  replyTo: z.number().optional(),
  draftId: z.number(),
  userId: z.number(),
});

/**
 * A batch of writes in the groups the state writer carries out and answers one after the other:
 * journal changes first (a journal entry is what holds a message back from Claude), then the other
 * files (chats, offset, conversations); each group keeps its order.
 */
export function journalFirst(writes: readonly StoreWrite[]): StoreWrite[][] {
  const isJournal = (w: StoreWrite) => w.kind === 'journalAdd' || w.kind === 'journalRemove';
  return [writes.filter(isJournal), writes.filter((w) => !isJournal(w))].filter((g) => g.length > 0);
}

export class StoreDriver {
  readonly state: State;
  // The saved offset never passes an update still being taken in (a download, say), so a crash
  // makes Telegram deliver it again; the journal skips those already taken.
  private readonly inflight = new Set<number>();
  private lastTaken: number | undefined;

  constructor(
    private readonly sessionsDir: string,
    private readonly log: (msg: string) => void,
  ) {
    this.state = openState(sessionsDir, { log });
  }

  /** Users paired with a code by earlier runs. */
  loadAllowlist(): number[] {
    return this.state.allowlist.get();
  }

  savedOffset(): number | undefined {
    return this.state.offset.get();
  }

  loadChats(): Chats {
    return this.state.chats.value;
  }

  /** Conversation ids of the workspaces listed in `chats`, from their directories. */
  loadConversations(chats: Chats, dirOf: (workspace: string) => string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [chatKey, c] of Object.entries(chats)) {
      for (const name of Object.keys(c.sessions)) {
        const id = this.state.sessions.load(dirOf(`${chatKey}/${name}`)).sessionId;
        if (id) out[`${chatKey}/${name}`] = id;
      }
    }
    return out;
  }

  /** Messages accepted but not answered by an earlier run; an entry that names no chat is dropped, logged. */
  recovered(): Turn[] {
    return this.state.journal.list().flatMap((e) => {
      const origin = originSchema.safeParse(e.meta);
      if (!origin.success) {
        this.log(`journal entry ${e.id}: unusable reply address (${origin.error.issues[0]?.message}); it cannot be answered`);
        return [];
      }
      const images = (e.images ?? []).flatMap(({ path, mediaType }) => {
        try {
          return [{ path, mediaType, data: readFileSync(path).toString('base64') }];
        } catch {
          this.log(`journal entry ${e.id}: image ${path} is gone; the prompt goes without it`);
          return [];
        }
      });
      return [{ id: e.id, workspace: e.sessionKey, prompt: e.prompt, origin: origin.data as TurnOrigin, generation: 0, ...(images.length ? { images } : {}) }];
    });
  }

  /** Usage-limit holds and pending crons/wakeups the previous run left (claude-work.json). */
  loadWork(): SavedWork {
    const limits: SavedWork['limits'] = {};
    const schedules: SavedWork['schedules'] = {};
    for (const [ws, e] of Object.entries(this.state.work.value)) {
      if (e.limit) limits[ws] = e.limit;
      if (e.schedules?.length) schedules[ws] = e.schedules;
    }
    return { limits, schedules };
  }

  /** An update arrived from Telegram (before the app takes it in). */
  taking(updateId: number): void {
    this.inflight.add(updateId);
    this.lastTaken = updateId;
  }

  /** Keeps retrying what could not be written (the disk may have room again). */
  flushIfUnhealthy(): void {
    if (!this.state.store.healthy) this.state.store.flush();
  }

  write(w: StoreWrite): StoreResult {
    return this.result(w, this.apply(w));
  }

  /** Carries out a burst of writes, each file written once at the end; a result per write, in order. */
  writeAll(ws: readonly StoreWrite[]): StoreResult[] {
    const touched: (string | undefined)[] = [];
    const byPath = this.state.store.batch(() => {
      for (const w of ws) {
        const before = this.state.store.healthy;
        touched.push(this.apply(w) === SKIPPED && before ? undefined : this.pathOf(w));
      }
    });
    return ws.map((w, i) => this.result(w, (touched[i] && byPath.get(touched[i]!)) || OK_RESULT));
  }

  private result(w: StoreWrite, r: WriteResult): StoreResult {
    return r.ok ? { write: w, ok: true } : { write: w, ok: false, message: r.message || userText(r.code) };
  }

  /** The file a write changes. */
  private pathOf(w: StoreWrite): string {
    switch (w.kind) {
      case 'chats':
        return join(this.sessionsDir, CHATS_FILE);
      case 'journalAdd':
      case 'journalRemove':
        return join(this.sessionsDir, JOURNAL_FILE);
      case 'conversation':
      case 'persona':
        return join(resolve(w.dir), SESSION_FILE);
      case 'updateDone':
        return join(this.sessionsDir, OFFSET_FILE);
      case 'claudeWork':
        return join(this.sessionsDir, WORK_FILE);
      case 'allowlist':
        return join(this.sessionsDir, ALLOWLIST_FILE);
    }
  }

  private apply(w: StoreWrite): WriteResult {
    const s = this.state;
    switch (w.kind) {
      case 'chats':
        s.chats.value = w.chats;
        return s.chats.save();
      case 'journalAdd':
        return s.journal.add({ id: w.turn.id, sessionKey: w.turn.workspace, prompt: w.turn.prompt, meta: w.turn.origin, at: w.at, ...(w.turn.images?.length ? { images: w.turn.images.map(({ path, mediaType }) => ({ path, mediaType })) } : {}) });
      case 'journalRemove':
        return s.journal.remove(w.id);
      case 'conversation':
        // Every turn's init line repeats the id: only a change is worth an fsync.
        if (s.sessions.load(w.dir).sessionId === w.sessionId && s.store.healthy) return SKIPPED;
        return s.sessions.save(w.dir, { sessionId: w.sessionId });
      case 'persona':
        return s.sessions.save(w.dir, { persona: w.persona });
      case 'claudeWork':
        return s.work.set(w.workspace, { ...('limit' in w ? { limit: w.limit } : {}), ...('schedules' in w ? { schedules: w.schedules } : {}) });
      case 'allowlist':
        return s.allowlist.set(w.userIds);
      case 'updateDone': {
        this.inflight.delete(w.updateId);
        return s.offset.set(this.inflight.size ? Math.min(...this.inflight) : (this.lastTaken ?? w.updateId) + 1);
      }
    }
  }
}
