/**
 * A fake Telegram Bot API server for tests.
 *
 * Real HTTP on 127.0.0.1 (ephemeral port). Point the real node-telegram-bot-api
 * at it with `new Api(token, { apiRoot: fake.apiRoot })`. It speaks the real
 * wire format (urlencoded with JSON-encoded structured fields, multipart for
 * uploads, JSON bodies and query strings too) and answers with the real
 * envelope `{ ok: true, result }` / `{ ok: false, error_code, description, parameters? }`.
 *
 * It ENFORCES Telegram's rules where a bot can get them wrong (text length,
 * entities, "message is not modified", callback_data size, drafts only in
 * private chats, flood limits, long-poll semantics, 409 between two pollers),
 * so the bot under test meets the errors it would meet in production.
 *
 * Deliberate simplifications (see the report / README of the test suite):
 *  - `parse_mode` is recorded but the text is not parsed (our bot never uses it).
 *  - Entities are checked more strictly than Telegram (which often silently
 *    fixes or drops bad entities); the point is to catch bot bugs.
 *  - Webhooks are accepted and block getUpdates like the real thing, but the
 *    fake never delivers updates to a webhook URL.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BotCommand, InlineKeyboardMarkup, Message, MessageEntity, Update, User } from 'node-telegram-bot-api';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface RateLimitOptions {
  /** Sustained messages per chat per second. Default 1. */
  perChatPerSecond?: number;
  /** Messages per group (negative chat_id) per 60 s. Default 20. */
  groupPerMinute?: number;
  /** Messages across all chats per second. Default 30. */
  globalPerSecond?: number;
  /** Calls allowed per chat within any 1 s window (at least perChatPerSecond). Default 3. */
  burst?: number;
  /** Optional extra per-chat cap over any 60 s window. Default: off. */
  perChatPerMinute?: number;
  /** Methods that count against the limits. Default: sendMessage, editMessageText, sendDocument, deleteMessage. */
  methods?: string[];
}

export interface FakeBotApiOptions {
  token?: string;
  /** Flood limits; `false` disables them. */
  rateLimit?: RateLimitOptions | false;
  /**
   * What happens when a getUpdates long poll arrives while another one is
   * pending. `'terminate-old'` (default) is what the real server does
   * (tdlib/telegram-bot-api `abort_long_poll`): the EARLIER request is answered
   * with 409 and the new one waits. `'reject-new'` answers the new one with 409.
   */
  getUpdatesConflict?: 'terminate-old' | 'reject-new';
}

/** One HTTP request to `/bot<token>/<method>`. `status` is 0 while pending or when no response was sent. */
export interface ApiCall {
  method: string;
  /** Decoded: JSON fields parsed, integer fields as numbers, booleans as booleans, uploads as {@link UploadedFile}. */
  params: Record<string, unknown>;
  /** Arrival time, ms since epoch. */
  at: number;
  status: number;
  /** The JSON body sent back (undefined while pending; a string note when no response was sent). */
  response: unknown;
}

export interface UploadedFile {
  fileName: string;
  mimeType: string;
  size: number;
  content: Buffer;
}

export interface DocumentInfo {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size: number;
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
  caption?: string;
  caption_entities?: MessageEntity[];
  document?: DocumentInfo;
  /** Uploaded bytes for documents sent by the bot. */
  content?: Buffer;
  /** Only inline keyboards attach to a message (as in Telegram). */
  reply_markup?: InlineKeyboardMarkup;
  parse_mode?: string;
  replyToMessageId?: number;
  /** Number of successful edits (editMessageText + editMessageReplyMarkup). */
  edits: number;
  /** Seconds, set on edit. */
  editDate?: number;
  /** Previous versions, oldest first (the current one is not included). */
  history: MessageVersion[];
}

/** One accepted sendMessageDraft (rejected ones are only in `calls`). */
export interface DraftCall {
  chatId: number;
  draftId: number;
  text: string;
  entities?: MessageEntity[];
  threadId?: number;
  canStop?: boolean;
  keepOnStop?: boolean;
  parse_mode?: string;
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

export interface SendPhotoInput {
  chatId: number;
  userId: number;
  content: Buffer;
  caption?: string;
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
  /** Current default-scope command menu (last setMyCommands without scope/language). */
  readonly commands: BotCommand[];
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
  sendPhoto(p: SendPhotoInput): Update;
  sendCallback(p: SendCallbackInput): Update;
  stopDraft(p: StopDraftInput): Update;
  pushUpdate(u: object): Update;

