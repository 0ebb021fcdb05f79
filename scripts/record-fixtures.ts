// Records the real CLI's stdout for a set of scenarios into fixtures/<name>.jsonl.
// Usage: npm run record-fixtures [-- name1 name2 ...]   (no names = all scenarios)
//
// Each scenario runs the real `claude` binary (CLAUDE_BIN or node_modules/.bin/claude) in
// stream-json input mode against the fake Messages API (test/helpers/fakeModel.ts), in a fresh
// temp cwd and a fresh temp HOME. A fixture holds the CLI's stdout lines verbatim and nothing else.
// Every CLI spawned is killed on success, on failure and on SIGINT/SIGTERM.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCliEnv, killAllClis, spawnCli, STREAM_JSON_ARGS } from '../test/helpers/cliEnv.ts';
import type { CliMessage, CliSession } from '../test/helpers/cliEnv.ts';
import { defaultReply, startFakeModel } from '../test/helpers/fakeModel.ts';
import type { FakeModel, ModelRequest } from '../test/helpers/fakeModel.ts';
import { slashScenarios } from './slashScenarios.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = path.join(ROOT, 'fixtures');
const TURN_TIMEOUT = 60_000;

interface Ctx {
  fm: FakeModel;
  /** Fresh temp cwd for this scenario. */
  cwd: string;
  /** Spawns the CLI with STREAM_JSON_ARGS + extraArgs, the scenario's env and cwd. */
  spawn(extraArgs?: string[], envExtra?: Record<string, string>): Promise<CliSession>;
  notes: string[];
}

interface Scenario {
  name: string;
  /** Returns the session whose stdout is the fixture. */
  run(ctx: Ctx): Promise<CliSession>;
}

const isResult = (m: CliMessage) => m.type === 'result';

