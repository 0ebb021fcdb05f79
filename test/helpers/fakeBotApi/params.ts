// The wire format the bot uses: node-telegram-bot-api sends urlencoded bodies, with structured
// fields JSON-encoded, and multipart/form-data for uploads (sendPhoto, sendDocument). Decoding
// mirrors what the real server accepts; an uploaded file becomes an UploadedFile with its bytes.
import type { IncomingMessage } from 'node:http';
import { ApiErr, bad } from './apiError.ts';
import type { Params } from './exchange.ts';

export const MAX_TEXT = 4096;
const MAX_BODY = 1024 * 1024;
/** Telegram's upload limit for bots (sendDocument), plus room for the multipart framing. */
const MAX_MULTIPART = 50 * 1024 * 1024 + 64 * 1024;

/** A file part of a multipart request, as received. */
export interface UploadedFile {
  upload: true;
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

export const isUpload = (v: unknown): v is UploadedFile => isObj(v) && v.upload === true && Buffer.isBuffer(v.bytes);

const INT_FIELDS = new Set(['chat_id', 'message_id', 'message_thread_id', 'draft_id', 'offset', 'limit', 'timeout', 'cache_time']);
const BOOL_FIELDS = new Set(['can_stop', 'disable_notification', 'protect_content', 'show_alert']);
const JSON_FIELDS = new Set(['entities', 'reply_markup', 'allowed_updates', 'commands', 'scope', 'reply_parameters']);

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
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
  const contentType = req.headers['content-type'] ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const body = await readBody(req, type === 'multipart/form-data' ? MAX_MULTIPART : MAX_BODY);
  const raw = new URLSearchParams(query);
  const out: Params = {};
  if (body.length > 0 && type === 'multipart/form-data') {
    // The web Response parses multipart exactly as a server would (boundary, part headers).
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData().catch((e: unknown) => {
      throw bad(`can't parse multipart body: ${String(e)}`);
    });
    for (const [k, v] of form) {
      if (typeof v === 'string') raw.set(k, v);
      else out[k] = { upload: true, fileName: v.name, contentType: v.type, bytes: Buffer.from(await v.arrayBuffer()) } satisfies UploadedFile;
    }
  } else if (body.length > 0) {
    if (type !== 'application/x-www-form-urlencoded') {
      throw bad(`fakeBotApi decodes urlencoded and multipart bodies (what the bot sends), got content-type ${JSON.stringify(type)}`);
    }
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) raw.set(k, v);
  }
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
  return out;
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
