// Benchmarks (`npm run bench`). Prints figures measured in one run, side by side; it is not a test.
// Everything runs on 127.0.0.1 against the fakes in test/helpers: the fake Messages API with the
// real Claude Code CLI, and the rate-limiting fake Bot API with the bot started as `npm start` does.
//
//   1. follow-up turn cost: one persistent stream-json CLI (WorkspaceLoop: turn$ + ClaudeDriver) vs a fresh
//      `claude -p --resume` per turn (wall and CPU);
//   2. parse-and-validate throughput (parseCliLine + toEvents) vs raw JSON.parse;
//   3. RSS growth of this process while 100 MiB of stream-json flows through one turn (turn$ + ClaudeDriver);
//   4. Telegram calls and 429s for 10 chats streaming at once;
//   5. latency from the model's first streamed text to the first Telegram call showing it.
//
// Part 3 runs first, so its RSS baseline is taken before the other parts have grown the heap.
// Every part cleans up in `finally`; a failing part prints its error and the others still run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { allReaped, claudeProcess$, killAllNow } from '../src/drivers/claude/process.ts';
import { sessionStore } from '../src/drivers/sessionStore.ts';
import { TAG_VAR } from '../src/drivers/claude/processTree.ts';
import { toEvents } from '../src/domain/toEvents.ts';
import type { SessionEvent, ResultEvent } from '../src/domain/events.ts';
import { parseCliLine } from '../src/protocol/cliLine.ts';
import type { Persona } from '../src/protocol/persona.ts';
import { WorkspaceLoop } from '../test/helpers/workspaceLoop.ts';
import { startBot, OWNER, type Harness } from '../test/helpers/botHarness.ts';
import { claudeBin, makeCliEnv } from '../test/helpers/cliEnv.ts';
import { startFakeModel, type FakeModel } from '../test/helpers/fakeModel.ts';
import { pidsWithEnv, procStat, signalGroup } from '../test/helpers/processes.ts';
import { bridgeShare, warmRestart, type BenchContext } from './bridge.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MiB = 1024 * 1024;
const FOLLOW_UPS = 8;
const PARSE_TARGET_BYTES = 50 * MiB;
const FLOOD_BYTES = 100 * MiB;
const TG_CHATS = 10;
const LATENCY_TURNS = 3; // per chat kind (private: drafts, group: edits)

// ---------------------------------------------------------------------------------------------
// Output and summary

interface Row {
  part: string;
  figure: string;
  target: string;
  verdict: 'PASS' | 'FAIL' | 'info' | 'ERROR';
}
const summary: Row[] = [];
const out = (s = '') => console.log(s);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (ok: boolean): Row['verdict'] => (ok ? 'PASS' : 'FAIL');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** BENCH_ONLY=5,6 runs only those parts (all by default). */
const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim());

