// Soak (`npm run soak`): a benchmark, not a test. The bot runs as `npm start` runs it (tsx
// src/main.ts) against the fake Bot API and the real Claude Code CLI pointed at the fake model.
//
//   - CHATS private chats (userId OWNER) each send MESSAGES messages at random intervals
//     (0.2-2 s), whether or not the previous one was answered, so per-session queues form;
//     every message carries a unique token `soak-cNN-mNN`;
//   - the fake model answers `ANSWER <token> …`, streamed in small chunks with small delays, the
//     token being the LAST one in the request's last user text (after a crash the resumed CLI may
//     send the re-sent prompt merged with the lost one);
//   - chaos: every 1.5-3 s one random live CLI process is SIGKILLed (its whole group when it is a
//     group leader), from the start until the end of the wait for answers;
//   - once half the messages were sent, the bot is restarted once (SIGTERM, exit code expected 0,
//     then started again on the same state) and the remaining messages follow;
//   - then it waits (bounded) until every message has a final answer, or nothing changes for a while;
//   - SOAK_KILLS times (2) the bot itself is SIGKILLed at a random moment and started again;
//   - then it stops the bot (SIGTERM) and counts.
//
// Counted per user message: its final answers, i.e. bot messages replying to it (replyToMessageId)
// that carry the answer footer (`⏱ … s · N turn(s)`) or start with ⚠️/⏹ (a failure). Notices do
// not count: '♻️ The bot restarted…', the shutdown notice '…will be answered when it is back.',
// 'Claude Code stopped unexpectedly…'. LOST: no final answer; DUPLICATED: more than one.
//
// Knobs (environment): SOAK_SEED, SOAK_CHATS (20), SOAK_MESSAGES (10), SOAK_GRACE_SECONDS (3, the
// bot's SHUTDOWN_GRACE_SECONDS), SOAK_WAIT_SECONDS (240), SOAK_NO_CHAOS=1, SOAK_RESTART_VIA=bot
// (signal the node process running src/main.ts instead of the tsx launcher, to tell the two apart).
// The full bot output and an event trace are written to a log file in the temp dir (path printed).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { OWNER, startBot, type Harness } from '../test/helpers/botHarness.ts';
import type { StoredMessage } from '../test/helpers/fakeBotApi/index.ts';
import type { ModelRequest, Reply } from '../test/helpers/fakeModel.ts';
import { cmdline, isAlive, memKb, parents, pidsWithEnv, procStat, signal, tagOf, taggedClaudePids } from '../test/helpers/processes.ts';

// ---------------------------------------------------------------------------------------------
// Settings

const num = (name: string, def: number) => {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v > 0 ? v : def;
};
const SEED = num('SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
const CHATS = Math.floor(num('SOAK_CHATS', 20));
const MESSAGES = Math.floor(num('SOAK_MESSAGES', 10));
const GRACE_SECONDS = num('SOAK_GRACE_SECONDS', 3);
const WAIT_MS = num('SOAK_WAIT_SECONDS', 240) * 1000;
const CHAOS = process.env.SOAK_NO_CHAOS !== '1';
/** 'tsx' (default): h.stop('SIGTERM'), i.e. the signal goes to the tsx launcher as a service
 *  manager would send it. 'bot': SIGTERM straight to the node process running src/main.ts. */
const RESTART_VIA = process.env.SOAK_RESTART_VIA === 'bot' ? 'bot' : 'tsx';
/** SIGKILLs of the bot itself (no shutdown at all), at random moments while messages and their
 *  state writes flow; each is followed by a start. Default 2 (at about 25 % and 75 % of the sends). */
const KILLS = process.env.SOAK_KILLS !== undefined && /^\d+$/.test(process.env.SOAK_KILLS) ? Number(process.env.SOAK_KILLS) : 2; // 0: none
const QUIET_MS = 30_000; // "nothing changes for a while"
const CHAT_BASE = 7000;
const TOTAL = CHATS * MESSAGES;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** mulberry32: a seeded PRNG, so a run can be replayed in its random choices (not its timing). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
const intBetween = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pad = (n: number) => String(n).padStart(2, '0');
const T0 = performance.now();
const EPOCH0 = Date.now();
const elapsed = () => (performance.now() - T0) / 1000;
const stamp = () => `+${elapsed().toFixed(1).padStart(6)} s`;

const trace: string[] = [];
const note = (msg: string, echo = true) => {
  const line = `${stamp()} ${msg}`;
  trace.push(line);
  if (echo) console.log(line);
};

const fmtMiB = (kB: number) => `${(kB / 1024).toFixed(1)} MiB`;

// ---------------------------------------------------------------------------------------------
// The bot's process tree (read from /proc by processTree.ts)

const isTagged = (pid: number) => tagOf(pid) !== undefined;

/**
 * The bot's processes: the tsx launcher (root) and its non-CLI descendants. CLI processes carry the
 * driver's tag; a CLI caught between fork and exec has no tag yet but already is a child of the bot
 * process (not of the launcher) running the bot's command line, so those are left out too.
 */
function botTree(root: number): number[] {
  const ppid = parents();
  const out: number[] = [root];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const [pid, parent] of ppid) {
      if (parent !== p || out.includes(pid) || isTagged(pid)) continue;
      if (p !== root && /main\.ts|claude/.test(cmdline(pid))) continue;
      out.push(pid);
      frontier.push(pid);
    }
  }
  return out;
}

