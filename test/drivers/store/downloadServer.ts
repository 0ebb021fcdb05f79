// A local file server and a stand-in for TelegramApi, enough for download(): getFile, fileUrl,
// redact. The download driver is then exercised on the real file system.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelegramApi } from '../../../src/drivers/telegram.ts';

export async function fileServer(bytes: number): Promise<{ api: TelegramApi; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.alloc(bytes, 7));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file`;
  const api = {
    getFile: async () => ({ file_id: 'f', file_unique_id: 'u', file_path: 'documents/x' }),
    fileUrl: () => url,
    redact: (t: string) => t,
  } as unknown as TelegramApi;
  const close = () =>
    new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections(); // a download stopped mid-body leaves its connection busy
    });
  return { api, close };
}
