// Files users send: stored when injected, looked up with getFile, downloaded from
// /file/bot<token>/<path> (the 20 MB getFile limit is Telegram's).
import type { ServerResponse } from 'node:http';
import { bad, errorBody } from './apiError.ts';
import type { Handlers, Recorder } from './exchange.ts';
import type { FileDownload } from './types.ts';

const MAX_DOWNLOAD = 20 * 1024 * 1024;

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  content: Buffer;
}

function fileExt(name: string): string {
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(name);
  return m ? m[0] : '';
}

export class Files {
  readonly downloads: FileDownload[] = [];
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private counter = 0;

  constructor(private readonly rec: Recorder) {}

  store(content: Buffer, fileName: string): StoredFile {
    const n = ++this.counter;
    const f: StoredFile = {
      file_id: `FAKEDOC${n}_${content.length.toString(36)}`,
      file_unique_id: `U${n}`,
      file_path: `documents/file_${n}${fileExt(fileName)}`,
      content,
    };
    this.byId.set(f.file_id, f);
    this.byPath.set(f.file_path, f);
    return f;
  }

  handlers(): Handlers {
    return {
      getFile: (p) => {
        const id = p.file_id;
        if (typeof id !== 'string' || id === '') throw bad('file_id is empty');
        const f = this.byId.get(id);
        if (!f) throw bad('invalid file_id');
        if (f.content.length > MAX_DOWNLOAD) throw bad('file is too big');
        return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.content.length, file_path: f.file_path };
      },
    };
  }

  /** Serves a download; a wrong token is a 404, as in Telegram. */
  serve(res: ServerResponse, tokenOk: boolean, path: string): void {
    const f = tokenOk ? this.byPath.get(path) : undefined;
    this.downloads.push({ path, at: Date.now(), status: f ? 200 : 404 });
    if (!f) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(404, 'Not Found')));
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.content.length) });
      res.end(f.content);
    }
    this.rec.notify();
  }
}
