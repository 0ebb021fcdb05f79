// Bench parts 6 and 7 (run from bench/run.ts): the bridge's own share of a turn, the black-box
// follow-up time against spawn-per-turn, and the first message after a restart, cold vs warm.
// Times come from the bot's optional timing hook (CLAUDE_TG_TIMING=1, src/drivers/timing.ts) and
// from the fake Bot API's record of calls.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { OWNER, startBot, type Harness } from '../test/helpers/botHarness.ts';

export interface BenchContext {
  out: (s?: string) => void;
  fmt: (n: number, digits?: number) => string;
  summary: Array<{ part: string; figure: string; target: string; verdict: 'PASS' | 'FAIL' | 'info' | 'ERROR' }>;
  cliHomes: string[];
  /** Part 1's fresh `claude -p` wall time per follow-up turn (ms), when it ran. */
  freshWallMs?: number;
}

const BRIDGE_TURNS = 10;
const SHOWS = new Set(['sendMessageDraft', 'sendMessage', 'editMessageText']);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

type Mark = { kind: string; chat: string; method?: string; t: number };
function marks(output: string[]): Mark[] {
  return output.flatMap((line) => {
    const m = /timing (update|stdin|stdout|result|call) (-?\d+)(?: (\w+))? ([\d.]+)$/.exec(line);
    return m ? [{ kind: m[1]!, chat: m[2]!, ...(m[3] ? { method: m[3] } : {}), t: Number(m[4]) }] : [];
  });
}

