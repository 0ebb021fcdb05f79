// processTree.ts against real processes: `sleep`s started here, in their own session, tagged the way
// the CLI driver tags its children. Every wait is bounded; afterEach kills whatever is left.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  cmdline,
  descendants,
  environ,
  isAlive,
  memKb,
  parents,
  procStat,
  signal,
  signalGroup,
  sweep,
  sweepPrefix,
  TAG_VAR,
  tagOf,
  taggedPids,
  taggedPidsWithPrefix,
  treeRss,
} from '../../../src/drivers/claude/processTree.ts';
import { pidsWithEnv, waitGone, waitUntil } from '../../helpers/processes.ts';

const WAIT_MS = 5000;
const prefix = `ptt${process.pid}x${Date.now()}`;

describe('processTree (real processes)', function () {
  this.timeout(20_000);
  const started: ChildProcess[] = [];

  /** Starts `cmd` detached (its own session and group) with only PATH and the tag in its environment. */
  async function start(cmd: string, args: string[], tag: string): Promise<number> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, [TAG_VAR]: tag };
    const child = spawn(cmd, args, { env, detached: true, stdio: 'ignore' });
    started.push(child);
    const pid = child.pid!;
    // Until exec, the forked child still shows this process's environment, without the tag.
    await waitUntil(() => tagOf(pid) === tag, WAIT_MS, `${cmd} (pid ${pid}) to exec`);
    return pid;
  }

  afterEach(async () => {
    // Two ways, so a broken helper under test cannot leave a process behind: every process here is tagged.
    for (const c of started) if (c.pid !== undefined) signalGroup(c.pid, 'SIGKILL');
    sweepPrefix(prefix);
    await waitGone(started.map((c) => c.pid!), WAIT_MS);
    started.length = 0;
  });

  it('reads a tagged process: stat, environment, command line, memory, parent', async () => {
    const tag = `${prefix}.read`;
    const pid = await start('sleep', ['30'], tag);
    expect(isAlive(pid)).to.equal(true);
    expect(procStat(pid)).to.include({ ppid: process.pid, pgrp: pid, session: pid }); // detached: setsid
    expect(environ(pid)).to.include(`${TAG_VAR}=${tag}`);
    expect(tagOf(pid)).to.equal(tag);
    expect(cmdline(pid)).to.equal('sleep 30');
    expect(memKb(pid, 'VmRSS')).to.be.greaterThan(0);
    expect(treeRss(pid)).to.be.greaterThan(0);
    expect(parents().get(pid)).to.equal(process.pid);
    expect(descendants(process.pid)).to.include(pid);
    expect(tagOf(process.pid)).to.equal(undefined);
  });

  it('a zombie is not alive and carries no tag', async () => {
    // The shell forks `true`, then becomes `sleep`, which never reaps it: a zombie for as long as sleep lives.
    const tag = `${prefix}.zombie`;
    const pid = await start('sh', ['-c', 'true & exec sleep 30'], tag);
    await waitUntil(() => descendants(pid).some((p) => procStat(p)?.state === 'Z'), WAIT_MS, 'a zombie child');
    const zombie = descendants(pid).find((p) => procStat(p)?.state === 'Z')!;
    expect(isAlive(zombie)).to.equal(false);
    expect(environ(zombie)).to.deep.equal([]);
    expect(taggedPids(tag)).to.deep.equal([pid]);
    expect(isAlive(pid)).to.equal(true);
  });

  it('reads CPU times in clock ticks', () => {
    for (let i = 0, x = 0; i < 3e7; i++) x += i; // some CPU time of our own to measure
    const { user, system } = process.cpuUsage();
    const st = procStat('self')!;
    // USER_HZ is 100 on Linux (x86-64 and arm64): a tick is 10 ms.
    const procMs = (st.utime + st.stime) * 10;
    const nodeMs = (user + system) / 1000;
    expect(Math.abs(procMs - nodeMs), `${procMs} ms from /proc, ${nodeMs} ms from process.cpuUsage()`).to.be.lessThan(Math.max(50, nodeMs * 0.1));
  });

  it('finds a process by its exact tag, by tag prefix and by environment', async () => {
    const tag = `${prefix}.find`;
    const pid = await start('sleep', ['30'], tag);
    const longer = await start('sleep', ['30'], `${tag}2`);
    expect(taggedPids(tag)).to.deep.equal([pid]);
    expect(taggedPidsWithPrefix(prefix).sort()).to.deep.equal([pid, longer].sort());
    expect(pidsWithEnv(`${TAG_VAR}=${tag}`).sort()).to.deep.equal([pid, longer].sort()); // a prefix of the variable
    expect(pidsWithEnv(`${TAG_VAR}=${tag}`, 'HOME=')).to.deep.equal([]); // every needle must match
  });

  it('sweep kills the tagged process and nothing else', async () => {
    const tag = `${prefix}.sweep`;
    const pid = await start('sleep', ['30'], tag);
    const bystander = await start('sleep', ['30'], `${prefix}.other`);
    expect(sweep(tag)).to.equal(1);
    await waitGone(pid, WAIT_MS);
    expect(isAlive(bystander)).to.equal(true);
    expect(taggedPids(tag)).to.deep.equal([]);
  });

  it('sweep with a root also kills descendants that carry another tag', async () => {
    const sh = await start('sh', ['-c', 'sleep 30 & wait'], `${prefix}.root`);
    await waitUntil(() => descendants(sh).some((p) => cmdline(p) === 'sleep 30'), WAIT_MS, 'the shell to start its sleep');
    const [sleeper] = descendants(sh);
    expect(sweep(`${prefix}.nobody`, sh)).to.equal(1);
    await waitGone(sleeper!, WAIT_MS);
    await waitGone(sh, WAIT_MS); // its `wait` returned
  });

  it('sweepPrefix kills `<prefix>.…` only, not a longer prefix', async () => {
    const mine = await start('sleep', ['30'], `${prefix}.one`);
    const other = await start('sleep', ['30'], `${prefix}x.two`);
    expect(sweepPrefix(prefix)).to.equal(1);
    await waitGone(mine, WAIT_MS);
    expect(isAlive(other)).to.equal(true);
  });

  it('signalGroup reaches every process of the group; signal says when nothing was there', async () => {
    const sh = await start('sh', ['-c', 'sleep 30 & sleep 30 & wait'], `${prefix}.group`);
    await waitUntil(() => descendants(sh).filter((p) => cmdline(p) === 'sleep 30').length === 2, WAIT_MS, 'two sleeps');
    const group = [sh, ...descendants(sh)];
    for (const p of group) expect(procStat(p)?.pgrp).to.equal(sh);
    expect(signalGroup(sh, 'SIGKILL')).to.equal(true);
    await waitGone(group, WAIT_MS);
    const reaped = started.at(-1)!;
    await waitUntil(() => reaped.exitCode !== null || reaped.signalCode !== null, WAIT_MS, 'the shell to be reaped');
    expect(signal(sh, 'SIGTERM')).to.equal(false);
    expect(treeRss(sh)).to.equal(0);
    expect(procStat(sh)).to.equal(undefined);
  });
});
