// The Claude driver's bookkeeping in virtual time, over scripted processes: one process per
// workspace, spawn on demand, idle reaping after release, the LRU cap, kill, the snapshot.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEVER, Observable, type Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { ClaudeOutput, ProcOut } from '../../../src/domain/claude.ts';
import { ClaudeDriver, cliArgs } from '../../../src/drivers/claude/claudeDriver.ts';
import type { ProcessSpec } from '../../../src/drivers/claude/process.ts';
import { testScheduler } from '../../helpers/marbles.ts';

const persona = { name: 'default', settings: {} };
const root = mkdtempSync(join(tmpdir(), 'driver-unit-'));
const launch = (dir: string, sessionId?: string) => ({ dir: `${root}${dir}`, persona, sessionId });

describe('ClaudeDriver (virtual time)', () => {
  let ts: TestScheduler;
  let spawned: { spec: ProcessSpec; lines: string[]; closed: boolean }[];
  let driver: ClaudeDriver;
  let outs: ClaudeOutput[];
  let sub: Subscription;
  const make = (opts: { idleMs?: number; maxLive?: number } = {}) => {
    spawned = [];
    outs = [];
    driver = new ClaudeDriver({
      bin: 'claude',
      env: {},
      idleMs: opts.idleMs ?? 100,
      maxLive: opts.maxLive ?? 8,
      scheduler: ts,
      rssOf: () => 1048576,
      spawn: (spec, stdin$) =>
        new Observable<ProcOut>((o) => {
          const p = { spec: spec(), lines: [] as string[], closed: false };
          spawned.push(p);
          o.next({ kind: 'spawned', pid: 100 + spawned.length });
          const s = stdin$.subscribe((l) => p.lines.push(l));
          const n = NEVER.subscribe();
          return () => ((p.closed = true), s.unsubscribe(), n.unsubscribe());
        }),
    });
    sub = driver.output$.subscribe((o) => outs.push(o));
  };
  beforeEach(() => {
    ts = testScheduler();
  });
  afterEach(() => sub?.unsubscribe());
  after(() => rmSync(root, { recursive: true, force: true }));

  it('spawns once per workspace and writes to its stdin; a second spawn is a no-op', () => {
    ts.run(() => {
      make();
      driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a', 'conv-1') });
      driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a') });
      driver.execute({ kind: 'write', workspace: 'a', line: 'hello' });
      driver.execute({ kind: 'interrupt', workspace: 'a', requestId: 'i1' });
      expect(spawned).to.have.length(1);
      expect(spawned[0]!.spec.args).to.include.members(['--resume', 'conv-1']);
      expect(spawned[0]!.spec.cwd).to.equal(`${root}/a`);
      expect(spawned[0]!.lines[0]).to.equal('hello');
      expect(JSON.parse(spawned[0]!.lines[1]!)).to.deep.include({ type: 'control_request', request_id: 'i1' });
      expect(driver.liveCount()).to.equal(1);
    });
  });

  it('reaps a released process after idleMs, never a held one', () => {
    ts.run(({ flush }) => {
      make({ idleMs: 100 });
      driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a') });
      driver.execute({ kind: 'hold', workspace: 'a', held: true });
      ts.schedule(() => driver.execute({ kind: 'hold', workspace: 'a', held: false }), 500);
      ts.schedule(() => expect(spawned[0]!.closed, 'held at 550').to.equal(false), 550);
      ts.schedule(() => expect(spawned[0]!.closed, 'released at 500 + 100').to.equal(true), 601);
      flush();
      expect(outs.at(-1)).to.deep.include({ kind: 'proc', workspace: 'a' });
      expect((outs.at(-1) as Extract<ClaudeOutput, { kind: 'proc' }>).out).to.include({ kind: 'exit', killed: true });
      expect(driver.liveCount()).to.equal(0);
    });
  });

  it('reaps a process that was released without ever being held (a warm start, /model asking)', () => {
    ts.run(({ flush }) => {
      make({ idleMs: 100 });
      driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a') });
      driver.execute({ kind: 'hold', workspace: 'a', held: false });
      ts.schedule(() => expect(spawned[0]!.closed, 'still idle at 99').to.equal(false), 99);
      flush();
      expect(spawned[0]!.closed).to.equal(true);
    });
  });

  it('evicts the least recently used idle process over the cap, never a held one', () => {
    ts.run(({ flush }) => {
      make({ maxLive: 2, idleMs: 10_000 });
      driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a') });
      ts.schedule(() => driver.execute({ kind: 'spawn', workspace: 'b', launch: launch('/b') }), 10);
      ts.schedule(() => driver.execute({ kind: 'hold', workspace: 'a', held: true }), 20);
      ts.schedule(() => driver.execute({ kind: 'spawn', workspace: 'c', launch: launch('/c') }), 30);
      flush();
      // a is held (busy), so b, the older idle one, goes.
      expect(spawned.map((p) => p.closed)).to.deep.equal([false, true, false]);
      expect(driver.liveCount()).to.equal(2);
    });
  });

  it('kill ends the process at once and says so; the snapshot lists the live ones', () => {
    ts.run(() => {
      make();
      driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a') });
      driver.execute({ kind: 'spawn', workspace: 'b', launch: launch('/b') });
      driver.execute({ kind: 'hold', workspace: 'b', held: true });
      driver.execute({ kind: 'kill', workspace: 'a' });
      driver.execute({ kind: 'processes', id: 'q1' });
      expect(spawned[0]!.closed).to.equal(true);
      const exit = outs.find((o) => o.kind === 'proc' && o.workspace === 'a' && o.out.kind === 'exit');
      expect(exit).to.exist;
      const snap = outs.find((o) => o.kind === 'processes') as Extract<ClaudeOutput, { kind: 'processes' }>;
      expect(snap).to.deep.equal({ kind: 'processes', id: 'q1', list: [{ workspace: 'b', pid: 102, rssBytes: 1048576, held: true, idleSince: undefined }] });
    });
  });

  it('after shutdown no process starts; a spawn answers with a killed exit', async () => {
    make();
    await driver.shutdown();
    driver.execute({ kind: 'spawn', workspace: 'a', launch: launch('/a') });
    expect(spawned).to.have.length(0);
    expect(outs.at(-1)).to.deep.include({ kind: 'proc', workspace: 'a' });
  });

  it('builds the CLI flags: stream-json both ways, partial messages, persona (with the bot\'s defaults), resume', () => {
    expect(cliArgs({ dir: '/d', persona: { name: 'p', settings: { model: 'sonnet' } }, sessionId: 'x' }, true)).to.deep.equal([
      '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--include-partial-messages', '--model', 'sonnet',
      '--permission-mode', 'acceptEdits', '--permission-prompt-tool', 'stdio', '--resume', 'x',
    ]);
    // The bot's own tools join a persona's allow list in one flag; a chosen model replaces the persona's.
    const args = cliArgs({ dir: '/d', persona: { name: 'p', settings: { model: 'sonnet', allowed_tools: ['Bash(git *)'] } }, allowedTools: ['mcp__telegram__send_file'], model: 'opus', addDirs: ['/own'] }, false);
    expect(args.filter((a) => a === '--allowedTools')).to.have.length(1);
    expect(args[args.indexOf('--allowedTools') + 1]).to.equal('Bash(git *),mcp__telegram__send_file');
    expect(args[args.indexOf('--model') + 1]).to.equal('opus');
    expect(args.slice(-2)).to.deep.equal(['--add-dir', '/own']);
  });
});
