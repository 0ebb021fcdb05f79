// A Readable's lines as an Observable. A StringDecoder keeps a UTF-8 character split across chunks
// intact; no maximum length, so lines of many MiB pass (PROTOCOL.md §2). Each chunk is searched
// for newlines once and the pieces of a long line are joined once at its end: linear in the
// bytes, so a 10 MB answer line costs milliseconds (split2 re-split its whole buffer per chunk,
// which froze the bot for seconds).
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Observable } from 'rxjs';

export function lines$(stream: Readable): Observable<string> {
  return new Observable<string>((subscriber) => {
    const decoder = new StringDecoder('utf8');
    let pending: string[] = [];
    const emit = (line: string) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (trimmed.length > 0) subscriber.next(trimmed);
    };
    const take = (text: string) => {
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const piece = text.slice(start, nl);
        const line = pending.length ? (pending.push(piece), pending.join('')) : piece;
        pending = [];
        emit(line);
        if (subscriber.closed) return;
        start = nl + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
    };
    const onData = (chunk: Buffer | string) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const onEnd = () => {
      take(decoder.end());
      if (pending.length) emit(pending.join(''));
      pending = [];
      subscriber.complete();
    };
    const onError = (err: Error) => subscriber.error(err);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    return () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
  });
}
