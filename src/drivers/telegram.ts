// Every effect that touches Telegram: long polling as an Observable, method calls for the outbox,
// file downloads into a session directory. The token never appears in logs or errors.
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Api, InputFile, isTransientError, TelegramApiError, type Update } from 'node-telegram-bot-api';
import { defer, from, Observable } from 'rxjs';
import type { ApiCall, DownloadRequest, DownloadResult } from '../domain/telegram.ts';
import { toWellFormed } from '../domain/render/entities.ts';
import { isSystemError, tempNameFor, userText } from './store/index.ts';

export const ALLOWED_UPDATES = ['message', 'callback_query', 'stopped_message_generation'];

/** ntba's Api with its generic request method opened up for the outbox. */
export class TelegramApi extends Api {
  readonly apiRoot: string;
  private readonly secretToken: string;
  constructor(token: string, apiRoot: string) {
    // The outbox owns retries and 429 handling, so the library does none.
    super(token, { apiRoot, maxRetries: 0, timeoutMs: 60_000 });
    this.apiRoot = apiRoot;
    this.secretToken = token;
  }

  call(call: ApiCall): Observable<unknown> {
    return defer(async () => {
      if (!call.upload) return this.request<unknown>(call.method, withUploads(call));
      const { field, path, fileName } = call.upload;
      // Read when it goes out: a file deleted since the tool call is a local error, never retried.
      const blob = await openAsBlob(path).catch((err: NodeJS.ErrnoException) => {
        throw { code: -1, description: `the file could not be read (${err.code ?? err.message})` };
      });
      return this.request<unknown>(call.method, { ...call.params, [field]: new InputFile(blob, { filename: fileName }) });
    });
  }

  fileUrl(filePath: string): string {
    return `${this.apiRoot}/file/bot${this.secretToken}/${filePath}`;
  }

  /** Removes the token from any text (error messages may carry URLs). */
  redact(text: string): string {
    return text.split(this.secretToken).join('<token>');
  }
}

/** A document the outbox describes as plain data ({ fileName, content }) becomes a multipart upload. */
export function withUploads(call: ApiCall): Record<string, unknown> {
  const doc = call.params['document'] as { fileName?: unknown; content?: unknown } | undefined;
  if (call.method !== 'sendDocument' || typeof doc?.content !== 'string') return call.params;
  const name = typeof doc.fileName === 'string' ? doc.fileName : 'answer.md';
  return { ...call.params, document: new InputFile(new TextEncoder().encode(doc.content), { filename: name, contentType: 'text/markdown' }) };
}

export class FatalTelegramError extends Error {}

/**
 * Updates from getUpdates long polling. 409 (another instance) and 401 end it with a clear error.
 * `offset` resumes after the last update a previous run took in.
 *
 * Asking for the next batch confirms the last one to Telegram, which then never sends it again. So
 * the next getUpdates waits until the app has taken in (journaled) every update of the batch, as
 * `takenIn` tells, at most `maxWaitMs` (a long download must not stop the bot from polling):
 * a bot killed before journaling finds the updates again after its restart.
 */
