// Fixture scenarios for Claude Code's own slash commands sent as user text (issue 10,
// PROTOCOL-TOOLS.md §3): local commands, /compact, /clear and a custom command file, plus the
// initialize and set_model control requests /model uses. Part of `npm run record-fixtures`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliMessage, CliSession } from '../test/helpers/cliEnv.ts';

interface SlashCtx {
  cwd: string;
  spawn(extraArgs?: string[], envExtra?: Record<string, string>): Promise<CliSession>;
  notes: string[];
}

const TURN_TIMEOUT = 60_000;
const ids = (s: CliSession) => [...new Set(s.messages.map((m: CliMessage) => m.session_id).filter(Boolean))].join(' → ');

export const slashScenarios: { name: string; run(ctx: SlashCtx): Promise<CliSession> }[] = [
  {
    name: 'slash-local',
    async run({ spawn, notes }) {
      const s = await spawn();
      s.sendUser('/context');
      const r1 = await s.waitForResult(1, TURN_TIMEOUT);
      s.sendUser('/cost');
      const r2 = await s.waitForResult(2, TURN_TIMEOUT);
      await s.close();
      notes.push(`local_command ${String(r1.local_command)} then ${String(r2.local_command)}; num_turns ${String(r1.num_turns)}, ${String(r2.num_turns)}`);
      return s;
    },
  },
  {
    name: 'slash-compact',
    async run({ spawn, notes }) {
      const s = await spawn();
      s.sendUser('remember the word kiwi');
      await s.waitForResult(1, TURN_TIMEOUT);
      s.sendUser('/compact');
      const r = await s.waitForResult(2, TURN_TIMEOUT);
      await s.close();
      notes.push(`result ${JSON.stringify(r.result)}, local_command ${String(r.local_command)}; session ids ${ids(s)}`);
      return s;
    },
  },
  {
    name: 'slash-clear',
    async run({ spawn, notes }) {
      const s = await spawn();
      s.sendUser('remember the word kiwi');
      await s.waitForResult(1, TURN_TIMEOUT);
      s.sendUser('/clear');
      const r = await s.waitForResult(2, TURN_TIMEOUT);
      s.sendUser('what was the word?');
      await s.waitForResult(3, TURN_TIMEOUT);
      await s.close();
      notes.push(`/clear result local_command ${String(r.local_command)}; session ids ${ids(s)}`);
      return s;
    },
  },
  {
    name: 'slash-custom',
    async run({ spawn, cwd, notes }) {
      await mkdir(path.join(cwd, '.claude', 'commands'), { recursive: true });
      await writeFile(path.join(cwd, '.claude', 'commands', 'greet-user.md'), 'CUSTOM-CMD-MARKER: please greet $ARGUMENTS warmly.\n');
      const s = await spawn();
      s.sendUser('/greet-user Bob');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      const init = s.messages.find((m) => m.type === 'system' && m.subtype === 'init');
      notes.push(`init slash_commands has greet-user: ${(init?.slash_commands as string[] | undefined)?.includes('greet-user')}`);
      return s;
    },
  },
  {
    name: 'control-model',
    async run({ spawn, notes }) {
      const s = await spawn();
      s.send({ type: 'control_request', request_id: 'init_1', request: { subtype: 'initialize' } });
      const init = await s.waitFor((m) => m.type === 'control_response', { timeoutMs: TURN_TIMEOUT });
      const models = ((init.response as { response?: { models?: { value: string }[] } }).response?.models ?? []).map((m) => m.value);
      s.send({ type: 'control_request', request_id: 'model_1', request: { subtype: 'set_model', model: 'claude-x-test' } });
      await s.waitFor((m) => m.type === 'control_response' && (m.response as { request_id?: string }).request_id === 'model_1', { timeoutMs: TURN_TIMEOUT });
      s.sendUser('which model?');
      await s.waitForResult(1, TURN_TIMEOUT);
      await s.close();
      notes.push(`initialize models: ${models.join(', ')}`);
      return s;
    },
  },
];
