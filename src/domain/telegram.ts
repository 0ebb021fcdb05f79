// What the bot says to Telegram, as plain data: the operations the app emits, the calls the
// outbox makes, and what came of them. Shared by app, streams and drivers.
import type { Observable } from 'rxjs';
import type { Entity } from './render/entities.ts';

export interface ChatRef {
  chatId: number;
  threadId?: number;
}

export type OutOp =
  | {
      op: 'send';
      ref: string;
      chat: ChatRef;
      text: string;
      entities?: Entity[];
      replyMarkup?: unknown;
      replyTo?: number;
      important?: boolean;
      /** Set on the last message of a turn's answer: once delivered, that turn (by id) is answered. */
      answers?: string;
    }
  /** live: a live view's update or clean-up, which may wait (and coalesce) while messages go first. */
  | { op: 'edit'; ref: string; chat: ChatRef; text: string; entities?: Entity[]; replyMarkup?: unknown; important?: boolean; live?: boolean }
  | { op: 'delete'; ref: string; chat: ChatRef; live?: boolean }
  | { op: 'draft'; chat: ChatRef; draftId: number; text: string; entities?: Entity[]; canStop?: boolean }
  | { op: 'typing'; chat: ChatRef }
  | { op: 'answerCallback'; callbackQueryId: string; text?: string }
  /** The chat's command menu (setMyCommands with a chat scope). */
  | { op: 'commands'; chatId: number; commands: { command: string; description: string }[] }
  /** A file from disk: sendPhoto or sendDocument (multipart), read by the driver when it is sent. */
  | {
      op: 'upload';
      ref: string;
      chat: ChatRef;
      as: 'photo' | 'document';
      path: string;
      fileName: string;
      caption?: string;
      replyTo?: number;
      important?: boolean;
    }
  /** A text file from memory (sendDocument): the rest of an answer too long for a few messages. */
  | {
      op: 'document';
      ref: string;
      chat: ChatRef;
      fileName: string;
      content: string;
      caption?: string;
      replyTo?: number;
      important?: boolean;
      answers?: string;
    }
  /** Drops the chat's queued (not yet sent) ops whose ref contains `refIncludes` (/stop). */
  | { op: 'cancel'; chat: ChatRef; refIncludes: string };

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  /** A file the driver attaches as the multipart field `field` (read from disk at call time). */
  upload?: { field: string; path: string; fileName: string };
}

/** code 0 = network error or timeout; -1 = a local file to upload could not be read (not retried). retryAfter is in seconds (Telegram's parameters.retry_after). */
export type ApiError = { code: number; description: string; retryAfter?: number };

/** The driver: emits the Telegram result once then completes, or errors with an ApiError-shaped object. */
export type Exec = (call: ApiCall) => Observable<unknown>;

export interface Outcome {
  op: OutOp;
  ok: boolean;
  messageId?: number;
  error?: ApiError;
  /** Calls made to exec for this op (429s and fallbacks included); 0 when coalesced or dropped. */
  attempts: number;
  plainFallback?: boolean;
  /** No call of its own: a newer op replaced its content, or it was merged into its queued send. */
  coalesced?: boolean;
  /** Not sent, on purpose (ok stays true: nothing failed): a typing when other work was waiting for
   *  the chat or one was sent less than 4 s ago; an op a cancel (/stop) took out of the queue. */
  dropped?: boolean;
}

/** A file to fetch from Telegram into a directory. */
export interface DownloadRequest {
  fileId: string;
  /** Name suggested by the sender (sanitized by the driver). */
  name: string;
  size?: number;
}
export type DownloadResult = { ok: true; name: string; bytes: number } | { ok: false; message: string };
