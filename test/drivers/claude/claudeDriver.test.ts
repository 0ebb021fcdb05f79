// Real processes: turns over the Claude driver (streams/turn.ts + drivers/claude/claudeDriver.ts)
// against the fake `claude` in fixtures/bin: one process for many turns, crash recovery with
// --resume, start-up failures, odd output, stale conversations, idle reaping, interrupts.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import type { SessionEvent } from '../../../src/domain/events.ts';
import { sessionStore } from '../../../src/drivers/sessionStore.ts';
import { userMessageLine } from '../../../src/protocol/stdin.ts';
import { isAlive, waitUntil } from '../../helpers/processes.ts';
import { WorkspaceLoop, type LoopOptions } from '../../helpers/workspaceLoop.ts';

const FAKE = new URL('../../../fixtures/bin/claude', import.meta.url).pathname;
const persona = { name: 'default', settings: {} };

describe('turns over the Claude driver (fake claude)', function () {
  this.timeout(30_000);
  let dir: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proc-test-'));
    state = mkdtempSync(join(tmpdir(), 'proc-state-'));
  });
  const made: WorkspaceLoop[] = [];
  afterEach(async () => {
    for (const s of made.splice(0)) await s.shutdown();
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, FAKE_CLAUDE_STATE_DIR: state, ...extra });

  function session(extra: Record<string, string> = {}, opts: { bin?: string; idleMs?: number; interruptTimeoutMs?: number } = {}) {
    const o: LoopOptions = {
      driver: { bin: opts.bin ?? FAKE, env: env(extra), graceMs: 300, ...(opts.idleMs ? { idleMs: opts.idleMs } : {}) },
      dir,
      persona,
      store: sessionStore,
      backoffMs: () => 50,
      ...(opts.interruptTimeoutMs ? { interruptTimeoutMs: opts.interruptTimeoutMs } : {}),
    };
    const s = new WorkspaceLoop(o);
    made.push(s);
    return s;
  }
  const turn = (s: WorkspaceLoop, prompt: string) => lastValueFrom(s.turn$(prompt).pipe(toArray()));
  const resultOf = (evs: SessionEvent[]) => evs.find((e): e is Extract<SessionEvent, { kind: 'result' }> => e.kind === 'result');
  const turnEvents = (evs: SessionEvent[]) => evs.filter((e) => e.kind !== 'running');

  it('serves many turns from one process and keeps the session id', async () => {
    const s = session({ FAKE_CLAUDE_ARGS_FILE: join(state, 'args') });
    const a = resultOf(await turn(s, 'one'))!;
    const b = resultOf(await turn(s, 'two'))!;
    expect(a.text).to.match(/FAKE REPLY 1 to: one/);
    expect(b.text).to.match(/FAKE REPLY 2 to: two/);
    expect(readFileSync(join(state, 'args'), 'utf8').trim().split('\n')).to.have.length(1);
    expect(sessionStore.load(dir).sessionId).to.equal(a.sessionId);
  });

  it('resumes a crash mid-turn with --resume and answers the same message once', async () => {
    const argsFile = join(state, 'args');
    const stdinLog = join(state, 'stdin');
    const s = session({ FAKE_CLAUDE_CRASH: 'mid-turn', FAKE_CLAUDE_CRASH_ONCE_FILE: join(state, 'crashed'), FAKE_CLAUDE_ARGS_FILE: argsFile, FAKE_CLAUDE_LOG_STDIN: stdinLog });
    const evs = await turn(s, 'survive this');
    const kinds = evs.map((e) => e.kind);
    expect(kinds).to.include('status');
    expect(kinds.filter((k) => k === 'result')).to.have.length(1);
    expect(resultOf(evs)!.text).to.match(/to: survive this \| history: 2/);
    const starts = readFileSync(argsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv as string[]);
    expect(starts).to.have.length(2);
    const firstId = evs.find((e) => e.kind === 'started') as { sessionId: string };
    expect(starts[1]).to.include.members(['--resume', firstId.sessionId]);
    const sent = readFileSync(stdinLog, 'utf8').trim().split('\n').filter((l) => l.includes('survive this'));
    // The same message both times, each attempt with its own uuid (the CLI tags that attempt's turn with it).
    const bodies = sent.map((l) => JSON.parse(l) as { uuid?: string });
    expect(bodies.map(({ uuid: _u, ...rest }) => JSON.stringify(rest))).to.deep.equal([userMessageLine('survive this'), userMessageLine('survive this')]);
    expect(new Set(bodies.map((b) => b.uuid)).size).to.equal(2);
  });

  it('a CLI crashing mid-line: the partial line is a warning, the turn is resumed', async () => {
    const s = session({ FAKE_CLAUDE_CRASH: 'mid-line', FAKE_CLAUDE_CRASH_ONCE_FILE: join(state, 'crashed') });
    const evs = await turn(s, 'cut me');
    expect(evs.some((e) => e.kind === 'warning')).to.equal(true);
    expect(resultOf(evs)!.text).to.match(/cut me/);
  });

  it('reports a CLI that cannot start once, with its stderr, without retrying', async () => {
    const argsFile = join(state, 'args');
    const s = session({ FAKE_CLAUDE_CRASH: 'start', FAKE_CLAUDE_ARGS_FILE: argsFile });
    const evs = await turn(s, 'hello');
    expect(turnEvents(evs)).to.have.length(1);
    expect(turnEvents(evs)[0]).to.deep.include({ kind: 'failure', reason: 'startup' });
    expect((turnEvents(evs)[0] as { message: string }).message).to.contain("unknown option '--bogus'");
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).to.have.length(1);
  });

  it('reports a missing binary once', async () => {
    const s = session({}, { bin: join(dir, 'no-such-claude') });
    const evs = await turn(s, 'hello');
    expect(turnEvents(evs)).to.have.length(1);
    expect(turnEvents(evs)[0]).to.deep.include({ kind: 'failure', reason: 'startup' });
    expect((turnEvents(evs)[0] as { message: string }).message).to.match(/ENOENT/);
  });

  it('passes a line of several MiB through intact', async () => {
    const s = session({ FAKE_CLAUDE_HUGE_LINE_BYTES: String(6 * 1024 * 1024) });
    const r = resultOf(await turn(s, 'big'))!;
    expect(r.text.length).to.equal(6 * 1024 * 1024);
  });

  it('survives invalid UTF-8, non-JSON and unknown lines; keeps split multibyte characters', async () => {
    const s = session({ FAKE_CLAUDE_INVALID: 'utf8' });
    const evs = await turn(s, 'weird');
    const warnings = evs.filter((e) => e.kind === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings.some((w) => w.includes('this is not json'))).to.equal(true);
    expect(evs.some((e) => e.kind === 'unknown' && e.type === 'brand_new_type')).to.equal(true);
    expect(evs.some((e) => e.kind === 'text' && e.text === 'multibyte: é 🙂 中文')).to.equal(true);
    expect(resultOf(evs)!.isError).to.equal(false);
  });

  it('falls back to a fresh conversation when the stored id is stale, and says so', async () => {
    sessionStore.save(dir, { sessionId: '11111111-1111-4111-8111-111111111111' });
    const s = session({ FAKE_CLAUDE_STALE_RESUME: '1' });
    const evs = await turn(s, 'anyone there?');
    expect(evs.find((e) => e.kind === 'status')).to.exist;
    const r = resultOf(evs)!;
    expect(r.isError).to.equal(false);
    expect(sessionStore.load(dir).sessionId).to.equal(r.sessionId).and.not.equal('11111111-1111-4111-8111-111111111111');
  });

  it('an idle process is reaped after idleMs and the next turn resumes it', async () => {
    const argsFile = join(state, 'args');
    const s = session({ FAKE_CLAUDE_ARGS_FILE: argsFile }, { idleMs: 200 });
    const exits: unknown[] = [];
    s.driver.output$.subscribe((o) => o.kind === 'proc' && o.out.kind === 'exit' && exits.push(o.out));
    const first = resultOf(await turn(s, 'one'))!;
    expect(s.alive).to.equal(true);
    await waitUntil(() => !s.alive, 5000, 'idle reap');
    const second = resultOf(await turn(s, 'two'))!;
    expect(second.text).to.match(/history: 2/);
    const starts = readFileSync(argsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv as string[]);
    expect(starts[1]).to.include.members(['--resume', first.sessionId]);
    expect(exits).to.have.length.at.least(1);
  });

  it('interrupt: the turn stops, the process stays, the next turn continues the conversation', async () => {
    const argsFile = join(state, 'args');
    const s = session({ FAKE_CLAUDE_SLOW_MS: '5000', FAKE_CLAUDE_ARGS_FILE: argsFile });
    const all = lastValueFrom(s.turn$('slow one').pipe(toArray()));
    await waitUntil(() => s.alive, 5000, 'turn running');
    const pid = s.pid;
    s.stop();
    const r = resultOf(await all)!;
    expect(r.stopped).to.equal(true);
    expect(s.pid).to.equal(pid);
    const next = resultOf(await turn(s, 'after'))!;
    expect(next.text).to.match(/history: 2/);
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).to.have.length(1);
  });

  it('interrupt unanswered: the process group is killed, the turn ends stopped, the next turn resumes', async () => {
    const s = session({ FAKE_CLAUDE_HANG: '1' }, { interruptTimeoutMs: 300 });
    const all = lastValueFrom(s.turn$('hang').pipe(toArray()));
    await waitUntil(() => s.alive, 5000, 'turn running');
    const pid = s.pid!;
    s.stop();
    const evs = await all;
    expect(evs.at(-1)).to.deep.include({ kind: 'failure', reason: 'stopped' });
    await waitUntil(() => !isAlive(pid), 5000, 'hung CLI killed');
  });
});
