// The local I/O driver: carries out the app's io requests (look at a path, read a file as base64,
// git state and diff, speech to text) and answers each with its id. Transcriptions run one at a
// time, in order; everything else runs at once.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { concatMap, connect, defer, filter, merge, mergeMap, type Observable } from 'rxjs';
import type { IoRequest, IoResult } from '../../domain/io.ts';
import { gitDiff, gitState } from './git.ts';
import { look } from './look.ts';
import type { Transcribe } from './stt.ts';

export interface IoDriverOptions {
  /** Undefined: no transcriber configured (the app says how to set one up). */
  transcribe?: Transcribe;
}

export function ioDriver(o: IoDriverOptions) {
  return (req$: Observable<IoRequest>): Observable<IoResult> =>
    req$.pipe(
      connect((all$) =>
        merge(
          all$.pipe(filter((r) => r.kind !== 'transcribe'), mergeMap((r) => defer(() => carry(r, o)))),
          all$.pipe(filter((r) => r.kind === 'transcribe'), concatMap((r) => defer(() => carry(r, o)))),
        ),
      ),
    );
}

async function carry(r: IoRequest, o: IoDriverOptions): Promise<IoResult> {
  switch (r.kind) {
    case 'look':
      return { kind: 'look', id: r.id, result: await look(r.path, r.base, r.roots) };
    case 'read64':
      try {
        const buf = await readFile(r.path);
        return { kind: 'read64', id: r.id, ok: true, data: buf.toString('base64'), bytes: buf.length };
      } catch (err) {
        return { kind: 'read64', id: r.id, ok: false, message: `could not read it (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
      }
    case 'gitState':
      return { kind: 'gitState', id: r.id, state: await gitState(r.dir).catch(() => undefined) };
    case 'gitDiff': {
      const diff = await gitDiff(r.dir).catch(() => undefined);
      if (diff === undefined) return { kind: 'gitDiff', id: r.id, ok: false, message: 'this session is not in a git work tree' };
      if (diff.length <= r.inlineMax) return { kind: 'gitDiff', id: r.id, ok: true, diff };
      try {
        await mkdir(dirname(r.file), { recursive: true });
        await writeFile(r.file, diff);
        return { kind: 'gitDiff', id: r.id, ok: true, file: { path: r.file, bytes: Buffer.byteLength(diff) } };
      } catch (err) {
        return { kind: 'gitDiff', id: r.id, ok: false, message: `the diff could not be written (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
      }
    }
    case 'transcribe':
      if (!o.transcribe) return { kind: 'transcribe', id: r.id, ok: false, message: 'no transcriber is configured' };
      try {
        return { kind: 'transcribe', id: r.id, ...(await o.transcribe(r.path)) };
      } catch (err) {
        return { kind: 'transcribe', id: r.id, ok: false, message: `transcription failed: ${err instanceof Error ? err.message : String(err)}` };
      }
  }
}