/** Part 6: update → stdin, stdout → Telegram call (the bridge's share), and message → final answer. */
export async function bridgeShare(c: BenchContext): Promise<void> {
  const { out, fmt } = c;
  out(`   method: the bot as npm start runs it with CLAUDE_TG_TIMING=1 (it logs high-resolution timestamps), real CLI, fake model; 2 private chats,`);
  out(`           1 warm-up turn then ${BRIDGE_TURNS} follow-up turns each, 1.1 s apart (the chats in parallel); the fake model's default one-chunk reply. From the bot's log:`);
  out(`           (a) update taken from getUpdates → its user line written to the CLI's stdin (the journal entry is written and fsynced in between);`);
  out(`           (b) the CLI's first streamed-text stdout line of a turn → the first Telegram call that shows text in that chat.`);
  out(`           Black box: message pushed to the fake Bot API → final answer recorded there. Run on the disk, then with SESSIONS_DIR on tmpfs (/dev/shm),
           then once more with a process per turn (below).`);
  const row = (xs: number[]) => `p50 ${fmt(percentile(xs, 50), 2)} ms, p90 ${fmt(percentile(xs, 90), 2)} ms, max ${fmt(Math.max(...xs), 2)} ms (n=${xs.length})`;
  const disk = await measureBridge(c, {});
  const a50 = percentile(disk.toStdin, 50);
  const b50 = percentile(disk.toCall, 50);
  out(`   (a) update → stdin:         ${row(disk.toStdin)}   target p50 ≤ 5 ms: ${a50 <= 5 ? 'PASS' : 'FAIL'}`);
  out(`   (b) stdout → Telegram call: ${row(disk.toCall)}   target p50 ≤ 5 ms: ${b50 <= 5 ? 'PASS' : 'FAIL'}`);
  out(`   black box, follow-up turn message → final answer: ${row(disk.blackBox)}`);
  const p50 = (xs: number[]) => `${fmt(percentile(xs, 50), 1)} ms`;
  const cli50 = percentile(disk.split.cli, 50);
  out(`   where it goes (p50 of each step): getUpdates pickup ${p50(disk.split.pickup)}, update → stdin ${p50(disk.split.toStdin)}, the CLI (stdin → its result line) ${p50(disk.split.cli)},`);
  out(`   result line → the final sendMessage leaves ${p50(disk.split.toFinal)}; the rest is the HTTP call and the fake Bot API's record.`);
  let shm: Awaited<ReturnType<typeof measureBridge>> | undefined;
  if (existsSync('/dev/shm')) {
    const dir = mkdtempSync('/dev/shm/bench-sessions-');
    try {
      shm = await measureBridge(c, { SESSIONS_DIR: dir });
      out(`   on tmpfs (fsync costs nothing): (a) ${row(shm.toStdin)}; (b) ${row(shm.toCall)}; black box ${row(shm.blackBox)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const shmNote = shm ? `; tmpfs ${fmt(percentile(shm.toStdin, 50), 2)}` : '';
  c.summary.push({ part: '6 update → CLI stdin (p50)', figure: `${fmt(a50, 2)} ms (p90 ${fmt(percentile(disk.toStdin, 90), 2)}${shmNote})`, target: '≤ 5 ms', verdict: a50 <= 5 ? 'PASS' : 'FAIL' });
  c.summary.push({ part: '6 CLI stdout → Telegram (p50)', figure: `${fmt(b50, 2)} ms (p90 ${fmt(percentile(disk.toCall, 90), 2)})`, target: '≤ 5 ms', verdict: b50 <= 5 ? 'PASS' : 'FAIL' });
  const bb = percentile(disk.blackBox, 50);
  // The same bot, the same chats and turns, but every process is reaped right after its turn
  // (IDLE_MINUTES of 6 ms): each message spawns `claude -p --resume <id>` anew, as the seed did.
  out(`   spawn-per-turn through the same bot (IDLE_MINUTES=0.0001: each process is reaped 6 ms after its turn, every message spawns a new CLI with --resume):`);
  const perTurn = await measureBridge(c, { IDLE_MINUTES: '0.0001' }, false);
  const pt = percentile(perTurn.blackBox, 50);
  out(`   black box, spawn per turn: ${row(perTurn.blackBox)}`);
  const ratio = pt / bb;
  out(`   black-box follow-up, persistent vs spawn-per-turn (both through the bot): ${fmt(ratio, 1)}x (${fmt(pt)} vs ${fmt(bb)} ms)   target ≥ 20x: ${ratio >= 20 ? 'PASS' : 'FAIL'}`);
  // The ceiling: a bridge that cost nothing would still wait for the CLI's own turn.
  out(`   bound: spawn-per-turn / the CLI's own stdin → result (a bridge costing 0 ms): ${fmt(pt / cli50, 1)}x (${fmt(pt)} vs ${fmt(cli50, 1)} ms)`);
  c.summary.push({ part: "6 bound: spawn-per-turn / CLI's own turn", figure: `${fmt(pt / cli50, 1)}x (${fmt(pt)} vs ${fmt(cli50, 1)} ms)`, target: '-', verdict: 'info' });
  c.summary.push({ part: '6 black-box follow-up vs spawn-per-turn bot', figure: `${fmt(ratio, 1)}x (${fmt(pt)} vs ${fmt(bb)} ms)`, target: '≥ 20x', verdict: ratio >= 20 ? 'PASS' : 'FAIL' });
  if (c.freshWallMs !== undefined) {
    const alone = c.freshWallMs / bb;
    out(`   black-box follow-up vs a bare \`claude -p --resume\` run (part 1b, ${fmt(c.freshWallMs)} ms, no bot around it): ${fmt(alone, 1)}x`);
    c.summary.push({ part: '6 black-box follow-up vs bare fresh -p', figure: `${fmt(alone, 1)}x (${fmt(c.freshWallMs)} vs ${fmt(bb)} ms)`, target: '-', verdict: 'info' });
  }
}

type Split = { pickup: number[]; toStdin: number[]; cli: number[]; toFinal: number[] };
async function measureBridge(c: BenchContext, env: Record<string, string>, bridge = true): Promise<{ toStdin: number[]; toCall: number[]; blackBox: number[]; split: Split }> {
  let h: Harness | undefined;
  try {
    h = await startBot({ env: { CLAUDE_TG_TIMING: '1', ...env } });
    c.cliHomes.push(h.home);
    await h.start();
    const harness = h;
    const chats = [6001, 6002];
    const blackBox: number[] = [];
    const sent = new Map<string, number>(); // "chat:n" → when the message was pushed (epoch ms)
    const turn = async (chatId: number, n: number) => {
      const sentAt = Date.now();
      sent.set(`${chatId}:${n}`, performance.timeOrigin + performance.now());
      harness.tg.sendText({ chatId, userId: OWNER, text: `bridge ${n}`, chatType: 'private' });
      const re = new RegExp(`MOCK REPLY to: bridge ${n}\\b[\\s\\S]*⏱`);
      await harness.tg.waitFor(() => harness.tg.chatLog(chatId).some((m) => re.test(m.text ?? '')), 60_000, `answer ${n} in ${chatId}`);
      const final = harness.tg.calls.filter((k) => k.method === 'sendMessage' && k.params.chat_id === chatId && re.test(String(k.params.text))).at(-1)!;
      return final.at - sentAt;
    };
    await Promise.all(chats.map(async (chatId) => {
      await turn(chatId, 0);
      for (let i = 1; i <= BRIDGE_TURNS; i++) {
        await sleep(1100); // a user's next message: the chat's bucket has refilled
        blackBox.push(await turn(chatId, i));
      }
    }));
    await sleep(200);
    const all = marks(harness.output);
    const toStdin: number[] = [];
    const toCall: number[] = [];
    const split: Split = { pickup: [], toStdin: [], cli: [], toFinal: [] };
    for (const chatId of chats.map(String)) {
      const mine = all.filter((m) => m.chat === chatId);
      const updates = mine.filter((m) => m.kind === 'update');
      const stdins = mine.filter((m) => m.kind === 'stdin');
      updates.slice(1).forEach((u, i) => stdins[i + 1] && toStdin.push(stdins[i + 1]!.t - u.t));
      // Where a follow-up turn's black-box time goes: Telegram pickup, the bridge in, the CLI, the bridge out.
      updates.forEach((u, n) => {
        const stdin = n > 0 && mine.find((m) => m.kind === 'stdin' && m.t >= u.t);
        const result = stdin && mine.find((m) => m.kind === 'result' && m.t >= stdin.t);
        const final = result && mine.find((m) => m.kind === 'call' && m.method === 'sendMessage' && m.t >= result.t);
        if (!final) return;
        split.pickup.push(u.t - sent.get(`${chatId}:${n}`)!);
        split.toStdin.push(stdin.t - u.t);
        split.cli.push(result.t - stdin.t);
        split.toFinal.push(final.t - result.t);
      });
      for (let i = 1; i < stdins.length; i++) {
        const firstOut = mine.find((m) => m.kind === 'stdout' && m.t > stdins[i]!.t);
        const call = firstOut && mine.find((m) => m.kind === 'call' && SHOWS.has(m.method ?? '') && m.t >= firstOut.t);
        if (firstOut && call) toCall.push(call.t - firstOut.t);
      }
    }
    if (bridge && (!toStdin.length || !toCall.length)) throw new Error('no timing lines in the bot output (CLAUDE_TG_TIMING)');
    return { toStdin, toCall, blackBox, split };
  } finally {
    await h?.close();
  }
}

/** Part 7: the first message after a restart → its first text in Telegram, cold (WARM_SESSIONS=0) and warm. */
export async function warmRestart(c: BenchContext): Promise<void> {
  const { out, fmt } = c;
  const CHATS = [7001, 7002, 7003];
  out(`   method: ${CHATS.length} private chats each have a conversation; the bot is restarted (SIGTERM, start), waits 3 s (a user is rarely faster),`);
  out(`           then each chat sends one message at once; t = message pushed → the first call that shows its text. Cold: WARM_SESSIONS=0; warm: default.`);
  let h: Harness | undefined;
  try {
    h = await startBot({ director: (req) => (/restart probe/.test(req.lastUserText) ? { text: 'warm or cold? '.repeat(10), chunkSize: 30, delayMs: 20 } : undefined) });
    c.cliHomes.push(h.home);
    await h.start();
    const harness = h;
    const ask = async (tag: string) => {
      const sentAt = Date.now();
      for (const chatId of CHATS) harness.tg.sendText({ chatId, userId: OWNER, text: `restart probe ${tag}`, chatType: 'private' });
      const firsts = await Promise.all(CHATS.map((chatId) =>
        harness.tg.waitFor(() => harness.tg.calls.find((k) => k.at >= sentAt && k.params.chat_id === chatId && SHOWS.has(k.method) && /warm or cold/.test(String(k.params.text))), 60_000, `first text in ${chatId}`),
      ));
      await Promise.all(CHATS.map((chatId) => harness.tg.waitFor(() => harness.tg.calls.some((k) => k.at >= sentAt && k.params.chat_id === chatId && k.method === 'sendMessage' && /⏱/.test(String(k.params.text))), 60_000, `answer in ${chatId}`)));
      return firsts.map((k) => k.at - sentAt);
    };
    await ask('setup');
    const results: Record<string, number[]> = {};
    for (const mode of ['cold', 'warm'] as const) {
      await harness.stop('SIGTERM');
      if (mode === 'cold') harness.env.WARM_SESSIONS = '0';
      else delete harness.env.WARM_SESSIONS;
      await harness.start();
      await sleep(3000);
      results[mode] = await ask(mode);
      out(`   ${mode}: first message after restart → first text: ${results[mode]!.map((x) => `${fmt(x)} ms`).join(', ')} (median ${fmt(percentile(results[mode]!, 50))} ms)`);
    }
    const cold = percentile(results.cold!, 50);
    const warm = percentile(results.warm!, 50);
    c.summary.push({ part: '7 first text after restart, cold', figure: `${fmt(cold)} ms (median of ${CHATS.length})`, target: '-', verdict: 'info' });
    c.summary.push({ part: '7 first text after restart, warm', figure: `${fmt(warm)} ms (${fmt(cold / warm, 1)}x faster)`, target: '< cold', verdict: warm < cold ? 'PASS' : 'FAIL' });
  } finally {
    await h?.close();
  }
}
