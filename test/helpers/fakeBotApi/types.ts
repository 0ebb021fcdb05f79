// The fake Bot API's public surface: options, what it records, and what tests inject.
import type { BotCommand, InlineKeyboardMarkup, MessageEntity, Update, User } from 'node-telegram-bot-api';

export interface RateLimitOptions {
  /** Sustained messages per chat per second. Default 1. */
  perChatPerSecond?: number;
  /** Messages per group (negative chat_id) per 60 s. Default 20. */
  groupPerMinute?: number;
  /** Messages across all chats per second. Default 30. */
  globalPerSecond?: number;
  /** Calls allowed per chat within any 1 s window (at least perChatPerSecond). Default 3. */
  burst?: number;
}

export interface FakeBotApiOptions {
  token?: string;
  /** Flood limits on sendMessage, editMessageText and deleteMessage; `false` disables them. */
  rateLimit?: RateLimitOptions | false;
}

/** One HTTP request to `/bot<token>/<method>`. `status` is 0 while pending or when no response was sent. */
export interface ApiCall {
  method: string;
  /** Decoded: JSON fields parsed, integer fields as numbers, booleans as booleans. */
  params: Record<string, unknown>;
  /** Arrival time, ms since epoch. */
  at: number;
  status: number;
  /** The JSON body sent back (undefined while pending; a string note when no response was sent). */
  response: unknown;
}

export interface MessageVersion {
  text?: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
  at: number;
}

/** A message sent by the bot, with its CURRENT content. */
export interface StoredMessage {
  chatId: number;
  messageId: number;
  /** Seconds. */
  date: number;
  threadId?: number;
  text?: string;
  entities?: MessageEntity[];
  /** Only inline keyboards attach to a message (as in Telegram). */
  reply_markup?: InlineKeyboardMarkup;
  replyToMessageId?: number;
  /** Number of successful edits (editMessageText). */
  edits: number;
  /** Seconds, set on edit. */
  editDate?: number;
  /** Previous versions, oldest first (the current one is not included). */
  history: MessageVersion[];
  /** A sendPhoto or sendDocument: the exact bytes uploaded. */
  file?: { kind: 'photo' | 'document'; fileName: string; contentType: string; bytes: Buffer };
  /** A document the bot uploaded (sendDocument), with its caption. */
  document?: { fileName: string; mimeType: string; content: Buffer };
  caption?: string;
}

/** One accepted sendMessageDraft (rejected ones are only in `calls`). */
export interface DraftCall {
  chatId: number;
  draftId: number;
  text: string;
  entities?: MessageEntity[];
  threadId?: number;
  canStop?: boolean;
  at: number;
}

export interface FakeStats {
  /** Number of 429 responses (flood limits and injected ones). */
  tooMany: number;
  /** Number of requests per method (as spelled in the URL). */
  byMethod: Record<string, number>;
  /** Number of 429 responses per method. */
  tooManyByMethod: Record<string, number>;
}

export type FailSpec =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 }
  | { status: 409 }
  | { timeoutMs: number }
  | { status: 400; description: string };

export type InjectedChatType = 'private' | 'group' | 'supergroup';

export interface SendTextInput {
  chatId: number;
  userId: number;
  text: string;
  chatType?: InjectedChatType;
  threadId?: number;
  replyTo?: { message_id: number; text: string };
  firstName?: string;
}

export interface SendDocumentInput {
  chatId: number;
  userId: number;
  fileName: string;
  content: Buffer;
  caption?: string;
  mimeType?: string;
  chatType?: InjectedChatType;
  threadId?: number;
}

/** A user's photo, voice note, audio, video note or document; `mediaGroupId` makes it part of an album. */
export interface SendMediaInput {
  chatId: number;
  userId: number;
  kind: 'photo' | 'voice' | 'audio' | 'video_note' | 'document';
  content: Buffer;
  fileName?: string;
  mimeType?: string;
  caption?: string;
  mediaGroupId?: string;
  /** A photo's sizes, smallest first (default: one 800×600 size with `content`). */
  sizes?: Array<{ width: number; height: number; content: Buffer }>;
  /** Seconds, for voice, audio and video notes. */
  duration?: number;
  chatType?: InjectedChatType;
  threadId?: number;
}

export interface SendCallbackInput {
  chatId: number;
  userId: number;
  messageId: number;
  data: string;
}

export interface StopDraftInput {
  chatId: number;
  draftId: number;
  threadId?: number;
}

export interface FileDownload {
  path: string;
  at: number;
  status: number;
}

export interface FakeBotApi {
  readonly apiRoot: string;
  readonly token: string;
  readonly botUser: User;
  readonly calls: ApiCall[];
  readonly messages: Map<string, StoredMessage>;
  readonly deletedMessages: StoredMessage[];
  readonly drafts: DraftCall[];
  readonly stats: FakeStats;
  /** Current command menu (last setMyCommands). */
  readonly commands: BotCommand[];
  /** A chat's own menu (setMyCommands with scope {type:'chat'}), if one was set. */
  chatCommands(chatId: number): BotCommand[] | undefined;
  /** Every injected update, delivered or not. */
  readonly updates: Update[];
  /** Injected updates dropped because the current `allowed_updates` excluded their type. */
  readonly droppedUpdates: Update[];
  readonly downloads: FileDownload[];
  /** Updates waiting in the queue (not yet confirmed by an `offset`). */
  pendingUpdates(): Update[];
  /** Bot messages in a chat in message_id order, with current content (deleted ones excluded). */
  chatLog(chatId: number): StoredMessage[];

  sendText(p: SendTextInput): Update;
  sendDocument(p: SendDocumentInput): Update;
  sendCallback(p: SendCallbackInput): Update;
  stopDraft(p: StopDraftInput): Update;
  pushUpdate(u: object): Update;
  sendMedia(p: SendMediaInput): Update;
  /** Keeps a file for getFile/download without sending it (for hand-made updates). */
  storeFile(content: Buffer, fileName: string): { file_id: string; file_unique_id: string };

  failNext(method: string, f: FailSpec, times?: number): void;
  waitFor<T>(pred: () => T | undefined | null | false, timeoutMs?: number, label?: string | (() => string)): Promise<T>;
  close(): Promise<void>;
}
