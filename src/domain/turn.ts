// One user message on its way to Claude, and the words for where it goes. One meaning per word:
// a *workspace* is a chat's named session (a directory plus a conversation), a *process* is a
// running Claude Code CLI, a *conversation* is Claude's session_id.
import type { ChatRef } from './telegram.ts';

/** Where a turn came from, and so where its answer goes. */
export interface TurnOrigin {
  chat: ChatRef;
  privateChat: boolean;
  /** The user's message, so the answer replies to it. */
  replyTo?: number;
  /** Numeric id for sendMessageDraft (non-zero). */
  draftId: number;
  userId: number;
}

/** The unit of queueing, journaling and rendering. */
export interface Turn {
  /** `<chat id>:<message id>`: unique, and the journal's key. */
  id: string;
  /** Workspace key `<chatKey>/<name>`. */
  workspace: string;
  prompt: string;
  /** Context written before the prompt, not the user's words (app/cancelled.ts). */
  note?: string;
  origin: TurnOrigin;
  /** The workspace's queue generation when accepted; /stop all bumps it and drops older turns. */
  generation: number;
  /** Images Claude sees with the prompt (PROTOCOL.md §4.1); the journal keeps only their paths. */
  images?: TurnImage[];
  /** First line of its answer, for turns nobody typed (a schedule the bot re-created after a restart). */
  header?: string;
}

export interface TurnImage {
  /** Where the image is saved (a recovered turn reads it again). */
  path: string;
  mediaType: string;
  /** Base64. */
  data: string;
}

/** The console chat (npm run chat): no Telegram chat has id 0; its sessions live in SESSIONS_DIR/chatconsole. */
export const CONSOLE_CHAT_ID = 0;

export const chatKeyOf = (c: ChatRef): string => (c.chatId === CONSOLE_CHAT_ID ? 'console' : c.threadId ? `${c.chatId}_${c.threadId}` : `${c.chatId}`);

/** The chat a chat key names (the inverse of chatKeyOf). */
export function chatOfKey(chatKey: string): ChatRef {
  const [chatId, threadId] = chatKey.split('_');
  return threadId ? { chatId: Number(chatId), threadId: Number(threadId) } : { chatId: Number(chatId) };
}

export const workspaceKey = (chatKey: string, name: string): string => `${chatKey}/${name}`;

export function splitWorkspaceKey(key: string): { chatKey: string; name: string } {
  const slash = key.lastIndexOf('/');
  return { chatKey: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** A stable, non-zero 31-bit draft id for a turn id. */
export function draftIdFor(id: string): number {
  let h = 7;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return (Math.abs(h) % 2_000_000_000) + 1;
}
