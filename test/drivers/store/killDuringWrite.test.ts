// SIGKILL at random points of a state write, 50 times: after each, every state file parses and
// holds a whole version (the old or the new), never a torn one, and nothing is moved aside.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepTemps } from '../../../src/drivers/store/index.ts';
import { bundle } from './bundle.ts';

/** Runs the writer, kills it `delayMs` after it starts writing; bounded waits on real events. */
function runAndKill(script: string, dir: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`writer did not start or exit within 10 s; stderr: ${err}`));
    }, 10_000);
    child.stdout!.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') ok();
      else fail(new Error(`writer exited ${code} before the kill; stderr: ${err}`));
    });
  });
}

describe('store: SIGKILL during state writes', function () {
  this.timeout(120_000);
  let dir: string;
  let script: { file: string; dir: string };
  before(() => (script = bundle(join(import.meta.dirname, 'writeLoop.ts'))));
  after(() => rmSync(script.dir, { recursive: true, force: true }));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'store-kill-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('50 kills at random points: journal and offset always parse, whole and never going back', async () => {
    let last = 0;
    let leftovers = 0;
    for (let i = 0; i < 50; i++) {
      await runAndKill(script.file, dir, Math.floor(Math.random() * 15));
      const journal = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as { id: string; prompt: string; meta: { n: number } }[];
      const ids = journal.map((e) => Number(e.id));
      expect(journal.length, `kill ${i}`).to.be.within(1, 21); // 21 between the add and the remove
      // one whole version: consecutive ids, each entry intact
      ids.forEach((id, k) => expect(id).to.equal(ids[0]! + k));
      for (const e of journal) expect(e.prompt).to.equal(`message ${e.id} `.repeat(Number(e.id) % 7));
      expect(ids.at(-1)!, `kill ${i}: went back`).to.be.at.least(last);
      last = ids.at(-1)!;
      const offset = JSON.parse(readFileSync(join(dir, 'telegram-offset.json'), 'utf8')) as { offset: number };
      expect(offset.offset).to.be.within(last - 1, last);
      expect(readdirSync(dir).filter((n) => n.includes('.corrupt-'))).to.deep.equal([]);
      leftovers += sweepTemps(dir).length;
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
    }
    console.log(`      (50 kills; last id ${last}; ${leftovers} temp file(s) left by kills, all swept)`);
  });
});
