// The CLI child's environment: a parent Claude Code session's variables and the bot's own secrets
// and settings never reach it (Claude's tools can read their environment); everything else does.
// Checked on what the spawned fake `claude` actually received (FAKE_CLAUDE_ENV_FILE records its
// whole environment, names and values).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, of, timeout } from 'rxjs';
import { allReaped, childEnv, claudeProcess$ } from '../../../src/drivers/claude/process.ts';

const FAKE = new URL('../../../fixtures/bin/claude', import.meta.url).pathname;
const TOKEN = '123456:AAH-not-a-real-token-but-secret';

const PARENT_AND_BOT = {
  TELEGRAM_BOT_TOKEN: TOKEN,
  TELEGRAM_API_ROOT: 'http://127.0.0.1:1',
  ALLOWED_USER_IDS: '111,222',
  NODE_OPTIONS: '--inspect',
  CLAUDECODE: '1',
  CLAUDE_CODE_ENTRYPOINT: 'cli',
};
const ORDINARY = { ANTHROPIC_API_KEY: 'sk-pass-through', CLAUDE_CONFIG_DIR: '/tmp/claude-config', LANG: 'C.UTF-8' };

describe('childEnv: what the CLI child may see', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'child-env-'));
  });
  afterEach(async () => {
    await allReaped();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the spawned child gets no TELEGRAM_*, ALLOWED_USER_IDS, NODE_OPTIONS or parent session variables, and every ordinary one", async () => {
    const envFile = join(dir, 'env.jsonl');
    const env = { PATH: process.env.PATH, FAKE_CLAUDE_STATE_DIR: dir, FAKE_CLAUDE_ENV_FILE: envFile, ...PARENT_AND_BOT, ...ORDINARY };
    const hello = JSON.stringify({ type: 'user', message: { role: 'user', content: 'env?' } });
    // The fake records its env before it reads stdin, so its first stdout line means the record is complete.
    const proc$ = claudeProcess$(() => ({ bin: FAKE, args: ['-p'], cwd: dir, env, graceMs: 300 }), of(hello));
    const first = await firstValueFrom(proc$.pipe(filter((o) => o.kind === 'stdout' || o.kind === 'exit'), timeout(15_000)));
    expect(first.kind, JSON.stringify(first)).to.equal('stdout');

    const lines = readFileSync(envFile, 'utf8').trim().split('\n');
    expect(lines).to.have.length(1);
    const seen = (JSON.parse(lines[0]!) as { env: Record<string, string> }).env;
    for (const name of Object.keys(PARENT_AND_BOT)) expect(seen, name).to.not.have.property(name);
    expect(lines[0]).to.not.contain('secret'); // under no other name either
    expect(seen).to.include(ORDINARY);
    expect(seen.FAKE_CLAUDE_STATE_DIR).to.equal(dir);
  });

  it('childEnv drops exactly the scrubbed names and copies the rest unchanged', () => {
    const out = childEnv({ ...PARENT_AND_BOT, TELEGRAM_ANYTHING: 'x', CLAUDE_CODE_SSE_PORT: '1', CLAUDE_AGENT_SDK_VERSION: '1', CLAUDE_CODE_SESSION_ID: 's', ...ORDINARY, EMPTY: '' });
    expect(out).to.deep.equal({ ...ORDINARY, EMPTY: '' });
  });
});
