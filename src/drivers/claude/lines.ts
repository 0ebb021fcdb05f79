// A Readable's lines as an Observable. split2 decodes UTF-8 with a StringDecoder, so a character
// split across chunks stays intact; no maxLength, so lines of many MiB pass (PROTOCOL.md §2).
import type { Readable } from 'node:stream';
import split2 from 'split2';
import { Observable } from 'rxjs';

export function lines$(stream: Readable): Observable<string> {
  return new Observable<string>((subscriber) => {
    const splitter = split2();
    const onData = (line: string) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (trimmed.length > 0) subscriber.next(trimmed);
    };
    const onEnd = () => subscriber.complete();
    const onError = (err: Error) => subscriber.error(err);
    splitter.on('data', onData);
    splitter.on('end', onEnd);
    splitter.on('error', onError);
    stream.on('error', onError);
    stream.pipe(splitter);
    return () => {
      stream.unpipe(splitter);
      splitter.off('data', onData);
      splitter.off('end', onEnd);
      splitter.off('error', onError);
      stream.off('error', onError);
    };
  });
}