/** The node process running src/main.ts: the launcher's child. */
function botNodePid(root: number): number | undefined {
  if (/main\.ts/.test(cmdline(root))) return root; // npm start is `node --import tsx src/main.ts`
  for (const [pid, parent] of parents()) if (parent === root && /main\.ts/.test(cmdline(pid)) && !isTagged(pid)) return pid;
  return undefined;
}

interface ProcPeak {
  pid: number;
  role: string;
  cmd: string;
  peakKb: number;
}

/** Samples VmHWM/VmRSS of the bot's non-CLI processes every 200 ms. */
class RssSampler {
  readonly peaks = new Map<number, ProcPeak>();
  peakTreeKb = 0;
  samples = 0;
  /** Processes to follow until they are gone: pid → [first seen, gone at] (seconds since start). */
  readonly watched = new Map<number, { since: number; goneAt?: number }>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly rootPid: () => number | undefined) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 200);
  }

  sample(): void {
    for (const [pid, w] of this.watched) if (w.goneAt === undefined && !isAlive(pid)) w.goneAt = elapsed();
    const root = this.rootPid();
    if (root === undefined || !isAlive(root)) return;
    let tree = 0;
    for (const pid of botTree(root)) {
      const rss = memKb(pid, 'VmRSS');
      const kb = Math.max(memKb(pid, 'VmHWM'), rss);
      if (!kb) continue;
      tree += rss;
      let p = this.peaks.get(pid);
      if (!p) {
        const cmd = cmdline(pid);
        const role = pid === root ? (/main\.ts/.test(cmd) ? 'bot' : 'tsx launcher') : /esbuild/.test(cmd) ? 'esbuild service' : /main\.ts/.test(cmd) ? 'bot' : 'other';
        p = { pid, role, cmd, peakKb: 0 };
        this.peaks.set(pid, p);
      }
      p.peakKb = Math.max(p.peakKb, kb);
    }
    this.peakTreeKb = Math.max(this.peakTreeKb, tree);
    this.samples++;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages and answers

interface Sent {
  chatId: number;
  index: number;
  token: string;
  messageId: number;
  updateId: number;
  at: number; // seconds since start
  afterRestart: boolean;
}

type Kind = 'answer' | 'failure' | 'restartNotice' | 'shutdownNotice' | 'statusLine' | 'other';

const FOOTER = /⏱ (?:\d+ min )?[\d.]+ s · \d+ turns?/;
const TOKEN_RE = /soak-c\d+-m\d+/g;

function classify(m: StoredMessage): Kind {
  const t = m.text ?? '';
  if (t.startsWith('♻️')) return 'restartNotice';
  if (/will be answered when it is back/.test(t)) return 'shutdownNotice';
  if (/^(⚠️ )?Claude Code stopped unexpectedly/.test(t)) return 'statusLine';
  if (FOOTER.test(t)) return 'answer';
  if (t.startsWith('⚠️') || t.startsWith('⏹')) return 'failure';
  return 'other';
}

interface Tally {
  finals: StoredMessage[];
  answers: StoredMessage[];
  failures: StoredMessage[];
  notices: StoredMessage[];
  others: StoredMessage[];
  wrongToken: StoredMessage[];
}

function tally(h: Harness, s: Sent): Tally {
  const t: Tally = { finals: [], answers: [], failures: [], notices: [], others: [], wrongToken: [] };
  for (const m of h.tg.chatLog(s.chatId)) {
    if (m.replyToMessageId !== s.messageId) continue;
    const k = classify(m);
    if (k === 'answer') {
      t.answers.push(m);
      t.finals.push(m);
      if (!(m.text ?? '').includes(`ANSWER ${s.token}`)) t.wrongToken.push(m);
    } else if (k === 'failure') {
      t.failures.push(m);
      t.finals.push(m);
    } else if (k === 'other') t.others.push(m);
    else t.notices.push(m);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// The run

let harness: Harness | undefined;

/** Last resort (signal, crash): nothing this script started may survive it. */
function killEverything(): void {
  const h = harness;
  if (!h) return;
  const pids = new Set<number>([...taggedClaudePids(h.env), ...pidsWithEnv(`HOME=${h.home}`)]);
  const botPid = h.bot?.pid;
  if (botPid !== undefined && isAlive(botPid)) for (const pid of botTree(botPid)) pids.add(pid);
  for (const pid of pids) signal(pid, 'SIGKILL');
}
process.on('exit', killEverything);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.log(`\n${sig}: killing everything the soak started`);
    killEverything();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  console.log(`soak: ${CHATS} chats × ${MESSAGES} messages, chaos ${CHAOS ? 'on' : 'off'}, seed ${SEED}, SHUTDOWN_GRACE_SECONDS=${GRACE_SECONDS}, restart signal to ${RESTART_VIA === 'bot' ? 'the bot process' : 'the process npm start runs'}`);
  const logFile = join(tmpdir(), `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const sent: Sent[] = [];
  let chaosKills = 0;
  let chaosOrphanKills = 0;
  const killLog: string[] = [];
  let restartExit: number | null | 'not done' | string = 'not done';
  let finalExit: number | null | 'not done' | string = 'not done';
  let restartAt = NaN;
  const killsDone: number[] = [];
  let leftAfterRestartStop: number[] = [];
  let restartLog = '';
  let sampler: RssSampler | undefined;
  let orphansAtEnd: { pid: number; cmd: string }[] = [];
  let journalLeft: unknown[] | string = 'not read';
  let crashed = false;
  let chaosOn = CHAOS;

  const director = (req: ModelRequest): Reply | undefined => {
    const tokens = req.lastUserText.match(TOKEN_RE);
    const token = tokens?.at(-1);
    if (!token) return undefined;
    const words = intBetween(8, 40);
    const filler = Array.from({ length: words }, (_, i) => `w${i}`).join(' ');
    return { text: `ANSWER ${token} ${filler}`, chunkSize: intBetween(6, 24), delayMs: intBetween(20, 150) };
  };

  const h = await startBot({ director, env: { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) } });
  harness = h;
  try {
    await h.start();
    note(`bot started (tsx pid ${h.bot.pid})`);
    sampler = new RssSampler(() => h.bot.pid);
    sampler.start();

    // --- chaos -------------------------------------------------------------------------------
    const chaos = (async () => {
      while (chaosOn) {
        await sleep(between(1500, 3000));
        if (!chaosOn) break;
        const live = taggedClaudePids(h.env).filter(isAlive);
        if (!live.length) continue;
        const pid = live[Math.floor(rand() * live.length)]!;
        const st = procStat(pid);
        const leader = st !== undefined && st.pgrp === pid;
        const cmd = cmdline(pid).slice(0, 60);
        const botPid = h.bot.pid !== undefined ? botNodePid(h.bot.pid) : undefined;
        const orphan = st !== undefined && st.ppid !== botPid && leader;
        // false: it exited meanwhile.
        if (leader ? signal(-pid, 'SIGKILL') : signal(pid, 'SIGKILL')) {
          chaosKills++;
          if (orphan) chaosOrphanKills++;
          const line = `chaos: SIGKILL ${leader ? 'group' : 'pid'} ${pid}${orphan ? ' (an orphan: its parent is not the running bot)' : ''} (${cmd}; ${live.length} live)`;
          killLog.push(line);
          note(line, false);
        }
      }
    })();

    // --- senders -------------------------------------------------------------------------------
    let restarting: Promise<void> | undefined;
    let restarted = false;
    const restart = async () => {
      restartAt = elapsed();
      note(`restart: ${sent.length} messages sent; SIGTERM`);
      const from = h.output.length;
      try {
        if (RESTART_VIA === 'bot') {
          const child = h.bot.pid !== undefined ? botNodePid(h.bot.pid) : undefined;
          if (child === undefined) throw new Error('the node process running src/main.ts was not found');
          const bot = h.bot;
          const exited = new Promise<void>((r) => bot.once('exit', () => r()));
          if (!signal(child, 'SIGTERM')) throw new Error(`the node process running src/main.ts (pid ${child}) was gone before its SIGTERM`);
          await Promise.race([exited, sleep(30_000)]);
        }
        restartExit = await h.stop('SIGTERM');
        if (restartExit === null) restartExit = `null (signal ${h.bot.signalCode})`;
      } catch (err) {
        restartExit = `error: ${(err as Error).message.split('\n')[0]}`;
      }
      leftAfterRestartStop = taggedClaudePids(h.env).filter(isAlive);
      for (const pid of leftAfterRestartStop) sampler?.watched.set(pid, { since: elapsed() });
      const said = h.output.slice(from);
      restartLog = said.some((l) => /SIGTERM: no new messages/.test(l))
        ? said.some((l) => /stopped \(exit/.test(l)) ? 'SIGTERM handled, "stopped" logged' : 'SIGTERM handled, no "stopped" line'
        : 'the bot never logged the SIGTERM (no graceful shutdown)';
      note(`restart: the bot exited with ${restartExit} (${restartLog}); tagged CLI processes still alive: ${leftAfterRestartStop.length}`);
      await h.start();
      note(`restart: bot started again (tsx pid ${h.bot.pid})`);
      restarted = true;
    };
    // SIGKILL of the bot: no grace, no flush, state writes cut wherever they are.
    let killing: Promise<void> | undefined;
    const pendingKills: Promise<void>[] = [];
    const killRestart = async () => {
      await sleep(between(0, 300));
      const at = elapsed();
      const { code, signalCode } = await h.stop('SIGKILL').then(
        (c) => ({ code: c, signalCode: h.bot.signalCode }),
        (err: Error) => ({ code: null, signalCode: err.message.split('\n')[0] }),
      );
      note(`kill: SIGKILL of the bot at +${at.toFixed(1)} s (exit ${code}, ${signalCode}); ${sent.length} messages sent`);
      killsDone.push(at);
      await h.start();
      note('kill: bot started again');
    };
    const killAt = new Set(Array.from({ length: KILLS }, (_, k) => Math.round((TOTAL * (k + 1)) / (KILLS + 1))).map((n) => (n === Math.ceil(TOTAL / 2) ? n + 1 : Math.max(1, n))));
    const half = Math.ceil(TOTAL / 2);
    const sender = async (c: number) => {
      const chatId = CHAT_BASE + c;
      for (let i = 0; i < MESSAGES; i++) {
        await sleep(between(200, 2000));
        while (restarting && !restarted) await restarting;
        while (killing) await killing;
        const token = `soak-c${pad(c)}-m${pad(i)}`;
        const u = h.tg.sendText({ chatId, userId: OWNER, text: `question ${token}: say something` });
        const messageId = (u as { message?: { message_id: number } }).message!.message_id;
        const s: Sent = { chatId, index: i, token, messageId, updateId: u.update_id, at: elapsed(), afterRestart: restarted };
        sent.push(s);
        if (sent.length === half && !restarting) restarting = restart();
        else if (killAt.has(sent.length) && !killing) {
          killing = killRestart().finally(() => (killing = undefined));
          pendingKills.push(killing);
        }
      }
    };
    await Promise.all(Array.from({ length: CHATS }, (_, c) => sender(c + 1)));
    await restarting;
    await Promise.all(pendingKills);
    note(`all ${sent.length} messages sent`);

    // --- wait for the answers -----------------------------------------------------------------
    const waitStart = Date.now();
    let lastSig = '';
    let lastChange = Date.now();
    let unanswered = sent.length;
    while (Date.now() - waitStart < WAIT_MS) {
      unanswered = sent.filter((s) => tally(h, s).finals.length === 0).length;
      const sig = `${h.tg.calls.length}/${h.model.requests.length}`;
      if (sig !== lastSig) {
        lastSig = sig;
        lastChange = Date.now();
      }
      if (unanswered === 0) break;
      if (Date.now() - lastChange > QUIET_MS) {
        note(`nothing changed for ${QUIET_MS / 1000} s; ${unanswered} message(s) unanswered`);
        break;
      }
      await sleep(500);
    }
    note(unanswered === 0 ? 'every message has a final answer' : `stopped waiting: ${unanswered} message(s) without a final answer`);
    chaosOn = false;
    await chaos;
    // Let late sends (the outbox paces 1 message/s per chat) arrive, so duplicates show up.
    const writes = () => h.tg.calls.filter((c) => c.method !== 'getUpdates').length;
    const quietStart = Date.now();
    let n = writes();
    while (Date.now() - quietStart < 20_000) {
      await sleep(3000);
      if (writes() === n) break;
      n = writes();
    }

    // --- stop and count --------------------------------------------------------------------------
    try {
      journalLeft = JSON.parse(readFileSync(join(h.sessionsDir, 'journal.json'), 'utf8')) as unknown[];
    } catch (err) {
      journalLeft = `unreadable: ${(err as Error).message}`;
    }
    try {
      finalExit = await h.stop('SIGTERM');
    } catch (err) {
      finalExit = `error: ${(err as Error).message.split('\n')[0]}`;
    }
    sampler.sample();
    sampler.stop();
    await sleep(300);
    const leftover = new Set<number>([...taggedClaudePids(h.env), ...pidsWithEnv(`HOME=${h.home}`)].filter(isAlive));
    orphansAtEnd = [...leftover].map((pid) => ({ pid, cmd: cmdline(pid).slice(0, 100) }));
  } catch (err) {
    crashed = true;
    console.log(`soak crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    chaosOn = false;
    sampler?.stop();
    // Report the numbers before tearing the fakes down (they hold the data).
    try {
      report();
    } catch (err) {
      crashed = true;
      console.log(`report failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    killEverything();
    await h.close();
    harness = undefined;
  }
  return crashed ? 1 : 0;

  function report(): void {
    const tallies = sent.map((s) => ({ s, t: tally(h, s) }));
    const lost = tallies.filter((x) => x.t.finals.length === 0);
    const dup = tallies.filter((x) => x.t.finals.length > 1);
    const wrong = tallies.filter((x) => x.t.wrongToken.length > 0);
    const failures = tallies.flatMap((x) => x.t.failures.map((m) => ({ s: x.s, m })));
    const answers = tallies.reduce((n, x) => n + x.t.finals.length, 0);
    const restartNotices = tallies.reduce((n, x) => n + x.t.notices.filter((m) => classify(m) === 'restartNotice').length, 0);
    const shutdownNotices = tallies.reduce((n, x) => n + x.t.notices.filter((m) => classify(m) === 'shutdownNotice').length, 0);
    const others = tallies.flatMap((x) => x.t.others.map((m) => ({ s: x.s, m })));
    const unreplied = Array.from({ length: CHATS }, (_, c) => h.tg.chatLog(CHAT_BASE + c + 1))
      .flat()
      .filter((m) => m.replyToMessageId === undefined);
    const sendFails = h.output.filter((l) => /telegram \S+ failed/.test(l));
    const crashGaveUp = failures.filter((f) => /gave up after/.test(f.m.text ?? '')).length;
    const bot = [...(sampler?.peaks.values() ?? [])];
    const botMain = bot.filter((p) => p.role.startsWith('bot'));
    const launcher = bot.filter((p) => p.role === 'tsx launcher');
    const restartLines = h.output.filter((l) => /resuming \d+ message/.test(l));

    const out: string[] = [];
    const row = (k: string, v: string | number) => out.push(`  ${k.padEnd(34)} ${v}`);
    out.push('', '== soak results');
    row('messages sent', `${sent.length} of ${TOTAL} (${sent.filter((s) => s.afterRestart).length} after the restart)`);
    row('final answers received', `${answers} (${answers - failures.length} answers, ${failures.length} failure messages${crashGaveUp ? `, ${crashGaveUp} crash give-ups` : ''})`);
    row('answers duplicated (target 0)', dup.length);
    row('messages lost (target 0)', lost.length);
    row('wrong-token answers (target 0)', wrong.length);
    row('orphan processes at end (target 0)', orphansAtEnd.length);
    row('bot peak RSS', botMain.length ? botMain.map((p) => `${fmtMiB(p.peakKb)} (pid ${p.pid})`).join(', ') : 'not sampled');
    row('  tsx launcher peak RSS', launcher.map((p) => `${fmtMiB(p.peakKb)} (pid ${p.pid})`).join(', ') || '-');
    row('  bot tree peak RSS (sum, no CLI)', `${fmtMiB(sampler?.peakTreeKb ?? 0)} over ${sampler?.samples ?? 0} samples`);
    row('CLI kills done', chaosKills);
    row('bot SIGKILLs (state writes cut)', killsDone.length ? `${killsDone.length} (at ${killsDone.map((t) => `+${t.toFixed(1)} s`).join(', ')})` : '0');
    row('restart exit code (target 0)', `${restartExit}${Number.isFinite(restartAt) ? ` (SIGTERM at +${restartAt.toFixed(1)} s)` : ''}`);
    row('  restart shutdown', restartLog || '-');
    const watched = [...(sampler?.watched.values() ?? [])];
    const goneAfter = watched.filter((w) => w.goneAt !== undefined).map((w) => w.goneAt! - w.since);
    row(
      '  CLI processes alive after it',
      leftAfterRestartStop.length
        ? `${leftAfterRestartStop.length}; gone after ${goneAfter.length ? `${Math.min(...goneAfter).toFixed(1)}-${Math.max(...goneAfter).toFixed(1)} s` : '-'}${watched.length - goneAfter.length ? `, ${watched.length - goneAfter.length} still alive at the end` : ''} (${chaosOrphanKills} of them SIGKILLed by chaos)`
        : '0',
    );
    row('final stop exit code', String(finalExit));
    row('total time', `${elapsed().toFixed(1)} s`);
    row('Telegram 429s', h.tg.stats.tooMany);
    out.push('  -- details');
    row('restart notices (♻️)', restartNotices);
    row('shutdown notices', shutdownNotices);
    row('bot messages not replying to any', unreplied.length);
    row('other replies (unclassified)', others.length);
    row('journal entries left before stop', Array.isArray(journalLeft) ? journalLeft.length : journalLeft);
    const failsBy = new Map<string, number>();
    for (const l of sendFails) {
      const k = /telegram (\S+) failed: (\S+)/.exec(l);
      const key = k ? `${k[1]} ${k[2]}` : '?';
      failsBy.set(key, (failsBy.get(key) ?? 0) + 1);
    }
    row('failed Telegram ops (bot log)', `${sendFails.length}${failsBy.size ? ` (${[...failsBy].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`);
    const non200 = h.tg.calls.filter((c) => c.status !== 200 && c.method !== 'getUpdates');
    row('non-200 answers of the fake', `${non200.length}${non200.length ? ` (${[...new Set(non200.map((c) => `${c.method} ${c.status}`))].join(', ')})` : ''}`);
    row('model requests (main / all)', `${h.model.mainRequests().length} / ${h.model.requests.length}`);
    row('Telegram calls', Object.entries(h.tg.stats.byMethod).map(([k, v]) => `${k} ${v}`).join(', '));
    if (restartLines.length) row('bot on restart', restartLines.map((l) => l.replace(/^\S+ /, '')).join(' | '));
    if (orphansAtEnd.length) for (const o of orphansAtEnd) out.push(`    orphan pid ${o.pid}: ${o.cmd}`);
    for (const f of failures) out.push(`    failure for ${f.s.token}: ${(f.m.text ?? '').slice(0, 160)}`);
    for (const o of others) out.push(`    unclassified reply to ${o.s.token}: ${(o.m.text ?? '').slice(0, 160)}`);
    for (const m of unreplied.slice(0, 10)) out.push(`    unreplied bot message in chat ${m.chatId} #${m.messageId}: ${(m.text ?? '').slice(0, 120)}`);
    for (const l of sendFails.slice(0, 5)) out.push(`    ${l}`);

    const traced = [...lost, ...dup, ...wrong];
    if (traced.length) out.push('', '== traces of lost / duplicated / wrong-token messages');
    for (const { s, t } of traced.slice(0, 12)) {
      const what = t.finals.length === 0 ? 'LOST' : t.finals.length > 1 ? `DUPLICATED ×${t.finals.length}` : 'WRONG TOKEN';
      out.push(`  ${what}: ${s.token} (chat ${s.chatId}, message_id ${s.messageId}, update ${s.updateId}, sent at +${s.at.toFixed(1)} s${s.afterRestart ? ', after the restart' : ''})`);
      for (const m of h.tg.chatLog(s.chatId).filter((m) => m.replyToMessageId === s.messageId)) {
        out.push(`    bot message #${m.messageId} at ${new Date(m.date * 1000).toISOString().slice(11, 19)} [${classify(m)}]: ${(m.text ?? '').replace(/\n/g, ' ⏎ ').slice(0, 140)}`);
      }
      const calls = h.tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === s.chatId && (c.params.reply_parameters as { message_id?: number } | undefined)?.message_id === s.messageId);
      for (const c of calls) {
        out.push(`    fake saw sendMessage at +${((c.at - EPOCH0) / 1000).toFixed(1)} s → ${c.status}: ${String(c.params.text).replace(/\n/g, ' ⏎ ').slice(0, 120)}`);
      }
      const gets = h.tg.calls.filter((c) => c.method === 'getUpdates' && Array.isArray((c.response as { result?: unknown })?.result) && ((c.response as { result: { update_id: number }[] }).result.some((u) => u.update_id === s.updateId)));
      out.push(`    delivered by ${gets.length} getUpdates response(s)`);
      const reqs = h.model.mainRequests().filter((r) => r.lastUserText.includes(s.token));
      for (const r of reqs) out.push(`    model request #${r.seq}: last user text ${JSON.stringify(r.lastUserText.slice(0, 160))}`);
      const lines = h.output.filter((l) => l.includes(s.token) || l.includes(`${s.chatId}:${s.messageId}`) || l.includes(`chat${s.chatId}`));
      for (const l of lines.slice(0, 10)) out.push(`    bot: ${l}`);
    }
    if (traced.length > 12) out.push(`  … ${traced.length - 12} more (see the log file)`);
    out.push('', `bot output, trace and kills: ${logFile}`);
    console.log(out.join('\n'));

    const full = [
      `seed ${SEED}`,
      '== trace',
      ...trace,
      '== kills',
      ...killLog,
      '== getUpdates calls (fake)',
      ...h.tg.calls
        .filter((c) => c.method === 'getUpdates')
        .map((c) => {
          const res = (c.response as { result?: { update_id: number }[] } | undefined)?.result;
          return `+${((c.at - EPOCH0) / 1000).toFixed(1)} s offset=${String(c.params.offset)} → ${c.status} ${Array.isArray(res) ? `[${res.map((u) => u.update_id).join(' ')}]` : JSON.stringify(c.response)?.slice(0, 80)}`;
        }),
      '== non-200 calls (fake)',
      ...h.tg.calls.filter((c) => c.status !== 200 && c.method !== 'getUpdates').map((c) => `+${((c.at - EPOCH0) / 1000).toFixed(1)} s ${c.method} chat ${String(c.params.chat_id)} → ${c.status} ${JSON.stringify(c.response)?.slice(0, 120)}`),
      '== bot output',
      ...h.output,
      '== per message',
      ...tallies.map(({ s, t }) => `${s.token} chat ${s.chatId} #${s.messageId} +${s.at.toFixed(1)}s finals=${t.finals.length} [${h.tg.chatLog(s.chatId).filter((m) => m.replyToMessageId === s.messageId).map((m) => `#${m.messageId} ${classify(m)}: ${(m.text ?? '').slice(0, 60).replace(/\n/g, ' ')}`).join(' | ')}]`),
      '== results',
      ...out,
    ];
    writeFileSync(logFile, full.join('\n') + '\n');
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.log(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killEverything();
    process.exit(1);
  },
);
