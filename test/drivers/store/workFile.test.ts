// claude-work.json: a usage-limit hold and pending schedules survive a restart (written by one
// StoreDriver, read by the next); partial writes keep the other field; an empty entry disappears.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreDriver } from '../../../src/drivers/storeDriver.ts';
import { WORK_FILE } from '../../../src/drivers/store/index.ts';

describe('claude-work.json (holds and schedules across restarts)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'work-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a hold and schedules; a partial write keeps the other field; clearing both removes the entry', () => {
    const a = new StoreDriver(dir, () => {});
    const limit = { until: 1796403600000, text: "You've hit your limit · resets 8pm (Australia/Sydney)", hourly: false };
    const wakeup = { kind: 'wakeup' as const, id: 'toolu_1', prompt: 'check back', recurring: false, at: 1796399100000 };
    expect(a.write({ kind: 'claudeWork', workspace: '5/default', limit }).ok).to.equal(true);
    expect(a.write({ kind: 'claudeWork', workspace: '5/default', schedules: [wakeup] }).ok).to.equal(true);
    expect(new StoreDriver(dir, () => {}).loadWork()).to.deep.equal({ limits: { '5/default': limit }, schedules: { '5/default': [wakeup] } });
    a.write({ kind: 'claudeWork', workspace: '5/default', limit: undefined });
    a.write({ kind: 'claudeWork', workspace: '5/default', schedules: [] });
    expect(new StoreDriver(dir, () => {}).loadWork()).to.deep.equal({ limits: {}, schedules: {} });
    expect(JSON.parse(readFileSync(join(dir, WORK_FILE), 'utf8'))).to.deep.equal({});
  });

  it('an invalid entry is dropped (logged), the others kept', () => {
    const a = new StoreDriver(dir, () => {});
    a.write({ kind: 'claudeWork', workspace: '5/default', limit: { until: 1, text: 'x', hourly: true } });
    const raw = JSON.parse(readFileSync(join(dir, WORK_FILE), 'utf8'));
    raw['6/default'] = { limit: { until: 'soon' } };
    writeFileSync(join(dir, WORK_FILE), JSON.stringify(raw));
    const logs: string[] = [];
    const b = new StoreDriver(dir, (m) => logs.push(m));
    expect(Object.keys(b.loadWork().limits)).to.deep.equal(['5/default']);
    expect(logs.some((l) => l.includes('dropped key 6/default'))).to.equal(true);
    expect(existsSync(join(dir, WORK_FILE))).to.equal(true);
  });
});
