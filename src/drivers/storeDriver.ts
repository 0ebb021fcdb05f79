// Carries out the app's StoreWrites: chats.json, the journal, each workspace's conversation file,
// and the Telegram update offset. Loads the same files at start-up.
import { join } from 'node:path';
import type { StoreWrite } from '../domain/store.ts';
import type { TurnOrigin, Turn } from '../domain/turn.ts';
import type { Chats } from '../domain/workspaces.ts';
import { parseChats } from '../protocol/chats.ts';
import { Journal } from './journal.ts';
import { readJson, sessionStore, writeJsonAtomic } from './sessionStore.ts';

export class StoreDriver {
  readonly journal: Journal;
  private readonly chatsFile: string;
  private readonly offsetFile: string;
  private offset: number | undefined;
  // The saved offset never passes an update still being taken in (a download, say), so a crash
  // makes Telegram deliver it again; the journal skips those already taken.
  private readonly inflight = new Set<number>();
  private lastTaken: number | undefined;

  constructor(private readonly sessionsDir: string) {
    this.journal = new Journal(sessionsDir);
    this.chatsFile = join(sessionsDir, 'chats.json');
    this.offsetFile = join(sessionsDir, 'telegram-offset.json');
    const saved = readJson(this.offsetFile) as { offset?: unknown } | undefined;
    this.offset = typeof saved?.offset === 'number' ? saved.offset : undefined;
  }

  savedOffset(): number | undefined {
    return this.offset;
  }

  loadChats(): Chats {
    return parseChats(readJson(this.chatsFile));
  }

  /** Conversation ids of the workspaces listed in `chats`, from their directories. */
  loadConversations(chats: Chats, dirOf: (workspace: string) => string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [chatKey, c] of Object.entries(chats)) {
      for (const name of Object.keys(c.sessions)) {
        const ws = `${chatKey}/${name}`;
        const id = sessionStore.load(dirOf(ws)).sessionId;
        if (id) out[ws] = id;
      }
    }
    return out;
  }

  /** Messages accepted but not answered by an earlier run. */
  recovered(): Turn[] {
    return this.journal.list().map((e) => ({ id: e.id, workspace: e.sessionKey, prompt: e.prompt, origin: e.meta as TurnOrigin, generation: 0 }));
  }

  /** An update arrived from Telegram (before the app takes it in). */
  taking(updateId: number): void {
    this.inflight.add(updateId);
    this.lastTaken = updateId;
  }

  write(w: StoreWrite): void {
    switch (w.kind) {
      case 'chats':
        return writeJsonAtomic(this.chatsFile, w.chats);
      case 'journalAdd':
        return this.journal.add({ id: w.turn.id, sessionKey: w.turn.workspace, prompt: w.turn.prompt, meta: w.turn.origin, at: w.at });
      case 'journalRemove':
        return this.journal.remove(w.id);
      case 'conversation':
        return sessionStore.save(w.dir, { sessionId: w.sessionId });
      case 'persona':
        return sessionStore.save(w.dir, { persona: w.persona });
      case 'updateDone': {
        this.inflight.delete(w.updateId);
        const next = this.inflight.size ? Math.min(...this.inflight) : (this.lastTaken ?? w.updateId) + 1;
        if (next !== this.offset) writeJsonAtomic(this.offsetFile, { offset: (this.offset = next) });
        return;
      }
    }
  }
}

export { sessionStore };
