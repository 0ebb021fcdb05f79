// Requests to the drivers that keep state and fetch files, as plain data.
import type { Schedule } from './claudeWork.ts';
import type { DownloadRequest } from './telegram.ts';
import type { LimitHold } from './usageLimit.ts';
import type { Turn } from './turn.ts';
import type { Chats } from './workspaces.ts';

/** A change to persisted state, carried out by the store driver. */
export type StoreWrite =
  | { kind: 'chats'; chats: Chats }
  | { kind: 'journalAdd'; turn: Turn; at: number }
  | { kind: 'journalRemove'; id: string }
  | { kind: 'conversation'; dir: string; sessionId: string | undefined }
  | { kind: 'persona'; dir: string; persona: string }
  /** Users paired with a code: SESSIONS_DIR/allowed-users.json. */
  | { kind: 'allowlist'; userIds: number[] }
  /** An update is fully taken in (journaled or answered): its offset may be saved. */
  | { kind: 'updateDone'; updateId: number }
  /** A workspace's usage-limit hold and pending crons/wakeups (undefined: none), kept across restarts. */
  | { kind: 'claudeWork'; workspace: string; limit?: LimitHold; schedules?: Schedule[] };

export interface FileRequest extends DownloadRequest {
  /** Correlates the answer on the files source. */
  id: string;
  dir: string;
}


/** What became of a StoreWrite: on disk, or not (memory keeps it; `message` is fit for users). */
export type StoreResult = { write: StoreWrite; ok: true } | { write: StoreWrite; ok: false; message: string };
