// lines$: a Readable's lines, linear in the bytes (a 10 MB answer line must not freeze the bot).
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { lines$ } from '../../../src/drivers/claude/lines.ts';

async function linesOf(chunks: Array<Buffer | string>): Promise<string[]> {
  const s = new PassThrough();
  const all = lastValueFrom(lines$(s).pipe(toArray()));
  for (const c of chunks) s.write(c);
  s.end();
  return all;
}

describe('lines$', () => {
  it('splits on LF and CRLF, skips empty lines, keeps a last line without newline', async () => {
    expect(await linesOf(['a\r\nb', '\n\nc\n', 'd'])).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('keeps a UTF-8 character split across chunks intact', async () => {
    const bytes = Buffer.from('héllo 😀\n');
    expect(await linesOf([bytes.subarray(0, 2), bytes.subarray(2, 8), bytes.subarray(8)])).to.deep.equal(['héllo 😀']);
  });

  it('passes a 20 MB line in 64 KiB chunks in well under a second (linear, not quadratic)', async () => {
    const line = Buffer.alloc(20 * 1024 * 1024, 'x');
    const chunks: Buffer[] = [];
    for (let i = 0; i < line.length; i += 65536) chunks.push(line.subarray(i, i + 65536));
    chunks.push(Buffer.from('\nnext\n'));
    const started = performance.now();
    const got = await linesOf(chunks);
    const took = performance.now() - started;
    expect(got.map((l) => l.length)).to.deep.equal([line.length, 4]);
    expect(took).to.be.below(1500);
  });
});
