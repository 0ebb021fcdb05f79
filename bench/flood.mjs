#!/usr/bin/env node
// A tiny fake `claude` for the memory benchmark (bench/run.ts, part 3). It accepts and ignores the
// real CLI's flags, waits for the first stdin line, then writes one turn of stream-json stdout:
// `system/init`, about FLOOD_BYTES (default 100 MiB) of `stream_event` text_delta lines and
// `assistant` lines whose text is 10-50 KB, and a `result` line whose `result` text is
// "flood done: <bytes> bytes, <lines> lines" (the bytes written before it). Every line is shaped
// after a line of fixtures/simple.jsonl or fixtures/partial-messages.jsonl (recorded from the real
// CLI). Writes respect stdout backpressure ('drain'). It exits when stdin ends (as the real CLI
// does between turns) or on SIGTERM.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const target = Number(process.env.FLOOD_BYTES ?? 100 * 1024 * 1024);
const fixture = (name) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const simple = fixture('simple.jsonl');
const partial = fixture('partial-messages.jsonl');
const initTpl = simple.find((l) => l.type === 'system' && l.subtype === 'init');
const assistantTpl = simple.find((l) => l.type === 'assistant');
const resultTpl = simple.find((l) => l.type === 'result');
const deltaTpl = partial.find((l) => l.type === 'stream_event' && l.event?.delta?.type === 'text_delta');
if (!initTpl || !assistantTpl || !resultTpl || !deltaTpl) throw new Error('flood.mjs: fixture lines not found');

const sessionId = '00000000-f100-4d00-8000-' + String(process.pid).padStart(12, '0');
let uuidSeq = 0;
const uuid = () => `f100d000-0000-4000-8000-${String(++uuidSeq).padStart(12, '0')}`;

// Deterministic pseudo-random numbers (xorshift32), so every run writes the same shapes.
let seed = 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};

// Markdown-ish text with newlines, quotes, backslashes and code, like a model's answer.
const PARAGRAPHS = [
  'Here is what I changed in `src/streams/session.ts`: the process is now shared by consecutive turns, and an idle timer ends it.\n\n',
  '## Why\n\nStarting a fresh "claude -p" per message costs a second or more; a long-lived process answers at once.\n\n',
  '```ts\nconst proc$ = defer(() => spawn(spec, stdin$)).pipe(share({ resetOnRefCountZero: () => timer(idleMs) }));\n```\n\n',
  '- **Crash recovery**: a crash respawns with `--resume <id>` and re-sends the message.\n- Paths like C:\\Users\\me are kept as they are.\n\n',
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ',
  'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Ünïcödé: é 🙂 中文.\n',
];
function textOf(n) {
  let s = '';
  while (s.length < n) s += PARAGRAPHS[Math.floor(rand() * PARAGRAPHS.length)];
  let end = n;
  if (/[\uDC00-\uDFFF]/.test(s[end] ?? '')) end++;
  return s.slice(0, end);
}

let bytes = 0;
let lines = 0;
async function writeLine(obj) {
  const line = JSON.stringify(obj) + '\n';
  bytes += Buffer.byteLength(line);
  lines++;
  if (!process.stdout.write(line)) await once(process.stdout, 'drain');
}

async function flood() {
  await writeLine({ ...initTpl, session_id: sessionId, cwd: process.cwd(), uuid: uuid() });
  let msg = 0;
  while (bytes < target) {
    msg++;
    const messageId = `msg_flood${msg}`;
    const text = textOf(10_000 + Math.floor(rand() * 40_000));
    // The answer streamed as text deltas of 20-200 characters...
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + 20 + Math.floor(rand() * 180));
      if (/[\uDC00-\uDFFF]/.test(text[end] ?? '')) end++; // never split a surrogate pair
      const piece = text.slice(i, end);
      i = end;
      await writeLine({
        ...deltaTpl,
        event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } },
        session_id: sessionId,
        uuid: uuid(),
        api_message_id: messageId,
      });
    }
    // ...then the whole block as an assistant line (as the real CLI does with partial messages).
    await writeLine({
      ...assistantTpl,
      message: { ...assistantTpl.message, id: messageId, content: [{ type: 'text', text }] },
      session_id: sessionId,
      uuid: uuid(),
      timestamp: new Date().toISOString(),
    });
  }
  await writeLine({
    ...resultTpl,
    result: `flood done: ${bytes} bytes, ${lines + 1} lines`,
    num_turns: msg,
    session_id: sessionId,
    uuid: uuid(),
  });
}

let started = false;
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (started || !line.trim()) return;
  started = true;
  flood().catch((err) => {
    process.stderr.write(`flood.mjs: ${String(err)}\n`);
    process.exit(1);
  });
});
rl.on('close', () => process.exit(0));
process.stdout.on('error', () => process.exit(0)); // EPIPE: the reader went away