const scenarios: Scenario[] = [
  {
    name: 'simple',
    async run({ spawn }) {
      const s = await spawn();
      s.sendUser('say hello');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      return s;
    },
  },
  {
    name: 'multi-turn',
    async run({ spawn }) {
      const s = await spawn();
      s.sendUser('first question');
      await s.waitForResult(1, TURN_TIMEOUT);
      s.sendUser('second question');
      await s.waitForResult(2, TURN_TIMEOUT);
      await s.close();
      return s;
    },
  },
  {
    name: 'resume',
    async run({ spawn, fm, notes }) {
      const first = await spawn();
      first.sendUser('remember the word banana');
      const r1 = await first.waitForResult(1, TURN_TIMEOUT);
      await first.close();
      const id = String(r1.session_id);
      const before = fm.requests.length;
      const s = await spawn(['--resume', id]);
      s.sendUser('what was the word?');
      const r2 = await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      const main = fm.requests.slice(before).filter((r) => r.isMain);
      const history = main[0]?.body.messages?.length ?? 0;
      notes.push(`first session ${id}; resumed session_id ${String(r2.session_id)} (${r2.session_id === id ? 'same' : 'DIFFERENT'}); resumed request had ${history} messages`);
      return s;
    },
  },
  {
    name: 'tool-use',
    async run({ spawn }) {
      const s = await spawn(['--allowedTools', 'Bash']);
      s.sendUser('[[bash: echo hello-from-bash]]');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      return s;
    },
  },
  {
    name: 'permission-denial',
    async run({ spawn, cwd, notes }) {
      const s = await spawn();
      s.sendUser('[[bash: touch x]]');
      const r = await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      notes.push(`permission_denials: ${JSON.stringify(r.permission_denials)}; file created: ${existsSync(path.join(cwd, 'x'))}`);
      return s;
    },
  },
  {
    name: 'permission-prompt',
    async run({ spawn, cwd, notes }) {
      const s = await spawn(['--permission-prompt-tool', 'stdio']);
      s.sendUser('[[bash: touch perm-allowed]]');
      const req = await s.waitFor((m) => m.type === 'control_request' && (m.request as { subtype?: string } | undefined)?.subtype === 'can_use_tool', {
        timeoutMs: TURN_TIMEOUT,
      });
      const inner = req.request as { input?: Record<string, unknown>; tool_use_id?: string };
      s.send({
        type: 'control_response',
        response: { subtype: 'success', request_id: req.request_id, response: { behavior: 'allow', updatedInput: inner.input ?? {}, toolUseID: inner.tool_use_id } },
      });
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      notes.push(`file created after allow: ${existsSync(path.join(cwd, 'perm-allowed'))}`);
      return s;
    },
  },
  {
    name: 'api-error-retry',
    async run({ spawn, fm, notes }) {
      const before = fm.requests.length;
      const s = await spawn([], { CLAUDE_CODE_MAX_RETRIES: '2' });
      s.sendUser('[[error: 500]] this will fail');
      await s.waitForResult(1, 120_000);
      await s.close();
      notes.push(`model requests made: ${fm.requests.slice(before).filter((r) => r.isMain).length}`);
      return s;
    },
  },
  {
    name: 'error-result',
    async run({ spawn }) {
      const s = await spawn();
      s.sendUser('[[error: 400]] bad request');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      return s;
    },
  },
  {
    name: 'thinking',
    async run({ spawn }) {
      const s = await spawn();
      s.sendUser('[[thinking]] why is the sky blue?');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      return s;
    },
  },
  {
    name: 'partial-messages',
    async run({ spawn, fm }) {
      // Small chunks so the fixture shows several text_delta events.
      fm.setDirector((req) => {
        const r = defaultReply(req);
        return 'text' in r && !('thinking' in r) && !('toolUse' in r) ? { text: r.text, chunkSize: 8 } : r;
      });
      const s = await spawn(['--include-partial-messages']);
      s.sendUser('stream this please');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      return s;
    },
  },
  {
    name: 'stale-resume',
    async run({ spawn, notes }) {
      const id = randomUUID();
      const s = await spawn(['--resume', id]);
      const t0 = Date.now();
      // Does anything come out before the first stdin message? Wait up to 4 s for a line or exit.
      const early = await s.waitFor(() => true, { timeoutMs: 4_000 }).then(
        (m) => `a ${String(m.type)}/${String(m.subtype)} line ${Date.now() - t0} ms after spawn`,
        () => 'nothing',
      );
      const exitedEarly = await Promise.race([s.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]);
      notes.push(`unknown id ${id}; before any stdin: ${early}; exited before stdin: ${exitedEarly ? JSON.stringify(exitedEarly) : 'no'}`);
      if (!exitedEarly) {
        s.sendUser('hello after stale resume');
        try {
          await s.waitFor(isResult, { timeoutMs: 15_000 });
        } catch (err) {
          notes.push(`no result after the first message: ${String(err).slice(0, 300)}`);
        }
      }
      const exit = await s.close();
      notes.push(`exit ${JSON.stringify(exit)}; stderr: ${JSON.stringify(s.stderr().trim().slice(0, 300))}`);
      return s;
    },
  },
  {
    name: 'interrupt',
    async run({ spawn, fm, notes }) {
      const before = fm.mainRequests().length;
      const s = await spawn();
      s.sendUser('[[slow: 6000]] tell me a long story');
      // Wait until the fake model is streaming the slow reply, then let a couple of chunks out.
      const deadline = Date.now() + TURN_TIMEOUT;
      while (fm.mainRequests().length === before) {
        if (Date.now() > deadline) throw new Error('model request never arrived');
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1_500));
      const tInt = Date.now();
      s.send({ type: 'control_request', request_id: 'int_1', request: { subtype: 'interrupt' } });
      const r1 = await s.waitForResult(1, TURN_TIMEOUT);
      notes.push(`first result ${Date.now() - tInt} ms after interrupt: subtype ${String(r1.subtype)}, terminal_reason ${String(r1.terminal_reason)}`);
      s.sendUser('second turn after the interrupt');
      const r2 = await s.waitForResult(2, TURN_TIMEOUT);
      notes.push(`second result: ${String(r2.subtype)} is_error=${String(r2.is_error)} result=${JSON.stringify(r2.result)}`);
      const exit = await s.close();
      notes.push(`exit ${JSON.stringify(exit)}`);
      return s;
    },
  },
  ...slashScenarios,
  {
    // A background Bash task ends after the turn; the CLI starts a turn of its own (origin
    // task-notification); a user message written during it is queued and runs after it.
    name: 'background-task',
    async run({ spawn, notes }) {
      const s = await spawn(['--allowedTools', 'Bash']);
      s.send(userWithUuid('[[bgbash: sleep 3; echo BG-DONE]]', '11111111-1111-4111-8111-111111111111'));
      await s.waitForResult(1, TURN_TIMEOUT);
      const n = await s.waitFor((m) => m.type === 'system' && m.subtype === 'task_notification', { timeoutMs: 30_000 });
      await s.waitFor((m) => m.type === 'assistant', { timeoutMs: 30_000, from: s.messages.indexOf(n) });
      s.send(userWithUuid('typed during the notification turn', '22222222-2222-4222-8222-222222222222'));
      await s.waitForResult(3, TURN_TIMEOUT);
      await s.close();
      notes.push(`results: ${s.messages.filter(isResult).map((r) => JSON.stringify({ origin: r.origin, user_message_uuid: r.user_message_uuid })).join(', ')}`);
      return s;
    },
  },
  {
    // ScheduleWakeup fires by itself (the CLI clamps the delay to 60 s and fires on a minute boundary).
    name: 'wakeup',
    async run({ spawn, notes }) {
      const s = await spawn();
      s.send(userWithUuid('[[wakeup: 5 WAKEUP-FIRED-MARKER]]', '33333333-3333-4333-8333-333333333333'));
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.waitForResult(2, 150_000);
      await new Promise((r) => setTimeout(r, 500));
      await s.close();
      notes.push(`lifecycle: ${s.messages.filter((m) => m.type === 'command_lifecycle').map((m) => `${String(m.state)}${m.wakeup_source ? `(${String(m.wakeup_source)})` : ''}`).join(', ')}`);
      return s;
    },
  },
  {
    // A usage-limit 429 (gateway headers, no retry) with API-key auth.
    name: 'usage-limit',
    async run({ spawn, notes }) {
      const s = await spawn();
      s.send(userWithUuid('[[limit: 3600]] over the limit', '44444444-4444-4444-8444-444444444444'));
      const r = await s.waitForResult(1, TURN_TIMEOUT);
      await new Promise((res) => setTimeout(res, 500));
      await s.close();
      notes.push(`result: ${JSON.stringify(r.result)} api_error_status ${String(r.api_error_status)}; rate_limit_event lines: ${s.messages.filter((m) => m.type === 'rate_limit_event').length}`);
      return s;
    },
  },
];

