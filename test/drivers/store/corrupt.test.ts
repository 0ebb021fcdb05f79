// Corrupt state is visible and contained: a file that fails to parse or validate is moved aside
// (`<name>.corrupt-<time>`) and logged; collections keep their valid entries one by one.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openState, SESSION_FILE } from '../../../src/drivers/store/index.ts';

const entry = (id: string) => ({ id, sessionKey: '1/default', prompt: `p ${id}`, meta: { replyTo: 1 }, at: 1 });
const asideOf = (dir: string, name: string) => readdirSync(dir).filter((n) => n.startsWith(`${name}.corrupt-`));

describe('store: corrupt state files', () => {
  let dir: string;
  let logs: string[];
  const open = () => openState(dir, { log: (m) => logs.push(m) });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-corrupt-'));
    logs = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const BAD = { truncated: '[{"id":"1:1","sessionKey":"1/de', garbage: '\u0000\u0001 not json at all', empty: '' };

  for (const [file, key] of [
    ['journal.json', 'journal'],
    ['chats.json', 'chats'],
    ['telegram-offset.json', 'offset'],
  ] as const) {
    for (const [kind, text] of Object.entries(BAD)) {
      it(`${file} ${kind}: moved aside with its bytes, logged, empty state`, () => {
        writeFileSync(join(dir, file), text);
        const s = open();
        const value = key === 'journal' ? s.journal.list() : key === 'chats' ? s.chats.value : s.offset.get();
        expect(value).to.deep.equal(key === 'journal' ? [] : key === 'chats' ? {} : undefined);
        const aside = asideOf(dir, file);
        expect(aside).to.have.length(1);
        expect(aside[0]).to.match(/\.corrupt-\d{4}-\d\d-\d\dT\d{6}\.\d{3}Z$/);
        expect(readFileSync(join(dir, aside[0]!), 'utf8')).to.equal(text);
        expect(logs.join('\n')).to.include(file).and.include('not valid JSON');
      });
    }
  }

  it('the wrong top-level shape is moved aside for each file', () => {
    writeFileSync(join(dir, 'journal.json'), '{"id":"x"}');
    writeFileSync(join(dir, 'chats.json'), '[1,2]');
    writeFileSync(join(dir, 'telegram-offset.json'), '{"offset":"12"}');
    const s = open();
    expect(s.journal.list()).to.deep.equal([]);
    expect(s.chats.value).to.deep.equal({});
    expect(s.offset.get()).to.equal(undefined);
    for (const f of ['journal.json', 'chats.json', 'telegram-offset.json']) expect(asideOf(dir, f), f).to.have.length(1);
    expect(logs.join('\n')).to.include('offset: Invalid input: expected number');
  });

  it('journal: an entry with a wrong type is dropped alone, logged; the others are kept and written back', () => {
    const bad = { ...entry('1:2'), at: 'yesterday' };
    writeFileSync(join(dir, 'journal.json'), JSON.stringify([entry('1:1'), bad, entry('1:3')]));
    const s = open();
    expect(s.journal.list().map((e) => e.id)).to.deep.equal(['1:1', '1:3']);
    expect(logs.join('\n')).to.match(/journal\.json: dropped entry 1 id 1:2 \(at: Invalid input: expected number/);
    expect(logs.join('\n')).to.not.include('p 1:2'); // a user's prompt stays out of the log
    expect(asideOf(dir, 'journal.json')).to.have.length(1);
    // the cleaned journal is on disk again at once, so a crash now still has both
    expect(JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')).map((e: { id: string }) => e.id)).to.deep.equal(['1:1', '1:3']);
    expect(s.store.healthy).to.equal(true);
  });

  it('chats: a bad chat and a bad session are dropped alone; a bad active is repaired', () => {
    const meta = { persona: 'default', createdAt: '2025-01-01T00:00:00.000Z' };
    writeFileSync(
      join(dir, 'chats.json'),
      JSON.stringify({
        '1': { active: 'a', sessions: { a: meta, b: { persona: 7 }, c: { ...meta, lastActivity: 5 } } },
        '2': 'nonsense',
        '3': { active: 42, sessions: { x: meta } },
        '4': { active: 'default', sessions: { default: meta } },
      }),
    );
    const s = open();
    expect(s.chats.value).to.deep.equal({
      '1': { active: 'a', sessions: { a: meta, c: { ...meta, lastActivity: 5 } } },
      '3': { active: 'x', sessions: { x: meta } },
      '4': { active: 'default', sessions: { default: meta } },
    });
    const text = logs.join('\n');
    expect(text).to.include('chat 1: dropped session b');
    expect(text).to.include('dropped key 2 (not an object)');
    expect(text).to.include('chat 3: active session was 42; made "x" active');
    expect(asideOf(dir, 'chats.json')).to.have.length(1);
    expect(JSON.parse(readFileSync(join(dir, 'chats.json'), 'utf8'))).to.deep.equal(s.chats.value);
  });

  it('chats: a bad session inside an otherwise good chat still moves the file aside', () => {
    writeFileSync(join(dir, 'chats.json'), JSON.stringify({ '1': { active: 'a', sessions: { a: { persona: 'p', createdAt: 'c' }, b: null } } }));
    const s = open();
    expect(Object.keys(s.chats.value['1']!.sessions)).to.deep.equal(['a']);
    expect(asideOf(dir, 'chats.json')).to.have.length(1);
  });

  it('a per-session file that is garbage or of the wrong type is moved aside; the session starts fresh', () => {
    const sdir = join(dir, 'chat1', 'default');
    mkdirSync(sdir, { recursive: true });
    writeFileSync(join(sdir, SESSION_FILE), '{"sessionId": 12');
    const other = join(dir, 'chat1', 'other');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, SESSION_FILE), '{"sessionId": 12}');
    const s = open();
    expect(s.sessions.load(sdir)).to.deep.equal({});
    expect(s.sessions.load(other)).to.deep.equal({});
    expect(asideOf(sdir, SESSION_FILE)).to.have.length(1);
    expect(asideOf(other, SESSION_FILE)).to.have.length(1);
    expect(logs.join('\n')).to.include('sessionId: Invalid input: expected string');
  });

  it('valid old state loads unchanged and nothing is moved aside', () => {
    const chats = { '-100_5': { active: 's2', sessions: { s2: { persona: 'terse', createdAt: 'x', lastActivity: 3 } } } };
    writeFileSync(join(dir, 'chats.json'), JSON.stringify(chats, null, 2) + '\n');
    writeFileSync(join(dir, 'journal.json'), JSON.stringify([entry('1:1')], null, 2) + '\n');
    writeFileSync(join(dir, 'telegram-offset.json'), JSON.stringify({ offset: 77 }, null, 2) + '\n');
    const sdir = join(dir, 'chat1', 'default');
    mkdirSync(sdir, { recursive: true });
    writeFileSync(join(sdir, SESSION_FILE), JSON.stringify({ sessionId: 'abc', persona: 'p', updatedAt: 'u', extra: true }));
    const s = open();
    expect(s.chats.value).to.deep.equal(chats);
    expect(s.journal.list()).to.deep.equal([entry('1:1')]);
    expect(s.offset.get()).to.equal(77);
    expect(s.sessions.load(sdir)).to.deep.equal({ sessionId: 'abc', persona: 'p', updatedAt: 'u', extra: true });
    expect(readdirSync(dir).filter((n) => n.includes('corrupt'))).to.deep.equal([]);
    expect(logs).to.deep.equal([]);
  });
});
