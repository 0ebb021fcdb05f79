// Real processes: the driver and the session engine against the fake `claude` in fixtures/bin.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { allReaped, claudeProcess$, type ProcOut } from '../src/drivers/claude/process.ts';
import { sessionStore } from '../src/drivers/sessionStore.ts';
import { Session, userMessageLine, type SessionDeps } from '../src/streams/session.ts';
import type { SessionEvent } from '../src/domain/events.ts';
import { isAlive, waitUntil } from './helpers/processes.ts';

const FAKE = new URL('../fixtures/bin/claude', import.meta.url).pathname;
const persona = { name: 'default', settings: {} };

describe('CLI processes (fake claude)', function () {
  this.timeout(30_000);
  let dir: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proc-test-'));
    state = mkdtempSync(join(tmpdir(), 'proc-state-'));
  });
  const made: Session[] = [];
  afterEach(async () => {
    for (const s of made.splice(0)) s.shutdown();
    await allReaped();
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, FAKE_CLAUDE_STATE_DIR: state, ...extra });

  function session(extra: Record<string, string> = {}, deps: Partial<SessionDeps> = {}) {
    const s = new Session({ key: 'k', dir, persona }, {
      spawn: claudeProcess$,
      store: sessionStore,
      bin: FAKE,
      env: env(extra),
      backoffMs: () => 50,
      graceMs: 300,
      ...deps,
    });
    made.push(s);
    return s;
  }
  const turn = (s: Session, prompt: string) => lastValueFrom(s.turn$({ sessionKey: 'k', id: prompt, prompt }, s.currentGeneration()).pipe(toArray()));
  const resultOf = (evs: SessionEvent[]) => evs.find((e): e is Extract<SessionEvent, { kind: 'result' }> => e.kind === 'result');

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
    const { descendants } = await import('../src/drivers/claude/processTree.ts');
    const cliPid = Number(readFileSync(`/proc/${grandchildren[1]}/stat`, 'latin1').split(') ')[1]!.split(' ')[1]);
    expect(descendants(cliPid)).to.include.members(grandchildren);
    process.kill(cliPid, 'SIGKILL');
    outs.push(...(await done));
    expect(outs.at(-1)).to.include({ kind: 'exit', signal: 'SIGKILL' });
    await waitUntil(() => !grandchildren.some(isAlive), 5000, 'orphaned grandchildren swept');
  });

  it('finds and kills processes a previous run left behind, by tag prefix only', async () => {
    const { spawn } = await import('node:child_process');
    const { sweepPrefix, TAG_VAR } = await import('../src/drivers/claude/processTree.ts');
    const mine = spawn('sleep', ['100'], { env: { PATH: process.env.PATH, [TAG_VAR]: 'abc123.one' }, detached: true, stdio: 'ignore' });
    const other = spawn('sleep', ['100'], { env: { PATH: process.env.PATH, [TAG_VAR]: 'zzz999.two' }, detached: true, stdio: 'ignore' });
    try {
      await waitUntil(() => isAlive(mine.pid!) && isAlive(other.pid!), 5000, 'sleepers');
      await waitUntil(() => readFileSync(`/proc/${mine.pid}/environ`, 'latin1').includes(TAG_VAR), 5000, 'exec done');
      expect(sweepPrefix('abc123')).to.equal(1);
      await waitUntil(() => !isAlive(mine.pid!), 5000, 'tagged sleeper killed');
      expect(isAlive(other.pid!)).to.equal(true);
    } finally {
      mine.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });

  it("scrubs a parent Claude Code session's variables and the bot's secrets from the child's environment", async () => {
    const argsFile = join(state, 'args');
    const s = session({
      FAKE_CLAUDE_ARGS_FILE: argsFile,
      CLAUDECODE: '1',
      CLAUDE_CODE_ENTRYPOINT: 'cli',
      NODE_OPTIONS: '--inspect',
      TELEGRAM_BOT_TOKEN: '1:secret',
      ANTHROPIC_API_KEY: 'sk-pass-through',
    });
    await turn(s, 'env?');
    const start = JSON.parse(readFileSync(argsFile, 'utf8').trim().split('\n')[0]!) as { argv: string[]; env: string[] };
    expect(start.env).to.include('ANTHROPIC_API_KEY');
    expect(start.env).to.not.include.members(['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT']);
    const child = readFileSync(join(state, 'args'), 'utf8');
    expect(child).to.not.contain('secret');
    expect(start.argv.slice(0, 6)).to.deep.equal(['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose']);
  });

  it('serves many turns from one process and keeps the session id', async () => {
    const s = session({ FAKE_CLAUDE_ARGS_FILE: join(state, 'args') });
    const a = resultOf(await turn(s, 'one'))!;
    const b = resultOf(await turn(s, 'two'))!;
    expect(a.text).to.match(/FAKE REPLY 1 to: one/);
    expect(b.text).to.match(/FAKE REPLY 2 to: two/);
    expect(readFileSync(join(state, 'args'), 'utf8').trim().split('\n')).to.have.length(1);
    expect(sessionStore.load(dir).sessionId).to.equal(a.sessionId);
    s.shutdown();
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
    expect(sent).to.deep.equal([userMessageLine('survive this'), userMessageLine('survive this')]);
    s.shutdown();
  });

  it('a CLI crashing mid-line: the partial line is a warning, the turn is resumed', async () => {
    const s = session({ FAKE_CLAUDE_CRASH: 'mid-line', FAKE_CLAUDE_CRASH_ONCE_FILE: join(state, 'crashed') });
    const evs = await turn(s, 'cut me');
    expect(evs.some((e) => e.kind === 'warning')).to.equal(true);
    expect(resultOf(evs)!.text).to.match(/cut me/);
    s.shutdown();
  });

  it('reports a CLI that cannot start once, with its stderr, without retrying', async () => {
    const argsFile = join(state, 'args');
    const s = session({ FAKE_CLAUDE_CRASH: 'start', FAKE_CLAUDE_ARGS_FILE: argsFile });
    const evs = await turn(s, 'hello');
    expect(evs).to.have.length(1);
    expect(evs[0]).to.deep.include({ kind: 'failure', reason: 'startup' });
    expect((evs[0] as { message: string }).message).to.contain("unknown option '--bogus'");
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).to.have.length(1);
  });

  it('reports a missing binary once', async () => {
    const s = session({}, { bin: join(dir, 'no-such-claude') });
    const evs = await turn(s, 'hello');
    expect(evs).to.have.length(1);
    expect(evs[0]).to.deep.include({ kind: 'failure', reason: 'startup' });
    expect((evs[0] as { message: string }).message).to.match(/ENOENT/);
  });

  it('passes a line of several MiB through intact', async () => {
    const s = session({ FAKE_CLAUDE_HUGE_LINE_BYTES: String(6 * 1024 * 1024) });
    const r = resultOf(await turn(s, 'big'))!;
    expect(r.text.length).to.equal(6 * 1024 * 1024);
    s.shutdown();
  });

  it('survives invalid UTF-8, non-JSON and unknown lines; keeps split multibyte characters', async () => {
    const s = session({ FAKE_CLAUDE_INVALID: 'utf8' });
    const evs = await turn(s, 'weird');
    const warnings = evs.filter((e) => e.kind === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings.some((w) => w.includes('this is not json'))).to.equal(true);
    expect(evs.some((e) => e.kind === 'unknown' && e.type === 'brand_new_type')).to.equal(true);
    expect(evs.some((e) => e.kind === 'text' && e.text === 'multibyte: é 🙂 中文')).to.equal(true);
    expect(resultOf(evs)!.isError).to.equal(false);
    s.shutdown();
  });

  it('falls back to a fresh conversation when the stored id is stale, and says so', async () => {
    sessionStore.save(dir, { sessionId: '11111111-1111-4111-8111-111111111111' });
    const s = session({ FAKE_CLAUDE_STALE_RESUME: '1' });
    const evs = await turn(s, 'anyone there?');
    expect(evs.find((e) => e.kind === 'status')).to.exist;
    const r = resultOf(evs)!;
    expect(r.isError).to.equal(false);
    expect(sessionStore.load(dir).sessionId).to.equal(r.sessionId).and.not.equal('11111111-1111-4111-8111-111111111111');
    s.shutdown();
  });

  it('an idle process is reaped after idleMs and the next turn resumes it', async () => {
    const argsFile = join(state, 'args');
    const pids: (number | undefined)[] = [];
    const s = session({ FAKE_CLAUDE_ARGS_FILE: argsFile }, { idleMs: 200, onProcess: (_k, pid) => pids.push(pid) });
    const first = resultOf(await turn(s, 'one'))!;
    expect(s.alive).to.equal(true);
    await waitUntil(() => !s.alive, 5000, 'idle reap');
    const second = resultOf(await turn(s, 'two'))!;
    expect(second.text).to.match(/history: 2/);
    const starts = readFileSync(argsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv as string[]);
    expect(starts[1]).to.include.members(['--resume', first.sessionId]);
    expect(pids.filter((p) => p === undefined).length).to.be.at.least(1);
    s.shutdown();
  });

  it('interrupt: the turn stops, the process stays, the next turn continues the conversation', async () => {
    const argsFile = join(state, 'args');
    const s = session({ FAKE_CLAUDE_SLOW_MS: '5000', FAKE_CLAUDE_ARGS_FILE: argsFile });
    const events$ = s.turn$({ sessionKey: 'k', id: 'slow', prompt: 'slow one' }, 0);
    const all = lastValueFrom(events$.pipe(toArray()));
    await waitUntil(() => s.busy && s.alive, 5000, 'turn running');
    const pid = s.status().pid;
    expect(s.interrupt()).to.equal(true);
    const r = resultOf(await all)!;
    expect(r.stopped).to.equal(true);
    expect(s.status().pid).to.equal(pid);
    const next = resultOf(await turn(s, 'after'))!;
    expect(next.text).to.match(/history: 2/);
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).to.have.length(1);
    s.shutdown();
  });

  it('interrupt unanswered: the process group is killed, the turn ends stopped, the next turn resumes', async () => {
    const s = session({ FAKE_CLAUDE_HANG: '1' }, { interruptTimeoutMs: 300 });
    const all = lastValueFrom(s.turn$({ sessionKey: 'k', id: 'h', prompt: 'hang' }, 0).pipe(toArray()));
    await waitUntil(() => s.busy && s.alive, 5000, 'turn running');
    const pid = s.status().pid!;
    s.interrupt();
    const evs = await all;
    expect(evs.at(-1)).to.deep.include({ kind: 'failure', reason: 'stopped' });
    await waitUntil(() => !isAlive(pid), 5000, 'hung CLI killed');
  });
});
