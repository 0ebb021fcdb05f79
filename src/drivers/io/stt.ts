// Speech to text through an OpenAI-compatible endpoint (OpenAI, Groq, local whisper servers):
// POST <url>/audio/transcriptions, multipart `file` + `model`, bearer key, JSON {text} back.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';

export type Transcribe = (path: string) => Promise<{ ok: true; text: string } | { ok: false; message: string }>;

export interface RemoteStt {
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

const MIME: Record<string, string> = { '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.mp3': 'audio/mpeg', '.m4a': 'audio/mp4', '.mp4': 'video/mp4', '.wav': 'audio/wav', '.webm': 'audio/webm' };

export function remoteStt(o: RemoteStt): Transcribe {
  const endpoint = `${o.url.replace(/\/+$/, '')}/audio/transcriptions`;
  return async (path) => {
    const form = new FormData();
    form.append('file', new Blob([await readFile(path)], { type: MIME[extname(path).toLowerCase()] ?? 'application/octet-stream' }), basename(path));
    form.append('model', o.model);
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers: o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}, body: form, signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError') return { ok: false, message: `the transcriber did not answer within ${Math.round(o.timeoutMs / 1000)} s` };
      return { ok: false, message: `the transcriber could not be reached (${(e.cause as Error | undefined)?.message ?? e.message})` };
    }
    const body = await res.text().catch(() => '');
    if (!res.ok) return { ok: false, message: `the transcriber answered HTTP ${res.status}${body ? `: ${oneLine(body)}` : ''}` };
    let text: unknown;
    try {
      text = (JSON.parse(body) as { text?: unknown }).text;
    } catch {
      return { ok: false, message: `the transcriber's answer was not JSON: ${oneLine(body)}` };
    }
    if (typeof text !== 'string') return { ok: false, message: `the transcriber's answer had no "text": ${oneLine(body)}` };
    return { ok: true, text: text.trim() };
  };
}

const oneLine = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
};
