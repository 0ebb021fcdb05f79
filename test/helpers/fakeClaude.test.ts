// Tests of the fake `claude` executable (fixtures/bin/claude) used by the process tests: it must
// speak the stream-json protocol the way PROTOCOL.md describes the real CLI, and every behaviour
// switch must do what fixtures/bin/README.md says. Every wait is bounded and tied to a real event
// (a line, an exit, a file); every process started here is killed in afterEach.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, procStat, readProc, signal, signalGroup, waitGone } from './processes.ts';

const FAKE = fileURLToPath(new URL('../../fixtures/bin/claude', import.meta.url));
const BASE_ARGS = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WAIT_MS = 5000;

type Json = Record<string, any>;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running fake: collects stdout lines (parsed when they are JSON) and stderr text. */
class Fake {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  private partial: Buffer[] = [];
  private listeners = new Set<() => void>();

  constructor(args: string[], env: Record<string, string>, cwd?: string) {
    this.child = spawn(FAKE, args, {
      cwd: cwd ?? os.tmpdir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      detached: true, // own process group, killed as a whole in teardown
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(this);
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] === 0x0a) {
          this.partial.push(chunk.subarray(start, i));
          this.lines.push(Buffer.concat(this.partial).toString('utf8'));
          this.partial = [];
          start = i + 1;
        }
      }
      if (start < chunk.length) this.partial.push(chunk.subarray(start));
      this.notify();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
      this.notify();
    });
    this.exited = new Promise<Exit>((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Bytes after the last newline on stdout (a cut line). */
  get trailing(): string {
    return Buffer.concat(this.partial).toString('utf8');
  }

  /** stdout lines that parse as JSON objects. */
  get messages(): Json[] {
    const out: Json[] = [];
    for (const l of this.lines) {
      try {
        const o = JSON.parse(l);
        if (o && typeof o === 'object') out.push(o);
      } catch {
        /* not JSON */
      }
    }
    return out;
  }

  send(obj: unknown): void {
    this.child.stdin!.write(JSON.stringify(obj) + '\n');
  }

  user(text: string): void {
    this.send({ type: 'user', session_id: '', message: { role: 'user', content: [{ type: 'text', text }] }, parent_tool_use_id: null });
  }

  end(): void {
    this.child.stdin!.end();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves when `check()` returns a value other than undefined; rejects after `ms`. */
  until<T>(what: string, check: () => T | undefined, ms = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): boolean => {
        const v = check();
        if (v === undefined) return false;
        cleanup();
        resolve(v);
        return true;
      };
      const listener = () => {
        if (!done() && this.exit) {
          cleanup();
          reject(new Error(`fake exited (${JSON.stringify(this.exit)}) before: ${what}\n${this.dump()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for: ${what}\n${this.dump()}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      if (!done() && this.exit) listener();
    });
  }

  /** The `nth` (1-based) JSON line matching `pred`. */
  waitMessage(what: string, pred: (m: Json) => boolean, nth = 1, ms = WAIT_MS): Promise<Json> {
    return this.until(what, () => this.messages.filter(pred)[nth - 1], ms);
  }

  waitResult(nth = 1, ms = WAIT_MS): Promise<Json> {
    return this.waitMessage(`result #${nth}`, (m) => m.type === 'result', nth, ms);
  }

  waitStderr(re: RegExp, ms = WAIT_MS): Promise<RegExpMatchArray> {
    return this.until(`stderr ${re}`, () => this.stderr.match(re) ?? undefined, ms);
  }

  async waitExit(ms = WAIT_MS): Promise<Exit> {
    return this.until('exit', () => this.exit, ms);
  }

  dump(): string {
    return `--- stdout (${this.lines.length} lines) ---\n${this.lines.map((l) => l.slice(0, 300)).join('\n')}\n--- stderr ---\n${this.stderr}`;
  }
}

const live = new Set<Fake>();
const extraPids = new Set<number>();

describe('fake claude CLI (fixtures/bin/claude)', function () {
  this.timeout(30000);
  let dir: string;
  let stateDir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fake-claude-test-'));
    stateDir = path.join(dir, 'state');
  });

  afterEach(async () => {
    for (const f of [...live]) {
      signalGroup(f.pid, 'SIGKILL');
    }
    for (const pid of extraPids) signal(pid, 'SIGKILL');
    await Promise.all([...live].map((f) => f.exited));
    await waitGone([...extraPids], WAIT_MS);
    extraPids.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (extraArgs: string[] = [], env: Record<string, string> = {}) =>
    new Fake([...BASE_ARGS, ...extraArgs], { FAKE_CLAUDE_STATE_DIR: stateDir, ...env }, dir);

  it('is silent until the first stdin line, then runs two turns with one session id; EOF → exit 0', async () => {
    const f = start();
    // An idle interrupt is answered without any init (nothing else is printed before a user line).
    f.send({ type: 'control_request', request_id: 'idle-1', request: { subtype: 'interrupt' } });
    await f.waitMessage('idle interrupt response', (m) => m.type === 'control_response');
    expect(f.messages[0]).to.deep.equal({
      type: 'control_response',
      response: { subtype: 'success', request_id: 'idle-1', response: { still_queued: [] } },
    });

    f.user('hello');
    const r1 = await f.waitResult(1);
    f.user('world');
    const r2 = await f.waitResult(2);

    const inits = f.messages.filter((m) => m.type === 'system' && m.subtype === 'init');
    expect(inits).to.have.length(2);
    const sid = inits[0]!.session_id;
    expect(sid).to.match(UUID_RE);
    expect(inits[1]!.session_id).to.equal(sid);
    expect(inits[0]!.model).to.equal('claude-fake-1');
    expect(inits[0]!.cwd).to.equal(dir);

    const texts = f.messages.filter((m) => m.type === 'assistant').map((m) => m.message.content[0].text);
    expect(texts).to.deep.equal(['FAKE REPLY 1 to: hello | history: 1', 'FAKE REPLY 2 to: world | history: 2']);

    expect(r1).to.include({ subtype: 'success', is_error: false, num_turns: 1, session_id: sid, result_index: 0 });
    expect(r1.result).to.equal('FAKE REPLY 1 to: hello | history: 1');
    expect(r2).to.include({ session_id: sid, result_index: 1, result: 'FAKE REPLY 2 to: world | history: 2' });
    expect(r2.total_cost_usd).to.be.greaterThan(r1.total_cost_usd);
    expect(r1.permission_denials).to.deep.equal([]);
    expect(r1.usage).to.be.an('object');
    expect(r1.duration_ms).to.be.a('number');
    expect(r1.uuid).to.match(UUID_RE);

    // Order within a turn: init, assistant, result.
    expect(f.messages.slice(1, 4).map((m) => m.type)).to.deep.equal(['system', 'assistant', 'result']);

    f.end();
    expect(await f.waitExit()).to.deep.equal({ code: 0, signal: null });
    expect(f.stderr).to.equal('');
  });

  it('queues messages written back-to-back and finishes them after EOF', async () => {
    const f = start([], { FAKE_CLAUDE_SLOW_MS: '100' });
    f.child.stdin!.write(
      ['a', 'b', 'c'].map((t) => JSON.stringify({ type: 'user', message: { role: 'user', content: t } }) + '\n').join(''),
    );
    f.end();
    expect(await f.waitExit()).to.deep.equal({ code: 0, signal: null });
    const results = f.messages.filter((m) => m.type === 'result').map((m) => m.result);
    expect(results).to.deep.equal([
      'FAKE REPLY 1 to: a | history: 1',
      'FAKE REPLY 2 to: b | history: 2',
      'FAKE REPLY 3 to: c | history: 3',
    ]);
  });

  it('EOF with no messages: exit 0 and no output', async () => {
    const f = start();
    f.end();
    expect(await f.waitExit()).to.deep.equal({ code: 0, signal: null });
    expect(f.lines).to.deep.equal([]);
  });

  it('invalid JSON on stdin: stderr message and exit 1', async () => {
    const f = start();
    f.child.stdin!.write('this is not json\n');
    expect(await f.waitExit()).to.deep.equal({ code: 1, signal: null });
    expect(f.stderr).to.match(/Error parsing streaming input line/);
    expect(f.lines).to.deep.equal([]);
  });

  it('--resume keeps the session id and the history count across processes', async () => {
    const a = start();
    a.user('one');
    const r1 = await a.waitResult();
    a.end();
    await a.waitExit();
    const sid = r1.session_id as string;

    const b = start(['--resume', sid, '--model', 'claude-other']);
    b.user('two');
    const r2 = await b.waitResult();
    const init = await b.waitMessage('init', (m) => m.subtype === 'init');
    expect(init.session_id).to.equal(sid);
    expect(init.model).to.equal('claude-other');
    expect(r2.session_id).to.equal(sid);
    expect(r2.result).to.equal('FAKE REPLY 1 to: two | history: 2');
    b.end();
    expect((await b.waitExit()).code).to.equal(0);
  });

  it('--session-id names a new session; a non-UUID or reused id is refused like the real CLI', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const a = start(['--session-id', id]);
    a.user('x');
    expect((await a.waitResult()).session_id).to.equal(id);
    a.end();
    await a.waitExit();

    const reused = start(['--session-id', id]);
    expect((await reused.waitExit()).code).to.equal(1);
    expect(reused.stderr).to.include(`Session ID ${id} is already in use`);

    const bad = start(['--session-id', 'not-a-uuid']);
    expect((await bad.waitExit()).code).to.equal(1);
    expect(bad.stderr).to.include('Invalid session ID');
  });

  it('replays a fixture turn by turn, wrapping around, with session_id rewritten', async () => {
    const fixture = path.join(dir, 'rec.jsonl');
    const rec = (o: Json) => JSON.stringify(o);
    writeFileSync(
      fixture,
      [
        rec({ type: 'system', subtype: 'init', session_id: 'recorded-sid', model: 'rec-model' }),
        rec({ type: 'assistant', message: { content: [{ type: 'text', text: 'first' }] }, session_id: 'recorded-sid' }),
        rec({ type: 'result', subtype: 'success', is_error: false, result: 'first', session_id: 'recorded-sid' }),
        rec({ type: 'system', subtype: 'init', session_id: 'recorded-sid' }),
        rec({ type: 'rate_limit_event', info: 'no session id here' }),
        rec({ type: 'result', subtype: 'success', is_error: false, result: 'second', session_id: 'recorded-sid' }),
        '',
      ].join('\n'),
    );
    const f = start(['--resume', 'replay-sid'], { FAKE_CLAUDE_FIXTURE: fixture });
    f.user('q1');
    const r1 = await f.waitResult(1);
    f.user('q2');
    const r2 = await f.waitResult(2);
    f.user('q3');
    const r3 = await f.waitResult(3);
    expect([r1.result, r2.result, r3.result]).to.deep.equal(['first', 'second', 'first']);
    expect(f.lines).to.have.length(9);
    expect(f.lines[4]).to.equal(rec({ type: 'rate_limit_event', info: 'no session id here' }));
    for (const m of f.messages) if ('session_id' in m) expect(m.session_id).to.equal('replay-sid');
    expect(f.messages[0]!.model).to.equal('rec-model');
    f.end();
    expect((await f.waitExit()).code).to.equal(0);
  });

  it('slow turn + interrupt: control_response, aborted assistant, interrupt marker, error result; stays alive', async () => {
    const f = start([], { FAKE_CLAUDE_SLOW_MS: '20000' });
    f.user('long job');
    await f.waitMessage('init', (m) => m.subtype === 'init');
    f.send({ type: 'control_request', request_id: 'int-1', request: { subtype: 'interrupt' } });
    const res = await f.waitResult(1, 3000); // far less than the 20 s turn
    const tail = f.messages.slice(1).map((m) => m.type);
    expect(tail).to.deep.equal(['control_response', 'assistant', 'user', 'result']);
    const [, resp, aborted, marker] = f.messages;
    expect(resp!.response).to.deep.equal({ subtype: 'success', request_id: 'int-1', response: { still_queued: [] } });
    expect(aborted!.aborted).to.equal(true);
    expect(marker!.message.content[0].text).to.equal('[Request interrupted by user]');
    expect(res).to.include({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming' });
    expect(res).to.not.have.property('result');
    expect(res.errors).to.be.an('array').that.is.not.empty;

    // Other control requests get an error response.
    f.send({ type: 'control_request', request_id: 'bogus-1', request: { subtype: 'no_such_subtype' } });
    const err = await f.waitMessage('error response', (m) => m.type === 'control_response' && m.response.request_id === 'bogus-1');
    expect(err.response).to.include({ subtype: 'error', error: 'Unsupported control request subtype: no_such_subtype' });

    // Still alive: the next turn runs (interrupted again, quickly).
    f.user('again');
    await f.waitMessage('second init', (m) => m.subtype === 'init', 2);
    f.send({ type: 'control_request', request_id: 'int-2', request: { subtype: 'interrupt' } });
    await f.waitResult(2, 3000);
    f.end();
    // The last result was an error, so the exit code is 1 (PROTOCOL.md §6.1).
    expect(await f.waitExit()).to.deep.equal({ code: 1, signal: null });
  });

  it('slow turn: init at once, result after the delay; not interrupted → success', async () => {
    const f = start([], { FAKE_CLAUDE_SLOW_MS: '200' });
    const t = Date.now();
    f.user('slowly');
    await f.waitMessage('init', (m) => m.subtype === 'init');
    const r = await f.waitResult();
    expect(Date.now() - t).to.be.at.least(190);
    expect(r.is_error).to.equal(false);
    f.end();
    expect((await f.waitExit()).code).to.equal(0);
  });

  it('crash mid-turn once: init + assistant, exit 1, no result; the respawn with --resume works', async () => {
    const once = path.join(dir, 'crashed-once');
    const env = { FAKE_CLAUDE_CRASH: 'mid-turn', FAKE_CLAUDE_CRASH_ONCE_FILE: once };
    const a = start([], env);
    a.user('boom?');
    expect(await a.waitExit()).to.deep.equal({ code: 1, signal: null });
    expect(a.messages.map((m) => m.type)).to.deep.equal(['system', 'assistant']);
    expect(existsSync(once)).to.equal(true);
    const sid = a.messages[0]!.session_id as string;

    const b = start(['--resume', sid], env);
    b.user('boom?');
    const r = await b.waitResult();
    expect(r).to.include({ is_error: false, session_id: sid });
    // The crashed turn's message was recorded too, as the real CLI writes it before the API call.
    expect(r.result).to.equal('FAKE REPLY 1 to: boom? | history: 2');
    b.end();
    expect((await b.waitExit()).code).to.equal(0);
  });

  it('crash mid-line: half a line without newline, then killed by SIGKILL', async () => {
    const f = start([], { FAKE_CLAUDE_CRASH: 'mid-line' });
    f.user('cut');
    expect(await f.waitExit()).to.deep.equal({ code: null, signal: 'SIGKILL' });
    expect(f.messages.map((m) => m.type)).to.deep.equal(['system']);
    expect(f.trailing).to.match(/^\{"type":"assistant"/);
    expect(() => JSON.parse(f.trailing)).to.throw();
  });

  it('crash at start: stderr error, exit 1, nothing on stdout, stdin never read', async () => {
    const f = start([], { FAKE_CLAUDE_CRASH: 'start' });
    expect(await f.waitExit()).to.deep.equal({ code: 1, signal: null });
    expect(f.stderr).to.equal("error: unknown option '--bogus'\n");
    expect(f.lines).to.deep.equal([]);
  });

  it('permission: can_use_tool control request, then allow or deny decides the reply', async () => {
    const f = start(['--permission-prompt-tool', 'stdio'], { FAKE_CLAUDE_PERMISSION: '1' });
    f.user('make x');
    const req1 = await f.waitMessage('can_use_tool 1', (m) => m.type === 'control_request');
    expect(req1).to.deep.include({ request_id: 'perm-1' });
    expect(req1.request).to.deep.include({ subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'touch x' }, tool_use_id: 'toolu_1' });
    const toolUse = f.messages.find((m) => m.type === 'assistant')!;
    expect(toolUse.message.content[0]).to.deep.include({ type: 'tool_use', id: 'toolu_1', name: 'Bash' });
    expect(f.messages.some((m) => m.type === 'result')).to.equal(false);

    f.send({ type: 'control_response', response: { subtype: 'success', request_id: 'perm-1', response: { behavior: 'allow', updatedInput: req1.request.input } } });
    const r1 = await f.waitResult(1);
    expect(r1.result).to.equal('FAKE REPLY 1 to: make x | history: 1 | PERMISSION allow');
    expect(r1.permission_denials).to.deep.equal([]);

    f.user('make y');
    await f.waitMessage('can_use_tool 2', (m) => m.type === 'control_request', 2);
    f.send({ type: 'control_response', response: { subtype: 'success', request_id: 'perm-2', response: { behavior: 'deny', message: 'not today' } } });
    const r2 = await f.waitResult(2);
    expect(r2.result).to.equal('FAKE REPLY 2 to: make y | history: 2 | PERMISSION deny: not today');
    expect(r2).to.include({ subtype: 'success', is_error: false });
    expect(r2.permission_denials).to.deep.equal([{ tool_name: 'Bash', tool_use_id: 'toolu_2', tool_input: { command: 'touch x' } }]);
    f.end();
    expect((await f.waitExit()).code).to.equal(0);
  });

  it('stale --resume: one error result + stderr when the first line arrives, exit 1', async () => {
    const f = start(['--resume', 'gone-session'], { FAKE_CLAUDE_STALE_RESUME: '1' });
    f.user('hello?');
    expect(await f.waitExit()).to.deep.equal({ code: 1, signal: null });
    expect(f.messages).to.have.length(1);
    expect(f.messages[0]).to.include({ type: 'result', subtype: 'error_during_execution', is_error: true, num_turns: 0 });
    expect(f.messages[0]!.errors).to.deep.equal(['No conversation found with session ID: gone-session']);
    expect(f.stderr).to.include('No conversation found with session ID: gone-session');
  });

  it('error result: success + is_error:true with api_error_status, process stays alive', async () => {
    const f = start([], { FAKE_CLAUDE_ERROR_RESULT: '1' });
    f.user('a');
    const r1 = await f.waitResult(1);
    expect(r1).to.include({ subtype: 'success', is_error: true, result: 'API Error: 400 fake', api_error_status: 400 });
    f.user('b');
    await f.waitResult(2);
    f.end();
    expect((await f.waitExit()).code).to.equal(1);
  });

  it('SIGTERM exits 143 by default; with FAKE_CLAUDE_IGNORE_SIGTERM only SIGKILL stops it', async () => {
    const normal = start();
    normal.user('hi');
    await normal.waitResult();
    normal.child.kill('SIGTERM');
    expect(await normal.waitExit()).to.deep.equal({ code: 143, signal: null });

    const f = start([], { FAKE_CLAUDE_IGNORE_SIGTERM: '1' });
    f.user('hi');
    await f.waitResult();
    f.child.kill('SIGTERM');
    await f.waitStderr(/ignoring SIGTERM/);
    f.user('still there?');
    expect((await f.waitResult(2)).result).to.match(/^FAKE REPLY 2 to: still there\?/);
    expect(f.exit).to.equal(undefined);
    f.child.kill('SIGKILL');
    expect(await f.waitExit()).to.deep.equal({ code: null, signal: 'SIGKILL' });
  });

  it('grandchildren: pids reported; own-session one ignores SIGTERM and survives a SIGKILL of the fake', async () => {
    const pidsFile = path.join(dir, 'pids');
    const f = start([], { FAKE_CLAUDE_GRANDCHILD: '1', FAKE_CLAUDE_PIDS_FILE: pidsFile });
    const m = await f.until('two grandchild pids', () => {
      const all = [...f.stderr.matchAll(/^grandchild-pid (\d+)$/gm)].map((x) => Number(x[1]));
      return all.length >= 2 ? all : undefined;
    });
    for (const p of m) extraPids.add(p);
    const fromFile = readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
    expect(fromFile).to.deep.equal(m);
    const [own, same] = m as [number, number];

    const ownStat = procStat(own)!;
    const sameStat = procStat(same)!;
    expect(ownStat.session).to.equal(own); // setsid: its own session and group
    expect(ownStat.pgrp).to.equal(own);
    expect(sameStat.pgrp).to.equal(f.pid); // the fake's group (the fake is a group leader here)
    // SIGTERM (15) is ignored (SIG_IGN) by the own-session grandchild only: bit 14 of SigIgn.
    const termIgnored = (pid: number): boolean => {
      const m = /SigIgn:\s*([0-9a-f]+)/.exec(readProc(pid, 'status') ?? '')!;
      return ((BigInt('0x' + m[1]) >> 14n) & 1n) === 1n;
    };
    expect(termIgnored(own)).to.equal(true);
    expect(termIgnored(same)).to.equal(false);
    // Both inherited the fake's environment (so an env tag set by the host reaches them).
    expect(readProc(own, 'environ')).to.include(`FAKE_CLAUDE_STATE_DIR=${stateDir}\0`);

    // The fake still answers normally.
    f.user('hi');
    await f.waitResult();

    // SIGKILL only the fake (not its group): both grandchildren are orphaned, still alive.
    f.child.kill('SIGKILL');
    expect(await f.waitExit()).to.deep.equal({ code: null, signal: 'SIGKILL' });
    expect(isAlive(own)).to.equal(true);
    expect(isAlive(same)).to.equal(true);
    for (const p of m) signal(p, 'SIGKILL');
    await waitGone(m, WAIT_MS);
  });

  it('grandchildren are killed when the fake exits normally (EOF)', async () => {
    const f = start([], { FAKE_CLAUDE_GRANDCHILD: '1' });
    const pids = await f.until('two grandchild pids', () => {
      const all = [...f.stderr.matchAll(/^grandchild-pid (\d+)$/gm)].map((x) => Number(x[1]));
      return all.length >= 2 ? all : undefined;
    });
    for (const p of pids) extraPids.add(p);
    f.end();
    expect((await f.waitExit()).code).to.equal(0);
    await waitGone(pids, WAIT_MS);
  });

  it('huge lines: assistant and result text of exactly N bytes', async () => {
    const n = 3 * 1024 * 1024;
    const f = start([], { FAKE_CLAUDE_HUGE_LINE_BYTES: String(n) });
    f.user('big');
    const r = await f.waitResult(1, 15000);
    const a = f.messages.find((m) => m.type === 'assistant')!;
    expect(Buffer.byteLength(a.message.content[0].text)).to.equal(n);
    expect(Buffer.byteLength(r.result)).to.equal(n);
    expect(r.result.startsWith('FAKE REPLY 1 to: big')).to.equal(true);
    f.end();
    expect((await f.waitExit()).code).to.equal(0);
  });

  it('invalid output: bad UTF-8, a non-JSON line, an unknown type, multibyte text written byte by byte', async () => {
    const f = start([], { FAKE_CLAUDE_INVALID: 'utf8' });
    f.user('weird');
    await f.waitResult();
    expect(f.lines[0]).to.include('\uFFFD'); // 0xff 0xfe decode to replacement characters
    expect(JSON.parse(f.lines[0]!).type).to.equal('system');
    expect(f.lines[1]).to.equal('this is not json');
    expect(JSON.parse(f.lines[2]!)).to.deep.equal({ type: 'brand_new_type', x: 1 });
    const texts = f.messages.filter((m) => m.type === 'assistant').map((m) => m.message.content[0].text);
    expect(texts).to.include('multibyte: é 🙂 中文');
    // It was written one byte per write; how many chunks the reader sees depends on scheduling,
    // so only the joined result is asserted here.
    f.end();
    expect((await f.waitExit()).code).to.equal(0);
  });

  it('records argv, CLAUDE*/ANTHROPIC* env names and stdin lines', async () => {
    const argsFile = path.join(dir, 'args.jsonl');
    const stdinLog = path.join(dir, 'stdin.log');
    const f = start(['--model', 'm'], {
      FAKE_CLAUDE_ARGS_FILE: argsFile,
      FAKE_CLAUDE_LOG_STDIN: stdinLog,
      ANTHROPIC_API_KEY: 'sk-x',
      CLAUDE_CONFIG_DIR: dir,
    });
    f.user('logged');
    await f.waitResult();
    f.end();
    await f.waitExit();
    const rec = JSON.parse(readFileSync(argsFile, 'utf8').trim());
    expect(rec.argv).to.deep.equal([...BASE_ARGS, '--model', 'm']);
    expect(rec.env).to.deep.equal(['ANTHROPIC_API_KEY', 'CLAUDE_CONFIG_DIR']);
    const logged = readFileSync(stdinLog, 'utf8').trim().split('\n');
    expect(logged).to.have.length(1);
    expect(JSON.parse(logged[0]!).message.content[0].text).to.equal('logged');
  });

  it('records its whole environment, names and values, one line per start, even when it crashes at start', async () => {
    const envFile = path.join(dir, 'env.jsonl');
    const first = start([], { FAKE_CLAUDE_ENV_FILE: envFile, SOME_VAR: 'some value', FAKE_CLAUDE_CRASH: 'start' });
    expect((await first.waitExit()).code).to.equal(1);
    const second = start([], { FAKE_CLAUDE_ENV_FILE: envFile, OTHER: 'x=y z' });
    second.end();
    await second.waitExit();
    const recs = readFileSync(envFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number; env: Record<string, string> });
    expect(recs.map((r) => r.pid)).to.deep.equal([first.pid, second.pid]);
    expect(recs[0]!.env).to.include({ SOME_VAR: 'some value', FAKE_CLAUDE_CRASH: 'start', FAKE_CLAUDE_STATE_DIR: stateDir });
    expect(recs[1]!.env).to.include({ OTHER: 'x=y z' });
    expect(recs[1]!.env).to.not.have.property('SOME_VAR');
    expect(Object.keys(recs[1]!.env)).to.deep.equal(Object.keys(recs[1]!.env).sort());
  });

  it('hang: reads stdin, never answers, does not exit on EOF', async () => {
    const stdinLog = path.join(dir, 'stdin.log');
    const f = start([], { FAKE_CLAUDE_HANG: '1', FAKE_CLAUDE_LOG_STDIN: stdinLog });
    f.user('anyone?');
    f.end();
    // The line reached the fake (event: the log file has it), yet no output and no exit.
    const deadline = Date.now() + WAIT_MS;
    while (!(existsSync(stdinLog) && readFileSync(stdinLog, 'utf8').includes('anyone?'))) {
      if (Date.now() > deadline) throw new Error('stdin line never logged');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(f.lines).to.deep.equal([]);
    expect(f.exit).to.equal(undefined);
    f.child.kill('SIGKILL');
    await f.waitExit();
  });
});