  failNext(method: string, f: FailSpec, times?: number): void;
  waitFor<T>(pred: () => T | undefined | null | false, timeoutMs?: number, label?: string): Promise<T>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

const DEFAULT_TOKEN = '123456:TEST-TOKEN';
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_ENTITIES_KEPT = 100;
const MAX_DOWNLOAD = 20 * 1024 * 1024;
const MAX_UPLOAD = 50 * 1024 * 1024;
const MAX_BODY = MAX_UPLOAD + 1024 * 1024;

const CONFLICT_POLL = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK_SET = 'Conflict: terminated by setWebhook request';
const CONFLICT_WEBHOOK_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

const UPDATE_TYPE_NAMES = new Set([
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection', 'business_message',
  'edited_business_message', 'deleted_business_messages', 'guest_message', 'message_reaction', 'message_reaction_count',
  'inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query',
  'purchased_paid_media', 'poll', 'poll_answer', 'my_chat_member', 'chat_member', 'chat_join_request', 'chat_boost',
  'removed_chat_boost', 'managed_bot', 'subscription', 'stopped_message_generation',
]);
/** Not delivered unless listed explicitly in allowed_updates. */
const DEFAULT_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

const ENTITY_TYPES = new Set([
  'mention', 'hashtag', 'cashtag', 'bot_command', 'url', 'email', 'phone_number', 'bold', 'italic', 'underline',
  'strikethrough', 'spoiler', 'blockquote', 'expandable_blockquote', 'code', 'pre', 'text_link', 'text_mention',
  'custom_emoji', 'date_time',
]);

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'record_audio',
  'upload_audio', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

const INT_FIELDS = new Set([
  'chat_id', 'message_id', 'message_thread_id', 'draft_id', 'offset', 'limit', 'timeout', 'reply_to_message_id',
  'cache_time', 'user_id', 'from_chat_id', 'max_connections', 'direct_messages_topic_id',
]);
const BOOL_FIELDS = new Set([
  'can_stop', 'keep_on_stop', 'disable_notification', 'protect_content', 'show_alert', 'drop_pending_updates',
  'allow_sending_without_reply', 'disable_web_page_preview', 'allow_paid_broadcast', 'disable_content_type_detection',
]);
const JSON_FIELDS = new Set([
  'entities', 'caption_entities', 'reply_markup', 'allowed_updates', 'commands', 'scope', 'link_preview_options',
  'reply_parameters', 'rich_message', 'media',
]);

const DEFAULT_RATE_METHODS = ['sendMessage', 'editMessageText', 'sendDocument', 'deleteMessage'];

const PENDING = Symbol('pending');
type Params = Record<string, unknown>;
type Handler = (p: Params, ctx: Ctx) => unknown;

interface Ctx {
  call: ApiCall;
  req: IncomingMessage;
  res: ServerResponse;
  done: boolean;
}

interface PendingPoll {
  ctx: Ctx;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
  wake?: NodeJS.Immediate;
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  content: Buffer;
}

interface ChatInfo {
  id: number;
  type: string;
  title?: string;
  first_name?: string;
  is_forum?: true;
}

interface FailEntry {
  method: string;
  spec: FailSpec;
  remaining: number;
}

class ApiErr extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const bad = (d: string): ApiErr => new ApiErr(400, `Bad Request: ${d}`);
const entityErr = (why: string): ApiErr => bad(`can't parse entities: ${why}`);

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const nowSec = (): number => Math.floor(Date.now() / 1000);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const msgKey = (chatId: number, messageId: number): string => `${chatId}:${messageId}`;
const lc = (s: string): string => s.toLowerCase();

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
/** True when UTF-16 index `i` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

function validLink(u: unknown): boolean {
  if (typeof u !== 'string' || u === '') return false;
  try {
    const url = new URL(u);
    if (url.protocol === 'tg:') return true;
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** JSON with sorted keys, for structural equality. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

function canonicalEntities(e: MessageEntity[] | undefined): string {
  if (!e || e.length === 0) return '[]';
  const sorted = [...e].sort((a, b) => a.offset - b.offset || b.length - a.length || a.type.localeCompare(b.type));
  return canonical(sorted);
}

function canonicalMarkup(m: InlineKeyboardMarkup | undefined): string {
  if (!m || m.inline_keyboard.length === 0) return 'none';
  return canonical(m);
}

function errorBody(code: number, description: string, parameters?: object): Record<string, unknown> {
  return parameters ? { ok: false, error_code: code, description, parameters } : { ok: false, error_code: code, description };
}

function describeCall(c: ApiCall): string {
  const p = JSON.stringify(c.params, (_k, v: unknown) => (Buffer.isBuffer(v) ? `<${v.length} bytes>` : v));
  const short = p.length > 160 ? `${p.slice(0, 160)}…` : p;
  const resp = isObj(c.response) && c.response.ok === false ? ` ${String(c.response.description)}` : '';
  return `${c.method} → ${c.status === 0 ? 'pending/no response' : c.status}${resp} ${short}`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiErr(413, 'Request Entity Too Large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseRaw(contentType: string | undefined, body: Buffer, query: URLSearchParams): Promise<Params> {
  const out: Params = {};
  for (const [k, v] of query) out[k] = v;
  if (body.length === 0) return out;
  const type = lc((contentType ?? '').split(';')[0] ?? '').trim();
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out[k] = v;
  } else if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw bad("can't parse JSON encoded request body");
    }
    if (isObj(parsed)) Object.assign(out, parsed);
  } else if (type === 'multipart/form-data') {
    const form = await new Response(body, { headers: { 'content-type': contentType ?? '' } }).formData();
    for (const [k, v] of form) {
      if (typeof v === 'string') {
        out[k] = v;
      } else {
        const blob = v as Blob & { name?: string };
        const file: UploadedFile = {
          fileName: blob.name ?? k,
          mimeType: blob.type || 'application/octet-stream',
          size: blob.size,
          content: Buffer.from(await blob.arrayBuffer()),
        };
        out[k] = file;
      }
    }
  }
  return out;
}

function decodeParams(raw: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') {
      out[k] = v;
    } else if (JSON_FIELDS.has(k)) {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v; // left as a string: the handler reports it as unparsable
      }
    } else if (INT_FIELDS.has(k) && /^-?\d+$/.test(v)) {
      out[k] = Number(v);
    } else if (BOOL_FIELDS.has(k) && (v === 'true' || v === 'false')) {
      out[k] = v === 'true';
    } else {
      out[k] = v;
    }
  }
  return out;
}

function isUploaded(v: unknown): v is UploadedFile {
  return isObj(v) && Buffer.isBuffer(v.content) && typeof v.fileName === 'string';
}

function optInt(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw bad(`wrong parameter ${name} specified`);
}

function chatIdOf(p: Params): number {
  const v = p.chat_id;
  if (v === undefined || v === '') throw bad('chat_id is empty');
  if (typeof v === 'number' && Number.isInteger(v) && v !== 0) return v;
  // "@username" and anything else: the fake only knows numeric chats.
  throw bad('chat not found');
}

function messageIdOf(p: Params): number {
  const v = optInt(p, 'message_id');
  if (v === undefined || v <= 0) throw bad('message identifier is not specified');
  return v;
}

function requireText(v: unknown): string {
  if (v === undefined || v === null) throw bad('message text is empty');
  const text = typeof v === 'string' ? v : String(v);
  if (text.trim() === '') throw bad('message text is empty');
  if (text.length > MAX_TEXT) throw bad('message is too long');
  return text;
}

/**
 * Validates an entities array against `text` (offsets in UTF-16 code units).
 * Returns undefined for "no entities".
 */
function validateEntities(raw: unknown, text: string, field: string): MessageEntity[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') throw entityErr(`${field} is not a valid JSON array`);
  if (!Array.isArray(raw)) throw entityErr(`${field} must be an array of MessageEntity`);
  const out: MessageEntity[] = [];
  raw.forEach((e: unknown, i: number) => {
    const at = `entity #${i}`;
    if (!isObj(e)) throw entityErr(`${at} is not an object`);
    const type = e.type;
    if (typeof type !== 'string' || !ENTITY_TYPES.has(type)) {
      throw entityErr(`${at} has unsupported type ${JSON.stringify(type)}`);
    }
    const offset = e.offset;
    const length = e.length;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
      throw entityErr(`${at} (${type}) has invalid offset ${JSON.stringify(offset)}`);
    }
    if (typeof length !== 'number' || !Number.isInteger(length) || length <= 0) {
      throw entityErr(`${at} (${type}) has invalid length ${JSON.stringify(length)}`);
    }
    if (offset + length > text.length) {
      throw entityErr(
        `${at} (${type}) with offset ${offset} and length ${length} ends beyond the end of the text (${text.length} UTF-16 code units)`,
      );
    }
    if (splitsPair(text, offset)) throw entityErr(`${at} (${type}) starts in the middle of a surrogate pair at offset ${offset}`);
    if (splitsPair(text, offset + length)) {
      throw entityErr(`${at} (${type}) ends in the middle of a surrogate pair at offset ${offset + length}`);
    }
    const ent: MessageEntity = { type, offset, length };
    switch (type) {
      case 'text_link':
        if (!validLink(e.url)) throw entityErr(`${at} (text_link) has invalid url ${JSON.stringify(e.url)}`);
        ent.url = e.url as string;
        break;
      case 'text_mention': {
        const user = e.user;
        if (!isObj(user) || typeof user.id !== 'number') throw entityErr(`${at} (text_mention) needs a user with an id`);
        ent.user = user as unknown as User;
        break;
      }
      case 'pre':
        if (e.language !== undefined) {
          if (typeof e.language !== 'string') throw entityErr(`${at} (pre) language must be a string`);
          ent.language = e.language;
        }
        break;
      case 'custom_emoji':
        if (typeof e.custom_emoji_id !== 'string' || e.custom_emoji_id === '') {
          throw entityErr(`${at} (custom_emoji) needs custom_emoji_id`);
        }
        ent.custom_emoji_id = e.custom_emoji_id;
        break;
      case 'date_time':
        if (typeof e.unix_time !== 'number' || !Number.isInteger(e.unix_time)) {
          throw entityErr(`${at} (date_time) needs an integer unix_time`);
        }
        ent.unix_time = e.unix_time;
        if (typeof e.date_time_format === 'string') ent.date_time_format = e.date_time_format;
        break;
      default:
        break;
    }
    out.push(ent);
  });

