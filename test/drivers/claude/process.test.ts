// Real processes: one CLI process as an Observable (drivers/claude/process.ts) against the fake
// `claude` in fixtures/bin: reaping, sweeping, leftovers of earlier runs.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { allReaped, claudeProcess$, type ProcOut } from '../../../src/drivers/claude/process.ts';
import { descendants, procStat, signal, sweepPrefix, tagOf, TAG_VAR } from '../../../src/drivers/claude/processTree.ts';
import { isAlive, waitUntil } from '../../helpers/processes.ts';

const FAKE = new URL('../../../fixtures/bin/claude', import.meta.url).pathname;

describe('one CLI process (fake claude)', function () {
  this.timeout(30_000);
  let dir: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proc-test-'));
    state = mkdtempSync(join(tmpdir(), 'proc-state-'));
  });
  afterEach(async () => {
    await allReaped();
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, FAKE_CLAUDE_STATE_DIR: state, ...extra });

  it('reaps everything on unsubscribe: a child ignoring SIGTERM and grandchildren in their own session', async () => {
    const pidsFile = join(state, 'pids');
    const stdin = new Subject<string>();
    const outs: ProcOut[] = [];
    const proc$ = claudeProcess$(() => ({ bin: FAKE, args: [], cwd: dir, env: env({ FAKE_CLAUDE_GRANDCHILD: '1', FAKE_CLAUDE_IGNORE_SIGTERM: '1', FAKE_CLAUDE_PIDS_FILE: pidsFile }), graceMs: 300 }), stdin);
    const sub = proc$.subscribe((o) => outs.push(o));
    await waitUntil(() => outs.filter((o) => o.kind === 'stderr' && o.line.startsWith('grandchild-pid')).length >= 2, 10_000, 'grandchild pids');
    const child = (outs.find((o) => o.kind === 'spawned') as { pid: number }).pid;
    const grandchildren = readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number);
    expect(grandchildren).to.have.length(2);
    for (const p of [child, ...grandchildren]) expect(isAlive(p), `pid ${p} alive before`).to.equal(true);
    sub.unsubscribe();
    await allReaped();
    await waitUntil(() => ![child, ...grandchildren].some(isAlive), 5000, 'every process gone');
  });

  it('sweeps the tools a crashed CLI leaves behind', async () => {
    const pidsFile = join(state, 'pids');
    const outs: ProcOut[] = [];
    const done = lastValueFrom(
      claudeProcess$(() => ({ bin: FAKE, args: [], cwd: dir, env: env({ FAKE_CLAUDE_GRANDCHILD: '1', FAKE_CLAUDE_PIDS_FILE: pidsFile }) }), new Subject<string>()).pipe(toArray()),
    );
    // Wait for the grandchildren, then SIGKILL the CLI itself, as a crash would.
    await waitUntil(() => existsSync(pidsFile) && readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).length >= 2, 10_000, 'grandchildren');
    const grandchildren = readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number);
    const cliPid = procStat(grandchildren[1]!)!.ppid;
    expect(descendants(cliPid)).to.include.members(grandchildren);
    signal(cliPid, 'SIGKILL');
    outs.push(...(await done));
    expect(outs.at(-1)).to.include({ kind: 'exit', signal: 'SIGKILL' });
    await waitUntil(() => !grandchildren.some(isAlive), 5000, 'orphaned grandchildren swept');
  });

  it('finds and kills processes a previous run left behind, by tag prefix only', async () => {
    const mine = spawn('sleep', ['100'], { env: { PATH: process.env.PATH, [TAG_VAR]: 'abc123.one' }, detached: true, stdio: 'ignore' });
    const other = spawn('sleep', ['100'], { env: { PATH: process.env.PATH, [TAG_VAR]: 'zzz999.two' }, detached: true, stdio: 'ignore' });
    try {
      await waitUntil(() => isAlive(mine.pid!) && isAlive(other.pid!), 5000, 'sleepers');
      await waitUntil(() => tagOf(mine.pid!) !== undefined, 5000, 'exec done');
      expect(sweepPrefix('abc123')).to.equal(1);
      await waitUntil(() => !isAlive(mine.pid!), 5000, 'tagged sleeper killed');
      expect(isAlive(other.pid!)).to.equal(true);
    } finally {
      mine.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });

});