function userWithUuid(text: string, uuid: string) {
  return { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '', uuid };
}

function summarize(s: CliSession): string {
  const seq: string[] = [];
  for (const m of s.messages) {
    let t = String(m.type);
    if (m.subtype) t += `/${String(m.subtype)}`;
    if (m.type === 'stream_event') t = `se:${String((m.event as { type?: string } | undefined)?.type)}`;
    if (m.type === 'control_request' || m.type === 'control_response') {
      const sub = (m.request as { subtype?: string } | undefined)?.subtype ?? (m.response as { subtype?: string } | undefined)?.subtype;
      t += `(${String(sub)})`;
    }
    if (seq.length && seq[seq.length - 1]!.replace(/ x\d+$/, '') === t) {
      const last = seq[seq.length - 1]!;
      const n = Number(/ x(\d+)$/.exec(last)?.[1] ?? 1) + 1;
      seq[seq.length - 1] = `${t} x${n}`;
    } else seq.push(t);
  }
  return seq.join(' → ');
}

function describeRequests(reqs: ModelRequest[]): string {
  return reqs
    .map((r) => `${r.method} ${r.url} [${r.kind}${r.requestClass ? `:${r.requestClass}` : ''}]${r.reply ? ` → ${Object.keys(r.reply)[0]}` : ''}`)
    .join('; ');
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  if (only.length && selected.length !== only.length) {
    throw new Error(`unknown scenario; known: ${scenarios.map((s) => s.name).join(', ')}`);
  }
  await mkdir(FIXTURES, { recursive: true });
  const fm = await startFakeModel();
  const summary: string[] = [];
  let failures = 0;
  try {
    for (const sc of selected) {
      fm.setDirector(undefined);
      const cwd = await mkdtemp(path.join(os.tmpdir(), `fixture-${sc.name}-`));
      const cliEnv = await makeCliEnv(fm.url);
      const notes: string[] = [];
      const before = fm.requests.length;
      const t0 = Date.now();
      const ctx: Ctx = {
        fm,
        cwd,
        notes,
        spawn: async (extraArgs = [], envExtra = {}) => spawnCli({ env: { ...cliEnv.env, ...envExtra }, cwd, args: [...STREAM_JSON_ARGS, ...extraArgs] }),
      };
      try {
        const s = await sc.run(ctx);
        const file = path.join(FIXTURES, `${sc.name}.jsonl`);
        await writeFile(file, s.lines.map((l) => l + '\n').join(''));
        summary.push(
          `${sc.name}: ${s.lines.length} lines, ${Date.now() - t0} ms\n    ${summarize(s)}\n    requests: ${describeRequests(fm.requests.slice(before))}` +
            (notes.length ? `\n    notes: ${notes.join('\n           ')}` : '') +
            (s.stderr().trim() && sc.name !== 'stale-resume' ? `\n    stderr: ${s.stderr().trim().slice(0, 300)}` : ''),
        );
      } catch (err) {
        failures++;
        summary.push(`${sc.name}: FAILED ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await killAllClis();
        await cliEnv.cleanup();
        await rm(cwd, { recursive: true, force: true });
      }
      console.log(summary[summary.length - 1]);
    }
  } finally {
    await killAllClis();
    await fm.close();
  }
  console.log(`\n${selected.length - failures}/${selected.length} fixtures written to ${path.relative(process.cwd(), FIXTURES) || FIXTURES}`);
  if (failures) process.exitCode = 1;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void killAllClis().finally(() => process.exit(130));
  });
}

main().catch(async (err: unknown) => {
  console.error(err);
  await killAllClis();
  process.exitCode = 1;
});
