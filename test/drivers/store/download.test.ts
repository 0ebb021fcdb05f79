// Downloads go through unique temp names (a crash's leftover never blocks a retry) and their
// errors never show server paths.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { download } from '../../../src/drivers/telegram.ts';
import { fileServer } from './downloadServer.ts';

describe('store: downloads into a session directory', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof fileServer>>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-dl-'));
    server = await fileServer(3000);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a .part left by a crash (old name shape) does not make the next upload fail', async () => {
    writeFileSync(join(dir, '.report.pdf.part'), 'half');
    const r = await firstValueFrom(download(server.api, 1 << 20)({ fileId: 'f', name: 'report.pdf' }, dir));
    expect(r).to.deep.equal({ ok: true, name: 'report.pdf', bytes: 3000 });
    expect(readFileSync(join(dir, 'report.pdf')).length).to.equal(3000);
    expect(readdirSync(dir).sort()).to.deep.equal(['.report.pdf.part', 'report.pdf']);
  });

  it('a directory that cannot be created: a message without the server path', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    const target = join(dir, 'file', 'chat1', 'default');
    const r = await firstValueFrom(download(server.api, 1 << 20)({ fileId: 'f', name: 'a.txt' }, target));
    expect(r).to.deep.equal({ ok: false, message: 'a path component is not a directory.' });
  });

  it('too large while streaming: the size message, and no temp file left', async () => {
    const big = await fileServer(3 << 19);
    try {
      const r = await firstValueFrom(download(big.api, 1 << 20)({ fileId: 'f', name: 'big.bin' }, dir));
      expect(r).to.deep.equal({ ok: false, message: 'the file is larger than 1 MB' });
      expect(readdirSync(dir)).to.deep.equal([]);
    } finally {
      await big.close();
    }
  });
});