export function updates$(
  api: TelegramApi,
  log: (m: string) => void,
  offset?: number,
  takenIn: (ids: number[]) => Promise<void> = async () => {},
  maxWaitMs = 15_000,
): Observable<Update> {
  return new Observable<Update>((subscriber) => {
    const abort = new AbortController();
    const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    (async () => {
      let next = offset;
      try {
        while (!abort.signal.aborted) {
          let batch: Update[];
          try {
            batch = await api.getUpdates({ offset: next, timeout: 25, allowed_updates: ALLOWED_UPDATES as never }, abort.signal);
          } catch (err) {
            if (abort.signal.aborted) break;
            if (!isTransientError(err)) throw err;
            log(`polling: ${api.redact(String(err))}; retrying`);
            const retryAfter = err instanceof TelegramApiError ? err.retryAfter : undefined;
            await pause(retryAfter !== undefined ? retryAfter * 1000 : 1000);
            continue;
          }
          for (const u of batch) {
            if (abort.signal.aborted) break;
            subscriber.next(u);
          }
          if (!batch.length) continue;
          await Promise.race([takenIn(batch.map((u) => u.update_id)), pause(maxWaitMs)]);
          next = batch[batch.length - 1]!.update_id + 1;
        }
        subscriber.complete();
      } catch (err) {
        if (abort.signal.aborted) return subscriber.complete();
        if (err instanceof TelegramApiError && err.errorCode === 409) {
          subscriber.error(new FatalTelegramError('Telegram says another instance is already polling this bot token (409 Conflict). Stop the other instance (or remove its webhook), then start this one again.'));
        } else if (err instanceof TelegramApiError && (err.errorCode === 401 || err.errorCode === 404)) {
          subscriber.error(new FatalTelegramError(`Telegram rejected the bot token (${err.errorCode} ${err.description}). Check TELEGRAM_BOT_TOKEN (from @BotFather).`));
        } else subscriber.error(new FatalTelegramError(`Polling Telegram failed: ${api.redact(String(err))}`));
      }
    })();
    return () => abort.abort();
  });
}

/** A file name that is safe in a directory: no path parts, no control or odd characters. */
export function sanitizeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'))
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  const safe = toWellFormed(base.length ? base : 'file');
  // Room for ".part" and "-N" within the usual 255-byte limit; cut on whole characters.
  const MAX_BYTES = 180;
  if (Buffer.byteLength(safe) <= MAX_BYTES) return safe;
  const ext = extname(safe).slice(0, 12);
  let stem = '';
  for (const ch of safe.slice(0, safe.length - ext.length)) {
    if (Buffer.byteLength(stem + ch + ext) > MAX_BYTES) break;
    stem += ch;
  }
  return stem + ext;
}

async function freeName(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? name : `${stem}-${i}${ext}`;
    try {
      await stat(join(dir, candidate));
    } catch {
      return candidate;
    }
  }
}

/** What a user may read about a failed download: fs errors by their code, never a server path. */
function downloadError(err: unknown, redact: (s: string) => string, dir: string): string {
  if (err instanceof TelegramApiError) return redact(err.description);
  if (isSystemError(err)) return `${userText((err as { code: string }).code)}.`;
  return redact(err instanceof Error ? err.message : String(err)).split(dir).join('<session directory>');
}

/**
 * getFile, then the file URL under the API root, streamed into `dir` under a fresh sanitized
 * name, through a unique temp name (a crash leaves it for sweepTemps, and never blocks a retry).
 */
export function download(api: TelegramApi, maxBytes: number) {
  return (file: DownloadRequest, dir: string): Observable<DownloadResult> =>
    from(
      (async (): Promise<DownloadResult> => {
        let tmp: string | undefined;
        try {
          const info = await api.getFile({ file_id: file.fileId });
          if (!info.file_path) return { ok: false, message: 'Telegram did not give a download path for this file.' };
          if (info.file_size !== undefined && info.file_size > maxBytes) return { ok: false, message: `the file is larger than ${Math.round(maxBytes / 1048576)} MB.` };
          const res = await fetch(api.fileUrl(info.file_path));
          if (!res.ok || !res.body) return { ok: false, message: `download failed with HTTP ${res.status}.` };
          await mkdir(dir, { recursive: true });
          const name = await freeName(dir, sanitizeFileName(file.name));
          tmp = tempNameFor(dir, name);
          let bytes = 0;
          const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
          body.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > maxBytes) body.destroy(new Error(`the file is larger than ${Math.round(maxBytes / 1048576)} MB`));
          });
          await pipeline(body, createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
          await rename(tmp, join(dir, name));
          return { ok: true, name, bytes };
        } catch (err) {
          if (tmp) await rm(tmp, { force: true }).catch(() => {});
          return { ok: false, message: downloadError(err, (t) => api.redact(t), dir) };
        }
      })(),
    );
}