async function part(title: string, summaryName: string, fn: () => Promise<void>): Promise<void> {
  if (only && !only.includes(summaryName.split(' ')[0]!)) return;
  out();
  out(`== ${title}`);
  const t0 = performance.now();
  try {
    await fn();
  } catch (err) {
    out(`   ERROR: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    summary.push({ part: summaryName, figure: `error: ${err instanceof Error ? err.message.split('\n')[0]!.slice(0, 70) : String(err)}`, target: '', verdict: 'ERROR' });
  }
  out(`   (part took ${fmt((performance.now() - t0) / 1000, 1)} s)`);
}

// ---------------------------------------------------------------------------------------------
// Process bookkeeping: nothing this script starts may outlive it.

const freshChildren = new Set<ChildProcess>();
const cliHomes: string[] = [];

function killGroup(pid: number | undefined): void {
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
}

function killEverything(): void {
  for (const c of freshChildren) if (c.exitCode === null && c.signalCode === null) killGroup(c.pid);
  killAllNow();
}
process.on('exit', killEverything);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    out(`\n${sig}: killing everything this benchmark started`);
    killEverything();
    process.exit(130);
  });
}

/** CLIs still alive that this script started (they carry one of our temp HOMEs). */
function leftovers(): number[] {
  return cliHomes.flatMap((home) => pidsWithEnv(`HOME=${home}`));
}

// ---------------------------------------------------------------------------------------------
// /proc helpers

/** /proc/<pid>/stat times are in clock ticks (USER_HZ): `getconf CLK_TCK`, 100 on Linux x86-64. */
const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** utime, stime, cutime, cstime (ticks) of /proc/<pid>/stat. */
function procTimes(pid: number | 'self'): { utime: number; stime: number; cutime: number; cstime: number } {
  const st = procStat(pid);
  if (!st) throw new Error(`process ${pid} is gone: no CPU times to read`);
  return st;
}
const ticksToMs = (t: number) => (t * 1000) / CLK_TCK;

function getGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const sum = xs.reduce((a, b) => a + b, 0);
  return { mean: sum / xs.length, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, median: sorted[Math.floor(sorted.length / 2)] ?? NaN };
};

const PLAIN_PERSONA: Persona = { name: 'bench', settings: {} };

function resultOf(events: SessionEvent[]): ResultEvent {
  const r = events.find((e): e is ResultEvent => e.kind === 'result');
  if (!r) {
    const f = events.find((e) => e.kind === 'failure');
    throw new Error(`turn ended without a result${f && f.kind === 'failure' ? `: ${f.message}` : ''}`);
  }
  if (r.isError) throw new Error(`turn ended with an error result: ${r.text}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// 1. Follow-up turn cost: persistent vs fresh process

async function followUpCost(): Promise<void> {
  out(`   method: N=${FOLLOW_UPS} follow-up turns after 1 warm-up turn, each path in its own conversation, same fake model and env.`);
  out(`   (a) persistent: the project's turn$ + ClaudeDriver + sessionStore (stream-json in/out, --include-partial-messages as the bot runs it);`);
  out(`       wall = turn$ subscribed (message written) → result event; CPU = Δ(utime+stime+cutime+cstime) of /proc/<CLI pid>/stat`);
  out(`       (all threads, plus children the CLI reaped) from before turn 1 to 300 ms after turn N (idle time between turns included), ÷ N.`);
  out(`   (b) fresh: \`claude -p "<prompt>" --output-format stream-json --verbose --resume <id>\` (stdin ignored), one after another;`);
  out(`       wall = spawn → exit (also spawn → result line); CPU = Δ(cutime+cstime) of /proc/self/stat around each run`);
  out(`       (Node reaps the child, so its whole CPU incl. threads and reaped grandchildren lands there; no other child runs meanwhile), ÷ N.`);

  const model = await startFakeModel();
  const cli = await makeCliEnv(model.url);
  cliHomes.push(cli.home);
  const dirA = mkdtempSync(join(tmpdir(), 'bench-persistent-'));
  const dirB = mkdtempSync(join(tmpdir(), 'bench-fresh-'));
  const bin = claudeBin();
  let session: WorkspaceLoop | undefined;
  try {
    // (a) persistent
    session = new WorkspaceLoop({ driver: { bin, env: cli.env }, dir: dirA, persona: PLAIN_PERSONA, store: sessionStore });
    const s = session;
    const turn = async (prompt: string) => {
      const t0 = performance.now();
      let tResult = NaN;
      const events = await lastValueFrom(
        s.turn$(prompt).pipe(
          tap((e) => {
            if (e.kind === 'result') tResult = performance.now();
          }),
          toArray(),
        ),
      );
      resultOf(events);
      return tResult - t0;
    };
    const warmA = await turn('warm-up question for the persistent process');
    const pid = s.pid;
    if (pid === undefined) throw new Error('the persistent CLI is not alive after the warm-up turn');
    const before = procTimes(pid);
    const wallsA: number[] = [];
    for (let i = 1; i <= FOLLOW_UPS; i++) wallsA.push(await turn(`persistent follow-up question ${i}`));
    await sleep(300);
    if (s.pid !== pid) throw new Error('the persistent CLI was replaced during the run');
    const after = procTimes(pid);
    const cpuA = ticksToMs(after.utime + after.stime + after.cutime + after.cstime - (before.utime + before.stime + before.cutime + before.cstime)) / FOLLOW_UPS;
    await s.shutdown();
    session = undefined;

    // (b) fresh process per turn
    const fresh = async (prompt: string, resumeId?: string) => {
      const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', ...(resumeId ? ['--resume', resumeId] : [])];
      const cpu0 = procTimes('self');
      const t0 = performance.now();
      const child = spawn(bin, args, { cwd: dirB, env: cli.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      freshChildren.add(child);
      let buf = '';
      let stderr = '';
      let tResult = NaN;
      let sessionId: string | undefined;
      let result: Record<string, unknown> | undefined;
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          try {
            const v = JSON.parse(line) as Record<string, unknown>;
            if (typeof v.session_id === 'string') sessionId ??= v.session_id;
            if (v.type === 'result') {
              tResult = performance.now();
              result = v;
            }
          } catch {
            /* not JSON */
          }
        }
      });
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
      const timer = setTimeout(() => killGroup(child.pid), 60_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(timer);
      freshChildren.delete(child);
      const tExit = performance.now();
      const cpu1 = procTimes('self');
      if (code !== 0 || !result || result.is_error !== false) throw new Error(`fresh claude -p exited ${code}; result ${JSON.stringify(result)?.slice(0, 300)}; stderr ${stderr.slice(-500)}`);
      return { wallExit: tExit - t0, wallResult: tResult - t0, cpu: ticksToMs(cpu1.cutime + cpu1.cstime - (cpu0.cutime + cpu0.cstime)), sessionId };
    };
    const warmB = await fresh('warm-up question for fresh processes');
    if (!warmB.sessionId) throw new Error('no session id from the fresh warm-up run');
    const runsB: Awaited<ReturnType<typeof fresh>>[] = [];
    for (let i = 1; i <= FOLLOW_UPS; i++) runsB.push(await fresh(`fresh follow-up question ${i}`, warmB.sessionId));

    const a = stats(wallsA);
    const bExit = stats(runsB.map((r) => r.wallExit));
    const bResult = stats(runsB.map((r) => r.wallResult));
    const cpuB = stats(runsB.map((r) => r.cpu)).mean;
    const wallRatio = bExit.mean / a.mean;
    benchContext.freshWallMs = bExit.mean;
    const wallRatioResult = bResult.mean / a.mean;
    const cpuRatio = cpuB / cpuA;
    out(`   warm-up (not counted): persistent first turn ${fmt(warmA)} ms incl. spawn; fresh first run ${fmt(warmB.wallExit)} ms`);
    out(`   (a) persistent: wall ${fmt(a.mean)} ms/turn (median ${fmt(a.median)}, min ${fmt(a.min)}, max ${fmt(a.max)}); CPU ${fmt(cpuA, 1)} ms/turn`);
    out(`   (b) fresh -p:   wall ${fmt(bExit.mean)} ms/turn to exit (median ${fmt(bExit.median)}, min ${fmt(bExit.min)}, max ${fmt(bExit.max)}), ${fmt(bResult.mean)} ms to the result line; CPU ${fmt(cpuB, 1)} ms/turn`);
    out(`   ratio fresh/persistent: wall ${fmt(wallRatio, 1)}x (to result line: ${fmt(wallRatioResult, 1)}x), CPU ${fmt(cpuRatio, 1)}x   (CPU resolution: ${1000 / CLK_TCK} ms ticks)`);
    out(`   target ≥ 10x lower for follow-up turns: CPU ${verdict(cpuRatio >= 10)}, wall ${verdict(wallRatio >= 10)}`);
    summary.push({ part: '1 follow-up CPU fresh/persistent', figure: `${fmt(cpuRatio, 1)}x (${fmt(cpuB)} vs ${fmt(cpuA, 1)} ms/turn)`, target: '≥ 10x', verdict: verdict(cpuRatio >= 10) });
    summary.push({ part: '1 follow-up wall fresh/persistent', figure: `${fmt(wallRatio, 1)}x (${fmt(bExit.mean)} vs ${fmt(a.mean)} ms/turn)`, target: '≥ 10x', verdict: verdict(wallRatio >= 10) });
  } finally {
    await session?.shutdown();
    for (const c of freshChildren) killGroup(c.pid);
    await allReaped();
    await model.close();
    await cli.cleanup();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Parse-and-validate throughput

function rawPass(lines: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const v = JSON.parse(lines[i]!) as { type?: unknown };
    if (typeof v.type === 'string') n++;
  }
  return n;
}

function validatedPass(lines: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const evs = toEvents(parseCliLine(lines[i]!));
    n += evs.length;
  }
  return n;
}

async function parseThroughput(): Promise<void> {
  const dir = join(ROOT, 'fixtures');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  const base = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim().length > 0));
  const baseBytes = base.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const reps = Math.ceil(PARSE_TARGET_BYTES / baseBytes);
  const lines: string[] = [];
  for (let r = 0; r < reps; r++) for (const l of base) lines.push(l);
  const totalMiB = (baseBytes * reps) / MiB;
  out(`   method: ${base.length} lines of ${files.length} fixtures/*.jsonl (${fmt(baseBytes / 1024, 1)} KiB), repeated ${reps}x = ${fmt(lines.length)} lines, ${fmt(totalMiB, 1)} MiB (UTF-8 bytes + newline);`);
  out(`           the same for-loop over the array with JSON.parse vs toEvents(parseCliLine(line)); 1 warm-up pass each, then 3 timed passes each, interleaved; best of 3.`);

  // Sanity: every fixture line must validate (an invalid line would be a cheap early exit).
  const invalid = base.filter((l) => parseCliLine(l).kind === 'invalid').length;
  let sink = rawPass(lines) + validatedPass(lines);
  const raw: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    sink += rawPass(lines);
    raw.push(performance.now() - t);
    t = performance.now();
    sink += validatedPass(lines);
    val.push(performance.now() - t);
  }
  const rawBest = Math.min(...raw);
  const valBest = Math.min(...val);
  const rawMBs = totalMiB / (rawBest / 1000);
  const valMBs = totalMiB / (valBest / 1000);
  const ratio = valMBs / rawMBs;
  out(`   invalid fixture lines: ${invalid} (checksum ${sink})`);
  out(`   raw JSON.parse:                ${fmt(rawMBs)} MiB/s  (${fmt(lines.length / (rawBest / 1000) / 1000)} k lines/s; passes ${raw.map((x) => fmt(x)).join(', ')} ms)`);
  out(`   parseCliLine + toEvents:       ${fmt(valMBs)} MiB/s  (${fmt(lines.length / (valBest / 1000) / 1000)} k lines/s; passes ${val.map((x) => fmt(x)).join(', ')} ms)`);
  out(`   ratio: ${fmt(ratio * 100, 1)} % of raw JSON.parse throughput   target ≥ 50 %: ${verdict(ratio >= 0.5)}`);

  // Where it goes: the same ratio per line type (each type's fixture lines repeated to ~2 MiB, best of 3).
  const byType = new Map<string, string[]>();
  for (const l of base) {
    const v = JSON.parse(l) as { type?: string };
    const t = v.type ?? '?';
    byType.set(t, [...(byType.get(t) ?? []), l]);
  }
  const parts: string[] = [];
  for (const [t, ls] of [...byType].sort((a, b) => b[1].join('').length - a[1].join('').length)) {
    const bytes = ls.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    if (bytes * reps < baseBytes * reps * 0.02) continue; // under 2 % of the bytes: skip
    const set: string[] = [];
    for (let r = Math.ceil((2 * MiB) / bytes); r > 0; r--) set.push(...ls);
    let bestRaw = Infinity;
    let bestVal = Infinity;
    sink += rawPass(set) + validatedPass(set);
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      sink += rawPass(set);
      bestRaw = Math.min(bestRaw, performance.now() - t0);
      t0 = performance.now();
      sink += validatedPass(set);
      bestVal = Math.min(bestVal, performance.now() - t0);
    }
    parts.push(`${t} ${fmt((bestRaw / bestVal) * 100)} % (${fmt((bytes / baseBytes) * 100)} % of bytes)`);
  }
  out(`   (info) same ratio by line type: ${parts.join(', ')}`);
  summary.push({ part: '2 parse+validate vs JSON.parse', figure: `${fmt(ratio * 100, 1)} % (${fmt(valMBs)} vs ${fmt(rawMBs)} MiB/s)`, target: '≥ 50 %', verdict: verdict(ratio >= 0.5) });
}

