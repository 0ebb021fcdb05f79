// A fake OpenAI-compatible speech-to-text server on 127.0.0.1: POST /v1/audio/transcriptions with
// a multipart body. It records what it received (file name, type and bytes, model, bearer key) and
// answers what the test scripted: a transcript, an HTTP error, garbage, or silence (for timeouts).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SttRequest {
  path: string;
  authorization?: string;
  contentType: string;
  fields: Record<string, string>;
  file?: { name: string; type: string; bytes: Buffer };
}

export type SttReply = { text: string } | { status: number; body: string } | { hang: true };

export interface FakeStt {
  /** Base URL for STT_URL (…/v1). */
  url: string;
  requests: SttRequest[];
  /** What the next requests get (default: a transcript "hello from a voice note"). */
  replies: SttReply[];
  close(): Promise<void>;
}

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startFakeStt(): Promise<FakeStt> {
  const requests: SttRequest[] = [];
  const replies: SttReply[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      const contentType = req.headers['content-type'] ?? '';
      const raw = await body(req);
      const rec: SttRequest = { path: req.url ?? '', authorization: req.headers.authorization, contentType, fields: {} };
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
        for (const [k, v] of form) {
          if (typeof v === 'string') rec.fields[k] = v;
          else rec.file = { name: v.name, type: v.type, bytes: Buffer.from(await v.arrayBuffer()) };
        }
      }
      requests.push(rec);
      const reply = replies.shift() ?? { text: 'hello from a voice note' };
      if ('hang' in reply) return; // never answers: the bot's timeout must fire
      if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
        res.writeHead(404).end('not found');
        return;
      }
      if ('status' in reply) res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: reply.text }));
    })();
  });
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    replies,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
