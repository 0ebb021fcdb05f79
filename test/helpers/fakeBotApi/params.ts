// The wire format the bot uses: node-telegram-bot-api sends urlencoded bodies, with structured
// fields JSON-encoded, and multipart/form-data when it uploads a file (sendDocument). Decoding
// mirrors what the real server accepts.
import type { IncomingMessage } from 'node:http';
import { ApiErr, bad } from './apiError.ts';
import type { Params } from './exchange.ts';

export const MAX_TEXT = 4096;
/** Telegram takes uploads of up to 50 MB. */
const MAX_BODY = 50 * 1024 * 1024;

/** A file part of a multipart body. */
export interface UploadedFile {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

const INT_FIELDS = new Set(['chat_id', 'message_id', 'message_thread_id', 'draft_id', 'offset', 'limit', 'timeout', 'cache_time']);
const BOOL_FIELDS = new Set(['can_stop', 'disable_notification', 'protect_content', 'show_alert']);
const JSON_FIELDS = new Set(['entities', 'reply_markup', 'allowed_updates', 'commands', 'scope', 'reply_parameters']);

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** Query string and urlencoded body, decoded: JSON fields parsed, integers and booleans typed. */
export async function readParams(req: IncomingMessage, query: URLSearchParams): Promise<Params> {
  const body = await readBody(req);
  const raw = new URLSearchParams(query);
  const files: Record<string, UploadedFile> = {};
  if (body.length > 0) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'multipart/form-data') {
      const form = await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
      for (const [k, v] of form) {
        if (typeof v === 'string') raw.set(k, v);
        else files[k] = { fileName: v.name, mimeType: v.type, content: Buffer.from(await v.arrayBuffer()) };
      }
    } else if (type !== 'application/x-www-form-urlencoded') {
      throw bad(`fakeBotApi decodes only urlencoded bodies (what the bot sends), got content-type ${JSON.stringify(type)}`);
    } else for (const [k, v] of new URLSearchParams(body.toString('utf8'))) raw.set(k, v);
  }
  const out: Params = {};
  for (const [k, v] of raw) {
    if (JSON_FIELDS.has(k)) {
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
  return { ...out, ...files };
}

export function optInt(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw bad(`wrong parameter ${name} specified`);
}

export function chatIdOf(p: Params): number {
  const v = p.chat_id;
  if (v === undefined || v === '') throw bad('chat_id is empty');
  if (typeof v === 'number' && Number.isInteger(v) && v !== 0) return v;
  // "@username" and anything else: the fake only knows numeric chats.
  throw bad('chat not found');
}

export function messageIdOf(p: Params): number {
  const v = optInt(p, 'message_id');
  if (v === undefined || v <= 0) throw bad('message identifier is not specified');
  return v;
}

export function requireText(v: unknown): string {
  if (v === undefined || v === null) throw bad('message text is empty');
  const text = typeof v === 'string' ? v : String(v);
  if (text.trim() === '') throw bad('message text is empty');
  if (text.length > MAX_TEXT) throw bad('message is too long');
  return text;
}
