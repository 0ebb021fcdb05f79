// Temp names are unique across processes and crashes; the start-up sweep removes only ours.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepTemps, tempNameFor } from '../../../src/drivers/store/index.ts';

describe('store: temp names and the start-up sweep', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'store-sweep-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tempNameFor: hidden, in the directory, with pid and random part; never the same twice', () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempNameFor(dir, 'a.pdf')));
    expect(names.size).to.equal(1000);
    const one = [...names][0]!;
    expect(one.startsWith(join(dir, `.a.pdf.${process.pid}-`))).to.equal(true);
    expect(one).to.match(/-[0-9a-f]{8}\.part$/);
    expect(tempNameFor(dir, 'x.json', 'tmp')).to.match(/\.tmp$/);
  });

  it('removes our leftovers and the old shapes in SESSIONS_DIR and session directories, nothing else', () => {
    const files = {
      removed: [
        `.journal.json.123-abcdef01.tmp`,
        `chats.json.4567.1700000000000.tmp`,
        join('chat1', 'default', '.photo-3.jpg.part'),
        join('chat1', 'default', '.claude-telegram-session.json.9.1700000000000.tmp'),
        join('chat-100_7', 's2', '.a.pdf.55-0123abcd.part'),
      ],
      kept: [
        join('chat1', 'default', 'notes.tmp'),
        join('chat1', 'default', 'data.part'),
        join('chat1', 'default', 'src', '.y.part'),
        'journal.json.corrupt-2025-01-01T000000.000Z',
        join('other', '.z.part'),
        'journal.json',
      ],
    };
    for (const f of [...files.removed, ...files.kept]) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    expect(sweepTemps(dir).sort()).to.deep.equal([...files.removed].sort());
    for (const f of files.kept) expect(existsSync(join(dir, f)), f).to.equal(true);
    expect(sweepTemps(dir)).to.deep.equal([]);
  });

  it('a missing SESSIONS_DIR sweeps nothing and does not throw', () => {
    expect(sweepTemps(join(dir, 'nope'))).to.deep.equal([]);
  });
});