  // Properly nested or disjoint: sort by start, longer first, and keep a stack of open ranges.
  const order = out.map((e, i) => ({ e, i })).sort((a, b) => a.e.offset - b.e.offset || b.e.length - a.e.length);
  const stack: Array<{ end: number; i: number; type: string }> = [];
  for (const { e, i } of order) {
    const end = e.offset + e.length;
    while (stack.length > 0 && stack[stack.length - 1]!.end <= e.offset) stack.pop();
    const top = stack[stack.length - 1];
    if (top && end > top.end) {
      throw entityErr(
        `entity #${i} (${e.type}) partially overlaps entity #${top.i} (${top.type}); entities must be nested or disjoint`,
      );
    }
    stack.push({ end, i, type: e.type });
  }
  return out.length === 0 ? undefined : out;
}

/** Validates reply_markup; returns the inline keyboard if that is what it is. */
function validateMarkup(raw: unknown): InlineKeyboardMarkup | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) throw bad("can't parse reply keyboard markup JSON object");
  if (!('inline_keyboard' in raw)) {
    if ('keyboard' in raw || 'remove_keyboard' in raw || 'force_reply' in raw) return undefined;
    throw bad("can't parse reply keyboard markup JSON object");
  }
  const rows = raw.inline_keyboard;
  if (!Array.isArray(rows)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  for (const row of rows) {
    if (!Array.isArray(row)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    for (const b of row) {
      if (!isObj(b)) throw bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      if (typeof b.text !== 'string') throw bad('can\'t parse inline keyboard button: Field "text" must be of type String');
      if (b.callback_data !== undefined) {
        if (typeof b.callback_data !== 'string') throw bad('BUTTON_DATA_INVALID');
        const bytes = Buffer.byteLength(b.callback_data, 'utf8');
        if (bytes < 1 || bytes > 64) throw bad('BUTTON_DATA_INVALID');
      } else if (b.url !== undefined) {
        if (!validLink(b.url)) throw bad('BUTTON_URL_INVALID');
      } else {
        const actions = [
          'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
          'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
        ];
        if (!actions.some((a) => b[a] !== undefined)) {
          throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
      }
    }
  }
  const markup = raw as unknown as InlineKeyboardMarkup;
  return markup.inline_keyboard.length === 0 ? undefined : markup;
}

function updateTypeOf(u: object): string {
  return Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';
}

function fileExt(name: string | undefined): string {
  if (!name) return '';
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(name);
  return m ? m[0] : '';
}

function withBadRequestPrefix(d: string): string {
  return d.startsWith('Bad Request') ? d : `Bad Request: ${d}`;
}

// ---------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------

class FakeBotApiServer implements FakeBotApi {
  apiRoot = '';
  readonly token: string;
  readonly botUser: User;
  readonly calls: ApiCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly deletedMessages: StoredMessage[] = [];
  readonly drafts: DraftCall[] = [];
  readonly stats: FakeStats = { tooMany: 0, byMethod: {}, tooManyByMethod: {} };
  readonly updates: Update[] = [];
  readonly droppedUpdates: Update[] = [];
  readonly downloads: FileDownload[] = [];

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly handlers = new Map<string, Handler>();
  private readonly conflictMode: 'terminate-old' | 'reject-new';
  private readonly rate:
    | { perChat: number; perChatMinute: number; group: number; global: number; methods: Set<string> }
    | undefined;
  private readonly chatWindows = new Map<number, number[]>();
  private globalWindow: number[] = [];

  private queue: Update[] = [];
  private allowed: Set<string> | null = null; // null → Telegram's default set
  private pendingPoll: PendingPoll | undefined;
  private webhookUrl = '';
  private nextUpdateId = 10_000;
  private readonly nextMessageIds = new Map<number, number>();
  private readonly userMessages = new Map<string, Record<string, unknown>>();
  private readonly chats = new Map<number, ChatInfo>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private fileCounter = 0;
  private callbackCounter = 0;
  private readonly callbacks = new Map<string, { answered: boolean }>();
  private readonly commandSets = new Map<string, BotCommand[]>();
  private readonly failures: FailEntry[] = [];
  private readonly held = new Set<{ timer: NodeJS.Timeout; ctx: Ctx }>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(opts: FakeBotApiOptions) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    const idPart = Number(this.token.split(':')[0]);
    this.botUser = {
      id: Number.isInteger(idPart) && idPart > 0 ? idPart : 123456,
      is_bot: true,
      first_name: 'Fake Bot',
      username: 'fake_test_bot',
    };
    this.conflictMode = opts.getUpdatesConflict ?? 'terminate-old';
    if (opts.rateLimit !== false) {
      const r = opts.rateLimit ?? {};
      const perChatPerSecond = r.perChatPerSecond ?? 1;
      this.rate = {
        perChat: Math.max(r.burst ?? 3, perChatPerSecond),
        perChatMinute: r.perChatPerMinute ?? Infinity,
        group: r.groupPerMinute ?? 20,
        global: r.globalPerSecond ?? 30,
        methods: new Set((r.methods ?? DEFAULT_RATE_METHODS).map(lc)),
      };
    }
    this.installHandlers();
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(errorBody(500, `Internal Server Error: fakeBotApi bug: ${String(err)}`)));
        }
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${addr.port}`;
  }

  // ---- inspection ---------------------------------------------------------

  get commands(): BotCommand[] {
    return this.commandSets.get(this.commandKey(undefined, undefined)) ?? [];
  }

  pendingUpdates(): Update[] {
    return [...this.queue];
  }

  chatLog(chatId: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId).sort((a, b) => a.messageId - b.messageId);
  }

  // ---- waiting --------------------------------------------------------------

  waitFor<T>(pred: () => T | undefined | null | false, timeoutMs = 2000, label?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let lastError: unknown;
      const attempt = (): boolean => {
        try {
          const value = pred();
          if (value) {
            resolve(value);
            return true;
          }
        } catch (e) {
          lastError = e;
        }
        return false;
      };
      if (attempt()) return;
      const waiter = (): void => {
        if (attempt()) {
          this.waiters.delete(waiter);
          clearTimeout(timer);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(this.timeoutMessage(pred, timeoutMs, label, lastError)));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private timeoutMessage(pred: () => unknown, timeoutMs: number, label: string | undefined, lastError: unknown): string {
    const src = pred.toString().replace(/\s+/g, ' ');
    const lines = [
      `fakeBotApi.waitFor timed out after ${timeoutMs} ms${label ? ` waiting for ${label}` : ''}: ` +
        `the predicate never returned a truthy value: ${src.length > 200 ? `${src.slice(0, 200)}…` : src}`,
    ];
    if (lastError !== undefined) {
      lines.push(`  last error thrown by the predicate: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
    }
    if (this.droppedUpdates.length > 0) {
      const types = [...new Set(this.droppedUpdates.map(updateTypeOf))].join(', ');
      lines.push(`  note: ${this.droppedUpdates.length} injected update(s) were dropped by allowed_updates (${types})`);
    }
    const recent = this.calls.slice(-8);
    lines.push(`  ${this.calls.length} API call(s) so far${recent.length ? '; last ones:' : ''}`);
    for (const c of recent) lines.push(`    ${describeCall(c)}`);
    return lines.join('\n');
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  // ---- failure injection -------------------------------------------------

  failNext(method: string, f: FailSpec, times = 1): void {
    if (times > 0) this.failures.push({ method: lc(method), spec: f, remaining: times });
  }

  private takeFailure(method: string): FailSpec | undefined {
    const m = lc(method);
    const idx = this.failures.findIndex((f) => f.method === m || f.method === '*');
    if (idx < 0) return undefined;
    const entry = this.failures[idx]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.failures.splice(idx, 1);
    return entry.spec;
  }

  private applyFailure(ctx: Ctx, f: FailSpec): void {
    if ('timeoutMs' in f) {
      const item = {
        ctx,
        timer: setTimeout(() => {
          this.held.delete(item);
          this.abandon(ctx, 'injected timeout: connection dropped without a response');
          ctx.req.socket.destroy();
        }, f.timeoutMs),
      };
      this.held.add(item);
      ctx.res.on('close', () => {
        if (this.held.delete(item)) {
          clearTimeout(item.timer);
          this.abandon(ctx, 'injected timeout: client gave up first');
        }
      });
      this.notify();
      return;
    }
    switch (f.status) {
      case 429:
        this.finish(ctx, 429, errorBody(429, `Too Many Requests: retry after ${f.retryAfter}`, { retry_after: f.retryAfter }));
        return;
      case 409:
        this.finish(ctx, 409, errorBody(409, CONFLICT_POLL));
        return;
      case 400:
        this.finish(ctx, 400, errorBody(400, withBadRequestPrefix(f.description)));
        return;
      case 500:
        this.finish(ctx, 500, errorBody(500, 'Internal Server Error'));
        return;
      case 502:
        this.finish(ctx, 502, errorBody(502, 'Bad Gateway'));
        return;
      case 503:
        this.finish(ctx, 503, errorBody(503, 'Service Unavailable'));
        return;
    }
  }

  // ---- HTTP plumbing --------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (api) {
      await this.onApi(req, res, decodeURIComponent(api[1]!), api[2]!, url);
      return;
    }
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      this.onDownload(res, decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorBody(404, 'Not Found')));
  }

  private onDownload(res: ServerResponse, token: string, path: string): void {
    const f = token === this.token ? this.filesByPath.get(path) : undefined;
    const record: FileDownload = { path, at: Date.now(), status: f ? 200 : 404 };
    this.downloads.push(record);
    if (!f) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(404, 'Not Found')));
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.content.length) });
      res.end(f.content);
    }
    this.notify();
  }

  private async onApi(req: IncomingMessage, res: ServerResponse, token: string, method: string, url: URL): Promise<void> {
    const at = Date.now();
    let params: Params;
    let parseError: ApiErr | undefined;
    try {
      const body = await readBody(req);
      params = decodeParams(await parseRaw(req.headers['content-type'], body, url.searchParams));
    } catch (e) {
      params = {};
      parseError = e instanceof ApiErr ? e : bad(`can't parse request body: ${String(e)}`);
    }
    const call: ApiCall = { method, params, at, status: 0, response: undefined };
    this.calls.push(call);
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    const ctx: Ctx = { call, req, res, done: false };

    if (this.closed) {
      this.finish(ctx, 502, errorBody(502, 'Bad Gateway'));
      return;
    }
    if (token !== this.token) {
      this.finish(ctx, 401, errorBody(401, 'Unauthorized'));
      return;
    }
    if (parseError) {
      this.finish(ctx, parseError.code, errorBody(parseError.code, parseError.description));
      return;
    }
    const failure = this.takeFailure(method);
    if (failure) {
      this.applyFailure(ctx, failure);
      return;
    }
    const key = lc(method);
    const handler = this.handlers.get(key);
    if (!handler) {
      this.finish(ctx, 404, errorBody(404, `Not Found: method '${method}' is not implemented by fakeBotApi`));
      return;
    }
    try {
      const limited = this.rate !== undefined && this.rate.methods.has(key);
      let chatId: number | undefined;
      if (limited && typeof params.chat_id === 'number') {
        chatId = params.chat_id;
        const retryAfter = this.checkRate(chatId, Date.now());
        if (retryAfter !== undefined) {
          throw new ApiErr(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
        }
      }
      const result = handler(params, ctx);
      if (result === PENDING) {
        this.notify();
        return;
      }
      if (chatId !== undefined) this.recordRate(chatId, Date.now());
      this.finish(ctx, 200, { ok: true, result });
    } catch (e) {
      if (e instanceof ApiErr) {
        this.finish(ctx, e.code, errorBody(e.code, e.description, e.parameters));
      } else {
        this.finish(ctx, 500, errorBody(500, `Internal Server Error: fakeBotApi bug: ${String(e)}`));
      }
    }
  }

  private finish(ctx: Ctx, status: number, body: Record<string, unknown>): void {
    if (ctx.done) return;
    ctx.done = true;
    ctx.call.status = status;
    ctx.call.response = body;
    if (status === 429) {
      this.stats.tooMany += 1;
      this.stats.tooManyByMethod[ctx.call.method] = (this.stats.tooManyByMethod[ctx.call.method] ?? 0) + 1;
    }
    if (!ctx.res.destroyed && !ctx.res.writableEnded) {
      ctx.res.writeHead(status, { 'content-type': 'application/json' });
      ctx.res.end(JSON.stringify(body));
    }
    this.notify();
  }

  /** Marks a request as finished without a response. */
  private abandon(ctx: Ctx, note: string): void {
    if (ctx.done) return;
    ctx.done = true;
    ctx.call.status = 0;
    ctx.call.response = note;
    this.notify();
  }

  // ---- rate limits ------------------------------------------------------------

  private checkRate(chatId: number, now: number): number | undefined {
    const r = this.rate;
    if (!r) return undefined;
    const chat = this.chatWindows.get(chatId) ?? [];
    const waits = [
      retryFor(chat, now, 1000, r.perChat),
      retryFor(chat, now, 60_000, r.perChatMinute),
      chatId < 0 ? retryFor(chat, now, 60_000, r.group) : undefined,
      retryFor(this.globalWindow, now, 1000, r.global),
    ].filter((w): w is number => w !== undefined);
    return waits.length ? Math.max(...waits) : undefined;
  }

  private recordRate(chatId: number, now: number): void {
    const keep = (t: number): boolean => t > now - 60_000;
    const chat = (this.chatWindows.get(chatId) ?? []).filter(keep);
    chat.push(now);
    this.chatWindows.set(chatId, chat);
    this.globalWindow = this.globalWindow.filter((t) => t > now - 1000);
    this.globalWindow.push(now);
  }

  // ---- updates ------------------------------------------------------------------

  private enqueue(u: Update): Update {
    this.updates.push(u);
    const type = updateTypeOf(u);
    const allowed = this.allowed ? this.allowed.has(type) : !DEFAULT_EXCLUDED.has(type);
    if (!allowed) {
      this.droppedUpdates.push(u);
    } else {
      this.queue.push(u);
      const p = this.pendingPoll;
      if (p && !p.wake) p.wake = setImmediate(() => this.answerPendingPoll());
    }
    this.notify();
    return u;
  }

  private answerPendingPoll(): void {
    const p = this.pendingPoll;
    if (!p) return;
    this.pendingPoll = undefined;
    clearTimeout(p.timer);
    if (p.wake) clearImmediate(p.wake);
    const batch = this.queue.filter((u) => u.update_id >= p.offset).slice(0, p.limit);
    this.finish(p.ctx, 200, { ok: true, result: batch });
  }

  private abortPendingPoll(description: string): void {
    const p = this.pendingPoll;
    if (!p) return;
    this.pendingPoll = undefined;
    clearTimeout(p.timer);
    if (p.wake) clearImmediate(p.wake);
    this.finish(p.ctx, 409, errorBody(409, description));
  }

  private getUpdates(p: Params, ctx: Ctx): unknown {
    if (this.webhookUrl) throw new ApiErr(409, CONFLICT_WEBHOOK_ACTIVE);
    const offset = optInt(p, 'offset') ?? 0;
    const limit = Math.min(100, Math.max(1, optInt(p, 'limit') ?? 100));
    const timeout = Math.max(0, optInt(p, 'timeout') ?? 0);
    const au = p.allowed_updates;
    if (Array.isArray(au)) {
      const known = au.filter((t): t is string => typeof t === 'string').map(lc).filter((t) => UPDATE_TYPE_NAMES.has(t));
      this.allowed = known.length > 0 ? new Set(known) : null;
    }
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
    const batch = this.queue.slice(0, limit);
    if (batch.length > 0 || timeout === 0) return batch;

    if (this.pendingPoll) {
      if (this.conflictMode === 'reject-new') throw new ApiErr(409, CONFLICT_POLL);
      this.abortPendingPoll(CONFLICT_POLL);
    }
    const poll: PendingPoll = {
      ctx,
      offset: Math.max(0, offset),
      limit,
      timer: setTimeout(() => {
        if (this.pendingPoll === poll) this.answerPendingPoll();
      }, timeout * 1000),
    };
    this.pendingPoll = poll;
    ctx.res.on('close', () => {
      if (this.pendingPoll === poll && !ctx.done) {
        this.pendingPoll = undefined;
        clearTimeout(poll.timer);
        if (poll.wake) clearImmediate(poll.wake);
        this.abandon(ctx, 'client closed the long poll');
      }
    });
    return PENDING;
  }

  private nextUpdate(): number {
    return this.nextUpdateId++;
  }

  private nextMessageId(chatId: number): number {
    const id = this.nextMessageIds.get(chatId) ?? 1;
    this.nextMessageIds.set(chatId, id + 1);
    return id;
  }

  private registerChat(chatId: number, type: InjectedChatType | undefined, forum: boolean): void {
    const existing = this.chats.get(chatId);
    const t = type ?? existing?.type ?? (chatId > 0 ? 'private' : 'supergroup');
    const info: ChatInfo =
      t === 'private' ? { id: chatId, type: t, first_name: `User${chatId}` } : { id: chatId, type: t, title: `Test group ${chatId}` };
    if (forum || existing?.is_forum) info.is_forum = true;
    this.chats.set(chatId, info);
  }

  private chatObj(chatId: number): ChatInfo {
    const c = this.chats.get(chatId);
    if (c) return { ...c };
    return chatId > 0
      ? { id: chatId, type: 'private', first_name: `User${chatId}` }
      : { id: chatId, type: 'supergroup', title: `Test group ${chatId}` };
  }

  private userObj(userId: number, firstName?: string): User {
    return { id: userId, is_bot: false, first_name: firstName ?? `User${userId}`, username: `user${userId}`, language_code: 'en' };
  }

  private baseUserMessage(p: { chatId: number; userId: number; chatType?: InjectedChatType; threadId?: number; firstName?: string }): Record<string, unknown> {
    this.registerChat(p.chatId, p.chatType, p.threadId !== undefined && p.chatId < 0);
    const msg: Record<string, unknown> = {
      message_id: this.nextMessageId(p.chatId),
      from: this.userObj(p.userId, p.firstName),
      chat: this.chatObj(p.chatId),
      date: nowSec(),
    };
    if (p.threadId !== undefined) {
      msg.message_thread_id = p.threadId;
      msg.is_topic_message = true;
    }
    return msg;
  }

  private rememberUserMessage(msg: Record<string, unknown>): void {
    const chat = msg.chat;
    if (isObj(chat) && typeof chat.id === 'number' && typeof msg.message_id === 'number') {
      this.userMessages.set(msgKey(chat.id, msg.message_id), msg);
      const next = this.nextMessageIds.get(chat.id) ?? 1;
      if (msg.message_id >= next) this.nextMessageIds.set(chat.id, msg.message_id + 1);
    }
  }

  private storeFile(content: Buffer, dir: string, fileName?: string): StoredFile {
    const n = ++this.fileCounter;
    const f: StoredFile = {
      file_id: `FAKE${dir.slice(0, 3).toUpperCase()}${n}_${content.length.toString(36)}`,
      file_unique_id: `U${n}`,
      file_path: `${dir}/file_${n}${fileExt(fileName) || (dir === 'photos' ? '.jpg' : '')}`,
      content,
    };
    this.files.set(f.file_id, f);
    this.filesByPath.set(f.file_path, f);
    return f;
  }

  sendText(p: SendTextInput): Update {
    const msg = this.baseUserMessage(p);
    msg.text = p.text;
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(p.text);
    if (cmd) msg.entities = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    if (p.replyTo) {
      const bot = this.messages.get(msgKey(p.chatId, p.replyTo.message_id));
      msg.reply_to_message = {
        message_id: p.replyTo.message_id,
        from: bot ? this.botUser : this.userObj(p.userId, p.firstName),
        chat: this.chatObj(p.chatId),
        date: bot?.date ?? nowSec(),
        text: p.replyTo.text,
      };
    }
    this.rememberUserMessage(msg);
    return this.enqueue({ update_id: this.nextUpdate(), message: msg } as unknown as Update);
  }

  sendDocument(p: SendDocumentInput): Update {
    const msg = this.baseUserMessage(p);
    const f = this.storeFile(p.content, 'documents', p.fileName);
    msg.document = {
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_name: p.fileName,
      mime_type: p.mimeType ?? 'application/octet-stream',
      file_size: p.content.length,
    };
    if (p.caption !== undefined) msg.caption = p.caption;
    this.rememberUserMessage(msg);
    return this.enqueue({ update_id: this.nextUpdate(), message: msg } as unknown as Update);
  }

  sendPhoto(p: SendPhotoInput): Update {
    const msg = this.baseUserMessage(p);
    const sizes: Array<[number, number]> = [[90, 68], [320, 240], [1280, 960]];
    msg.photo = sizes.map(([width, height]) => {
      const f = this.storeFile(p.content, 'photos');
      return { file_id: f.file_id, file_unique_id: f.file_unique_id, width, height, file_size: p.content.length };
    });
    if (p.caption !== undefined) msg.caption = p.caption;
    this.rememberUserMessage(msg);
    return this.enqueue({ update_id: this.nextUpdate(), message: msg } as unknown as Update);
  }

  sendCallback(p: SendCallbackInput): Update {
    const stored = this.messages.get(msgKey(p.chatId, p.messageId));
    const message = stored ? this.toMessage(stored) : { message_id: p.messageId, chat: this.chatObj(p.chatId), date: 0 };
    const id = String(4_000_000_000_000_000 + ++this.callbackCounter);
    this.callbacks.set(id, { answered: false });
    return this.enqueue({
      update_id: this.nextUpdate(),
      callback_query: {
        id,
        from: this.userObj(p.userId),
        message,
        chat_instance: String(-7_000_000_000 - Math.abs(p.chatId)),
        data: p.data,
      },
    } as unknown as Update);
  }

  stopDraft(p: StopDraftInput): Update {
    const body: Record<string, unknown> = { chat: this.chatObj(p.chatId), draft_id: p.draftId };
    if (p.threadId !== undefined) body.message_thread_id = p.threadId;
    return this.enqueue({ update_id: this.nextUpdate(), stopped_message_generation: body } as unknown as Update);
  }

  pushUpdate(u: object): Update {
    const raw = u as Record<string, unknown>;
    const update = { ...raw, update_id: typeof raw.update_id === 'number' ? raw.update_id : this.nextUpdate() };
    if (update.update_id >= this.nextUpdateId) this.nextUpdateId = update.update_id + 1;
    for (const k of ['message', 'edited_message', 'channel_post', 'business_message']) {
      const m = raw[k];
      if (isObj(m)) this.rememberUserMessage(m);
    }
    const cq = raw.callback_query;
    if (isObj(cq) && typeof cq.id === 'string') this.callbacks.set(cq.id, { answered: false });
    return this.enqueue(update as unknown as Update);
  }

  // ---- bot messages -------------------------------------------------------------

  private toMessage(m: StoredMessage, withReply = true): Message {
    const out: Record<string, unknown> = {
      message_id: m.messageId,
      from: this.botUser,
      chat: this.chatObj(m.chatId),
      date: m.date,
    };
    if (m.threadId !== undefined) {
      out.message_thread_id = m.threadId;
      if (this.chatObj(m.chatId).is_forum) out.is_topic_message = true;
    }
    if (m.editDate !== undefined) out.edit_date = m.editDate;
    if (m.text !== undefined) out.text = m.text;
    if (m.entities) out.entities = m.entities;
    if (m.document) out.document = m.document;
    if (m.caption !== undefined) out.caption = m.caption;
    if (m.caption_entities) out.caption_entities = m.caption_entities;
    if (m.reply_markup) out.reply_markup = m.reply_markup;
    if (withReply && m.replyToMessageId !== undefined) {
      const key = msgKey(m.chatId, m.replyToMessageId);
      const bot = this.messages.get(key);
      const target = bot ? this.toMessage(bot, false) : this.userMessages.get(key);
      if (target) out.reply_to_message = target;
    }
    return out as unknown as Message;
  }

  private replyTarget(p: Params, chatId: number): number | undefined {
    const rp = p.reply_parameters;
    let id: number | undefined;
    let allowMissing = p.allow_sending_without_reply === true;
    if (isObj(rp)) {
      if (typeof rp.message_id === 'number') id = rp.message_id;
      if (rp.allow_sending_without_reply === true) allowMissing = true;
    } else if (typeof p.reply_to_message_id === 'number') {
      id = p.reply_to_message_id;
    }
    if (id === undefined) return undefined;
    const key = msgKey(chatId, id);
    if (this.messages.has(key) || this.userMessages.has(key)) return id;
    if (allowMissing) return undefined;
    throw bad('message to be replied not found');
  }

  private newBotMessage(chatId: number, p: Params, fields: Partial<StoredMessage>): StoredMessage {
    const threadId = optInt(p, 'message_thread_id');
    const stored: StoredMessage = {
      chatId,
      messageId: this.nextMessageId(chatId),
      date: nowSec(),
      edits: 0,
      history: [],
      ...fields,
    };
    if (threadId !== undefined) stored.threadId = threadId;
    if (typeof p.parse_mode === 'string') stored.parse_mode = p.parse_mode;
    this.messages.set(msgKey(chatId, stored.messageId), stored);
    return stored;
  }

  private findEditable(chatId: number, messageId: number): StoredMessage {
    const key = msgKey(chatId, messageId);
    const stored = this.messages.get(key);
    if (stored) return stored;
    if (this.userMessages.has(key)) throw bad("message can't be edited");
    throw bad('message to edit not found');
  }

  private commandKey(scope: unknown, lang: unknown): string {
    return `${canonical(scope ?? { type: 'default' })}|${typeof lang === 'string' ? lang : ''}`;
  }

  // ---- method handlers ------------------------------------------------------------

  private installHandlers(): void {
    const h = (name: string, fn: Handler): void => {
      this.handlers.set(lc(name), fn);
    };

    h('getMe', () => ({
      ...this.botUser,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }));

    h('getUpdates', (p, ctx) => this.getUpdates(p, ctx));

    h('setWebhook', (p) => {
      const url = typeof p.url === 'string' ? p.url : '';
      if (url !== '' && !validLink(url)) throw bad('invalid webhook URL specified');
      if (p.drop_pending_updates === true) this.queue = [];
      if (url !== '') this.abortPendingPoll(CONFLICT_WEBHOOK_SET);
      this.webhookUrl = url;
      return true;
    });
    h('deleteWebhook', (p) => {
      if (p.drop_pending_updates === true) this.queue = [];
      this.webhookUrl = '';
      return true;
    });
    h('getWebhookInfo', () => ({
      url: this.webhookUrl,
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
    }));

    h('sendMessage', (p) => {
      const chatId = chatIdOf(p);
      const text = requireText(p.text);
      const entities = validateEntities(p.entities, text, 'entities');
      const markup = validateMarkup(p.reply_markup);
      const replyTo = this.replyTarget(p, chatId);
      const fields: Partial<StoredMessage> = { text };
      if (entities) fields.entities = entities.slice(0, MAX_ENTITIES_KEPT);
      if (markup) fields.reply_markup = markup;
      if (replyTo !== undefined) fields.replyToMessageId = replyTo;
      return this.toMessage(this.newBotMessage(chatId, p, fields));
    });

    h('editMessageText', (p) => {
      if (p.inline_message_id !== undefined) throw bad('MESSAGE_ID_INVALID');
      const chatId = chatIdOf(p);
      const messageId = messageIdOf(p);
      const text = requireText(p.text);
      const entities = validateEntities(p.entities, text, 'entities')?.slice(0, MAX_ENTITIES_KEPT);
      const markup = validateMarkup(p.reply_markup);
      if (p.reply_markup !== undefined && markup === undefined && isObj(p.reply_markup) && !('inline_keyboard' in p.reply_markup)) {
        throw bad('inline keyboard expected');
      }
      const stored = this.findEditable(chatId, messageId);
      if (stored.text === undefined) throw bad('there is no text in the message to edit');
      if (
        stored.text === text &&
        canonicalEntities(stored.entities) === canonicalEntities(entities) &&
        canonicalMarkup(stored.reply_markup) === canonicalMarkup(markup)
      ) {
        throw bad(NOT_MODIFIED);
      }
      stored.history.push(this.version(stored));
      stored.text = text;
      if (entities) stored.entities = entities;
      else delete stored.entities;
      // As in Telegram: an edit without reply_markup removes the inline keyboard.
      if (markup) stored.reply_markup = markup;
      else delete stored.reply_markup;
      if (typeof p.parse_mode === 'string') stored.parse_mode = p.parse_mode;
      stored.edits += 1;
      stored.editDate = nowSec();
      return this.toMessage(stored);
    });

    h('editMessageReplyMarkup', (p) => {
      if (p.inline_message_id !== undefined) throw bad('MESSAGE_ID_INVALID');
      const chatId = chatIdOf(p);
      const messageId = messageIdOf(p);
      const markup = validateMarkup(p.reply_markup);
      if (p.reply_markup !== undefined && markup === undefined && isObj(p.reply_markup) && !('inline_keyboard' in p.reply_markup)) {
        throw bad('inline keyboard expected');
      }
      const stored = this.findEditable(chatId, messageId);
      if (canonicalMarkup(stored.reply_markup) === canonicalMarkup(markup)) throw bad(NOT_MODIFIED);
      stored.history.push(this.version(stored));
      if (markup) stored.reply_markup = markup;
      else delete stored.reply_markup;
      stored.edits += 1;
      stored.editDate = nowSec();
      return this.toMessage(stored);
    });

    h('deleteMessage', (p) => {
      const chatId = chatIdOf(p);
      const messageId = messageIdOf(p);
      const key = msgKey(chatId, messageId);
      const stored = this.messages.get(key);
      if (stored) {
        this.messages.delete(key);
        this.deletedMessages.push(stored);
        return true;
      }
      if (this.userMessages.delete(key)) return true;
      throw bad('message to delete not found');
    });

    h('sendMessageDraft', (p) => {
      const chatId = chatIdOf(p);
      if (chatId <= 0) throw bad('TEXTDRAFT_PEER_INVALID');
      const draftId = optInt(p, 'draft_id');
      if (draftId === undefined) throw bad('draft_id is empty');
      if (draftId === 0) throw bad('draft_id must be non-zero');
      const raw = p.text;
      const text = raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw : String(raw);
      if (text.length > MAX_TEXT) throw bad('message is too long');
      const entities = validateEntities(p.entities, text, 'entities');
      const draft: DraftCall = { chatId, draftId, text, at: Date.now() };
      if (entities) draft.entities = entities;
      const threadId = optInt(p, 'message_thread_id');
      if (threadId !== undefined) draft.threadId = threadId;
      if (typeof p.can_stop === 'boolean') draft.canStop = p.can_stop;
      if (typeof p.keep_on_stop === 'boolean') draft.keepOnStop = p.keep_on_stop;
      if (typeof p.parse_mode === 'string') draft.parse_mode = p.parse_mode;
      this.drafts.push(draft);
      return true;
    });

    h('sendChatAction', (p) => {
      chatIdOf(p);
      if (typeof p.action !== 'string' || !CHAT_ACTIONS.has(p.action)) throw bad('wrong parameter action in request');
      return true;
    });

    h('setMyCommands', (p) => {
      const cmds = p.commands;
      if (typeof cmds === 'string') throw bad("can't parse commands JSON object");
      if (!Array.isArray(cmds)) throw bad('parameter "commands" is required');
      if (cmds.length > 100) throw bad('BOT_COMMANDS_TOO_MUCH');
      const list: BotCommand[] = [];
      for (const c of cmds) {
        if (!isObj(c) || typeof c.command !== 'string' || typeof c.description !== 'string') {
          throw bad("can't parse BotCommand: command and description must be strings");
        }
        if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
        if (c.description.length < 1 || c.description.length > 256) throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
        list.push({ command: c.command, description: c.description });
      }
      this.commandSets.set(this.commandKey(p.scope, p.language_code), list);
      return true;
    });
    h('getMyCommands', (p) => this.commandSets.get(this.commandKey(p.scope, p.language_code)) ?? []);
    h('deleteMyCommands', (p) => {
      this.commandSets.delete(this.commandKey(p.scope, p.language_code));
      return true;
    });

    h('answerCallbackQuery', (p) => {
      const id = p.callback_query_id;
      if (typeof id !== 'string' || id === '') throw bad('callback_query_id is empty');
      if (typeof p.text === 'string' && p.text.length > 200) throw bad('message is too long');
      const cq = this.callbacks.get(id);
      if (!cq || cq.answered) throw bad('query is too old and response timeout expired or query ID is invalid');
      cq.answered = true;
      return true;
    });

    h('getFile', (p) => {
      const id = p.file_id;
      if (typeof id !== 'string' || id === '') throw bad('file_id is empty');
      const f = this.files.get(id);
      if (!f) throw bad('invalid file_id');
      if (f.content.length > MAX_DOWNLOAD) throw bad('file is too big');
      return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.content.length, file_path: f.file_path };
    });

    h('sendDocument', (p) => {
      const chatId = chatIdOf(p);
      const doc = p.document;
      let info: DocumentInfo;
      let content: Buffer | undefined;
      if (isUploaded(doc)) {
        if (doc.size === 0) throw bad('file must be non-empty');
        if (doc.size > MAX_UPLOAD) throw new ApiErr(413, 'Request Entity Too Large');
        const f = this.storeFile(doc.content, 'documents', doc.fileName);
        content = doc.content;
        info = {
          file_id: f.file_id,
          file_unique_id: f.file_unique_id,
          file_name: doc.fileName,
          mime_type: doc.mimeType,
          file_size: doc.size,
        };
      } else if (typeof doc === 'string' && doc !== '') {
        const known = this.files.get(doc);
        if (known) {
          content = known.content;
          info = { file_id: known.file_id, file_unique_id: known.file_unique_id, file_size: known.content.length };
        } else if (/^https?:\/\//.test(doc)) {
          const f = this.storeFile(Buffer.alloc(0), 'documents', doc);
          info = { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: 0 };
        } else {
          throw bad('wrong file identifier/HTTP URL specified');
        }
      } else {
        throw bad('there is no document in the request');
      }
      const fields: Partial<StoredMessage> = { document: info };
      if (content) fields.content = content;
      if (p.caption !== undefined) {
        const caption = String(p.caption);
        if (caption.length > MAX_CAPTION) throw bad('message caption is too long');
        const ents = validateEntities(p.caption_entities, caption, 'caption_entities');
        fields.caption = caption;
        if (ents) fields.caption_entities = ents.slice(0, MAX_ENTITIES_KEPT);
      } else if (p.caption_entities !== undefined) {
        validateEntities(p.caption_entities, '', 'caption_entities');
      }
      const markup = validateMarkup(p.reply_markup);
      if (markup) fields.reply_markup = markup;
      const replyTo = this.replyTarget(p, chatId);
      if (replyTo !== undefined) fields.replyToMessageId = replyTo;
      return this.toMessage(this.newBotMessage(chatId, p, fields));
    });
  }

  private version(m: StoredMessage): MessageVersion {
    const v: MessageVersion = { at: Date.now() };
    if (m.text !== undefined) v.text = m.text;
    if (m.entities) v.entities = m.entities;
    if (m.reply_markup) v.reply_markup = m.reply_markup;
    return v;
  }

  // ---- shutdown -------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pendingPoll) this.answerPendingPoll();
    for (const item of this.held) {
      clearTimeout(item.timer);
      this.abandon(item.ctx, 'fake closed');
    }
    this.held.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Let the responses written above reach the socket before tearing connections down.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closing;
  }
}

function retryFor(ts: number[], now: number, windowMs: number, max: number): number | undefined {
  if (!Number.isFinite(max)) return undefined;
  const inWindow = ts.filter((t) => t > now - windowMs);
  if (inWindow.length < max) return undefined;
  if (max <= 0) return Math.ceil(windowMs / 1000);
  const freeAt = inWindow[inWindow.length - max]! + windowMs;
  return Math.max(1, Math.ceil((freeAt - now) / 1000));
}

/** Starts a fake Bot API on 127.0.0.1 with an ephemeral port. Call `close()` when done. */
export async function startFakeBotApi(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const fake = new FakeBotApiServer(opts);
  await fake.listen();
  return fake;
}