// ---------------------------------------------------------------------------------------------
// 3. Memory while 100 MiB streams through the pipeline

async function memoryFlood(): Promise<void> {
  const floodBin = join(ROOT, 'bench', 'flood.mjs');
  out(`   method: bench/flood.mjs (fake CLI) writes init, ~${FLOOD_BYTES / MiB} MiB of stream_event text_delta lines and 10-50 KB assistant lines, then result,`);
  out(`           respecting backpressure; one turn$ with the real ClaudeDriver; events are counted, not kept;`);
  out(`           process.memoryUsage.rss() sampled every 50 ms (and every 2,000 events); baseline after gc just before the turn.`);
  const gc = getGc();
  const dir = mkdtempSync(join(tmpdir(), 'bench-flood-'));
  const session = new WorkspaceLoop({
    driver: { bin: floodBin, env: { PATH: process.env.PATH, HOME: process.env.HOME, FLOOD_BYTES: String(FLOOD_BYTES) } },
    dir,
    persona: PLAIN_PERSONA,
    store: sessionStore,
  });
  let sampler: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < 3; i++) gc?.();
    await sleep(100);
    gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sample = () => {
      const r = process.memoryUsage.rss();
      if (r > peak) peak = r;
    };
    sampler = setInterval(sample, 50);
    let events = 0;
    let result: ResultEvent | undefined;
    const t0 = performance.now();
    await lastValueFrom(
      session.turn$('flood me').pipe(
        tap((e) => {
          events++;
          if (events % 2000 === 0) sample();
          if (e.kind === 'result') result = e;
          if (e.kind === 'failure') throw new Error(`flood turn failed: ${e.message}`);
        }),
      ),
      { defaultValue: undefined },
    );
    const secs = (performance.now() - t0) / 1000;
    sample();
    clearInterval(sampler);
    sampler = undefined;
    const m = result ? /flood done: (\d+) bytes, (\d+) lines/.exec(result.text) : null;
    if (!m) throw new Error(`no flood result (got ${result ? JSON.stringify(result.text).slice(0, 200) : 'none'})`);
    const bytes = Number(m[1]);
    const growth = (peak - baseline) / MiB;
    out(`   gc before baseline: ${gc ? 'yes' : 'NO (not available)'}`);
    out(`   streamed ${fmt(bytes / MiB, 1)} MiB in ${fmt(Number(m[2]))} lines → ${fmt(events)} events in ${fmt(secs, 2)} s = ${fmt(bytes / MiB / secs, 1)} MiB/s, ${fmt(events / secs / 1000, 1)} k events/s`);
    out(`   RSS baseline ${fmt(baseline / MiB, 1)} MiB, peak ${fmt(peak / MiB, 1)} MiB, growth ${fmt(growth, 1)} MiB   target < 50 MiB: ${verdict(growth < 50)}`);
    summary.push({ part: '3 RSS growth, 100 MiB stream', figure: `${fmt(growth, 1)} MiB (${fmt(bytes / MiB / secs, 1)} MiB/s)`, target: '< 50 MiB', verdict: verdict(growth < 50) });
  } finally {
    if (sampler) clearInterval(sampler);
    await session.shutdown();
    await allReaped();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Telegram: 10 chats streaming at once against the rate-limiting fake Bot API

const NOT_COUNTED = new Set(['getUpdates', 'getMe', 'setMyCommands']);

function markdownAnswer(): string {
  const paras = [
    '## Result of the refactoring\n\nI moved the **process handling** into `claudeProcess.ts` and kept the *session logic* pure.',
    '- The CLI now lives across turns.\n- Crashes respawn with `--resume`.\n- Idle processes end after 15 minutes.',
    '```ts\nconst proc$ = defer(() => spawn(spec)).pipe(share());\n```',
    'See the [docs](https://example.com/docs) for details; the tests cover **each** case, including _interrupts_ and stale resumes.',
    '1. Run `npm test`.\n2. Run `npm run bench`.\n3. Read the figures.',
  ];
  let s = '';
  for (let i = 0; s.length < 1450; i++) s += `${paras[i % paras.length]}\n\n`;
  return `${s}END OF ANSWER.`;
}

async function telegramLoad(): Promise<void> {
  const answer = markdownAnswer();
  out(`   method: the bot as \`npm start\` runs it (botHarness.startBot, default fake rate limits) with the real CLI; ${TG_CHATS} private chats each send one message at once;`);
  out(`           the fake model streams a ${answer.length}-char Markdown answer to each (chunkSize 40, delayMs 60 → ~${fmt((Math.ceil(answer.length / 40) * 60) / 1000, 1)} s);`);
  out(`           wait for all ${TG_CHATS} final answers; count Bot API calls except getUpdates/getMe/setMyCommands.`);
  let h: Harness | undefined;
  try {
    const requestAt = new Map<number, number>();
    h = await startBot({
      director: (req) => {
        const m = /refactor module (\d+)/.exec(req.lastUserText);
        if (m && !requestAt.has(Number(m[1]))) requestAt.set(Number(m[1]), Date.now());
        return { text: answer, chunkSize: 40, delayMs: 60 };
      },
    });
    cliHomes.push(h.home);
    await h.start();
    const harness = h;
    const chats = Array.from({ length: TG_CHATS }, (_, i) => 4001 + i);
    const t0 = Date.now();
    for (const [i, c] of chats.entries()) harness.tg.sendText({ chatId: c, userId: OWNER, text: `Please refactor module ${i + 1}.`, chatType: 'private' });
    const doneAt = await Promise.all(
      chats.map(async (c) => {
        await harness.waitForMessage(c, /END OF ANSWER[\s\S]*⏱/, 120_000);
        return Date.now();
      }),
    );
    await sleep(500); // let trailing calls land
    const calls = harness.tg.calls.filter((c) => !NOT_COUNTED.has(c.method) && c.at >= t0);
    const byMethod: Record<string, number> = {};
    for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    const tooMany = harness.tg.stats.tooMany;
    const finals = stats(doneAt.map((t) => t - t0));
    const toModel = stats(chats.map((_, i) => (requestAt.get(i + 1) ?? NaN) - t0));
    const modelToFinal = stats(chats.map((_, i) => doneAt[i]! - (requestAt.get(i + 1) ?? NaN)));
    out(`   all ${TG_CHATS} final answers arrived; message → final answer: median ${fmt(finals.median / 1000, 1)} s, max ${fmt(finals.max / 1000, 1)} s`);
    out(`     of which message → model request (10 CLIs starting at once on this machine): median ${fmt(toModel.median / 1000, 1)} s, max ${fmt(toModel.max / 1000, 1)} s;`);
    out(`     model request → final answer (streaming + delivery): median ${fmt(modelToFinal.median / 1000, 1)} s, max ${fmt(modelToFinal.max / 1000, 1)} s`);
    out(`   429s: ${tooMany}${tooMany ? ` (${JSON.stringify(harness.tg.stats.tooManyByMethod)})` : ''}   target 0: ${verdict(tooMany === 0)}`);
    out(`   Telegram calls: ${calls.length} total, ${fmt(calls.length / TG_CHATS, 1)} per turn`);
    for (const [m, n] of Object.entries(byMethod).sort((a, b) => b[1] - a[1])) out(`     ${m.padEnd(20)} ${String(n).padStart(5)}  (${fmt(n / TG_CHATS, 1)} per turn)`);
    const failed = calls.filter((c) => c.status !== 200);
    if (failed.length) out(`   non-200 calls: ${failed.length} (${[...new Set(failed.map((c) => `${c.method} ${c.status}`))].join(', ')})`);
    summary.push({ part: '4 Telegram 429s, 10 chats', figure: `${tooMany}`, target: '0', verdict: verdict(tooMany === 0) });
    summary.push({ part: '4 Telegram calls per turn', figure: `${fmt(calls.length / TG_CHATS, 1)} (${calls.length} total)`, target: '≤ 6.1', verdict: verdict(calls.length / TG_CHATS <= 6.1) });
  } finally {
    await h?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Latency from the first streamed text to the first Telegram call showing it

const TOKEN_RE = /LTK\d+n\d+Z/g;
const SEG = 40;
const SEGMENTS = 24;
const TOKEN_EVERY = 8; // a token at the start of segments 0, 8, 16

function latencyReply(id: number): string {
  const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
  let s = '';
  for (let k = 0; k < SEGMENTS; k++) {
    const head = k % TOKEN_EVERY === 0 ? `LTK${id}n${k / TOKEN_EVERY}Z ` : k === SEGMENTS - 1 ? `DONE${id} ` : '';
    s += (head + filler.repeat(2)).slice(0, SEG - 1) + (k % 6 === 5 ? '\n' : ' ');
  }
  return s;
}

async function latency(): Promise<void> {
  out(`   method: bot via botHarness (default rate limits), one private chat (live view = sendMessageDraft) and one group chat (live view = sendMessage + editMessageText),`);
  out(`           ${LATENCY_TURNS} turns each (the two chats in parallel, turns in a chat one after another). The model streams ${SEGMENTS} chunks of ${SEG} chars, 100 ms apart;`);
  out(`           chunks 0, 8, 16 start with a unique token. t0 = when the fake model wrote the chunk (a bench-side hook on ServerResponse.write);`);
  out(`           t1 = \`at\` of the first successful sendMessageDraft/sendMessage/editMessageText whose text has the token. Includes the CLI's own relay latency.`);
  const firstWrite = new Map<string, number>();
  const directorAt = new Map<number, number>();
  const origWrite = ServerResponse.prototype.write;
  // Bench-side timestamp hook: notes when a token first leaves this process on an HTTP response.
  ServerResponse.prototype.write = function (this: ServerResponse, ...args: unknown[]) {
    const chunk = args[0];
    if (typeof chunk === 'string' && chunk.includes('LTK')) {
      const now = Date.now();
      for (const m of chunk.matchAll(TOKEN_RE)) if (!firstWrite.has(m[0])) firstWrite.set(m[0], now);
    }
    return (origWrite as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof origWrite;
  let h: Harness | undefined;
  try {
    h = await startBot({
      director: (req) => {
        const m = /latency probe (\d+)/.exec(req.lastUserText);
        if (!m) return undefined;
        const id = Number(m[1]);
        directorAt.set(id, Date.now());
        return { text: latencyReply(id), chunkSize: SEG, delayMs: 100 };
      },
    });
    cliHomes.push(h.home);
    await h.start();
    const harness = h;
    const privateChat = 5001;
    const groupChat = -5002;
    const runChat = async (chatId: number, kind: 'private' | 'group', ids: number[]) => {
      for (const id of ids) {
        // In a group the bot acts only on messages addressed to it.
        harness.tg.sendText({ chatId, userId: OWNER, text: `${kind === 'group' ? '@fake_test_bot ' : ''}latency probe ${id}`, chatType: kind });
        await harness.waitForMessage(chatId, new RegExp(`DONE${id}[\\s\\S]*⏱`), 60_000);
      }
    };
    const pIds = Array.from({ length: LATENCY_TURNS }, (_, i) => 101 + i);
    const gIds = Array.from({ length: LATENCY_TURNS }, (_, i) => 201 + i);
    await Promise.all([runChat(privateChat, 'private', pIds), runChat(groupChat, 'group', gIds)]);
    await sleep(300);

    const shows = new Set(['sendMessageDraft', 'sendMessage', 'editMessageText']);
    const firstShown = (token: string) => {
      const c = harness.tg.calls.find((x) => shows.has(x.method) && x.status === 200 && typeof x.params.text === 'string' && x.params.text.includes(token));
      return c ? { at: c.at, method: c.method } : undefined;
    };
    const firsts: number[] = [];
    const followUps: number[] = [];
    const laters: number[] = [];
    for (const [kind, ids] of [['private', pIds], ['group', gIds]] as const) {
      for (const id of ids) {
        const parts: string[] = [];
        for (let k = 0; k * TOKEN_EVERY < SEGMENTS; k++) {
          const token = `LTK${id}n${k}Z`;
          const t0 = firstWrite.get(token) ?? (k === 0 ? directorAt.get(id) : undefined);
          const shown = firstShown(token);
          if (t0 === undefined || !shown) {
            parts.push(`chunk ${k * TOKEN_EVERY}: not seen`);
            continue;
          }
          const ms = shown.at - t0;
          (k === 0 ? firsts : laters).push(ms);
          if (k === 0 && id !== ids[0]) followUps.push(ms);
          parts.push(`chunk ${k * TOKEN_EVERY}: ${fmt(ms)} ms (${shown.method})`);
        }
        // What the chat lane did just before: the outbox paces each chat at one call per second.
        const first = firstShown(`LTK${id}n0Z`);
        const chatId = kind === 'private' ? privateChat : groupChat;
        const prev = first ? harness.tg.calls.filter((x) => x.at < first.at && x.params.chat_id === chatId && !NOT_COUNTED.has(x.method)).at(-1) : undefined;
        if (prev && first) parts[0] += ` [previous call in the chat: ${prev.method} ${fmt(first.at - prev.at)} ms before]`;
        const d = directorAt.get(id);
        const hook = firstWrite.get(`LTK${id}n0Z`);
        const skew = d !== undefined && hook !== undefined ? ` [director→write ${hook - d} ms]` : '';
        out(`   ${kind.padEnd(7)} turn ${id}: first text ${parts[0]}; later ${parts.slice(1).join(', ')}${skew}`);
      }
    }
    if (firsts.length < LATENCY_TURNS * 2) throw new Error(`only ${firsts.length} of ${LATENCY_TURNS * 2} first-text latencies were measured`);
    const maxFirst = Math.max(...firsts);
    out(`   first streamed text → first Telegram call showing it: max ${fmt(maxFirst)} ms, median ${fmt(stats(firsts).median)} ms   target ≤ 1000 ms: ${verdict(maxFirst <= 1000)}`);
    out(`   (info) later chunks → first call showing them: max ${fmt(Math.max(...laters))} ms, median ${fmt(stats(laters).median)} ms (the live view is throttled to 1 update/s)`);
    summary.push({ part: '5 first text → Telegram (max)', figure: `${fmt(maxFirst)} ms (median ${fmt(stats(firsts).median)})`, target: '≤ 1000 ms', verdict: verdict(maxFirst <= 1000) });
    summary.push({ part: '5 later chunks → Telegram (max)', figure: `${fmt(Math.max(...laters))} ms`, target: '-', verdict: 'info' });
    const fu = stats(followUps).median;
    out(`   first streamed text → Telegram on follow-up turns: median ${fmt(fu)} ms (${followUps.map((x) => fmt(x)).join(', ')})   target ≤ 50 ms: ${verdict(fu <= 50)}`);
    summary.push({ part: '5 first text → Telegram, follow-ups (median)', figure: `${fmt(fu)} ms`, target: '≤ 50 ms', verdict: verdict(fu <= 50) });
  } finally {
    ServerResponse.prototype.write = origWrite;
    await h?.close();
  }
}

// ---------------------------------------------------------------------------------------------

const benchContext: BenchContext = { out, fmt, summary, cliHomes };

async function main(): Promise<void> {
  const started = performance.now();
  out(`claude-telegram benchmarks — node ${process.version}, ${(await import('node:os')).cpus().length} cores, CLI ${claudeBin()}`);
  out('All servers are fakes on 127.0.0.1; MiB = 2^20 bytes. Ratios compare figures measured in this run.');
  out('Part 3 runs first so its RSS baseline is not affected by the heaps of the other parts.');

  await part('3. Memory: RSS growth while ~100 MiB of stream-json flows through one turn (turn$ + ClaudeDriver)', '3 RSS growth', memoryFlood);
  await part('1. Follow-up turn cost: persistent stream-json process vs fresh `claude -p` per turn', '1 follow-up turn cost', followUpCost);
  await part('2. Parse-and-validate throughput: parseCliLine + toEvents vs raw JSON.parse', '2 parse throughput', parseThroughput);
  await part(`4. Telegram: ${TG_CHATS} sessions in ${TG_CHATS} chats streaming at once`, '4 Telegram load', telegramLoad);
  await part('5. Latency: first streamed text → first Telegram call that shows it', '5 latency', latency);
  await part("6. The bridge's own share: update → CLI stdin, CLI stdout → Telegram, and the black-box follow-up turn", '6 bridge share', () => bridgeShare(benchContext));
  await part('7. First message after a restart → first text: cold vs warm', '7 warm restart', () => warmRestart(benchContext));

  await allReaped();
  const left = leftovers();
  if (left.length) {
    out(`\nWARNING: ${left.length} process(es) started by this run were still alive (${left.join(', ')}); killing them.`);
    for (const pid of left) killGroup(pid);
  }

  const order = (r: Row) => Number(r.part[0]);
  const rows = [...summary].sort((a, b) => order(a) - order(b));
  const w = [Math.max(4, ...rows.map((r) => r.part.length)), Math.max(6, ...rows.map((r) => r.figure.length)), Math.max(6, ...rows.map((r) => r.target.length))];
  out();
  out('== Summary');
  out(`   ${'what'.padEnd(w[0]!)}  ${'figure'.padEnd(w[1]!)}  ${'target'.padEnd(w[2]!)}  result`);
  out(`   ${'-'.repeat(w[0]!)}  ${'-'.repeat(w[1]!)}  ${'-'.repeat(w[2]!)}  ------`);
  for (const r of rows) out(`   ${r.part.padEnd(w[0]!)}  ${r.figure.padEnd(w[1]!)}  ${r.target.padEnd(w[2]!)}  ${r.verdict}`);
  out(`   total time ${fmt((performance.now() - started) / 1000, 1)} s; processes left behind: ${leftovers().length}; tag variable ${TAG_VAR}`);
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(err);
    killEverything();
    process.exit(1);
  });
