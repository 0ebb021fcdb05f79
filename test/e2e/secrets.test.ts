// The agent cannot read the bot's secrets: the fake model makes Claude's Bash print every
// /proc/*/environ, its environment, and grep the bot's .env for the token, and the user allows it.
// The command really runs (its marker comes back), and the token appears in nothing the model gets.
// With ISOLATION=none the same test finds the token, so the test can fail.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBot, OWNER, type Harness } from '../helpers/botHarness.ts';
import type { ModelRequest } from '../helpers/fakeModel.ts';

const PROBE = (envFile: string) =>
  `for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f 2>/dev/null; done | grep -a TELEGRAM; env; grep -a TELEGRAM ${envFile}; cat ${envFile}; echo PROBE-RAN-$((6*7))`;

async function leakRun(isolation: string): Promise<{ seen: string; ran: boolean; token: string; output: string[] }> {
  let envFile = '';
  const director = (req: ModelRequest) => {
    if (req.lastUserText.includes('LEAKPROBE') && req.toolResults.length === 0) return { toolUse: { name: 'Bash', input: { command: PROBE(envFile), description: 'probe' } } };
    if (req.toolResults.length) return { text: `TOOL RESULT: ${req.toolResults.map((t) => t.content).join('\n')}` };
    return undefined;
  };
  const h: Harness = await startBot({ director, env: { ISOLATION: isolation } });
  try {
    envFile = join(h.cwd, '.env');
    // The token lives in .env too (mode 600), as a user's set-up would have it.
    writeFileSync(envFile, `TELEGRAM_BOT_TOKEN=${h.tg.token}\n`, { mode: 0o600 });
    await h.start();
    h.tg.sendText({ chatId: OWNER, userId: OWNER, text: 'LEAKPROBE please' });
    const ask = await h.waitForMessage(OWNER, /Claude Code asks to use a tool/);
    const allow = ask.reply_markup!.inline_keyboard[0]![0]!.callback_data!;
    h.tg.sendCallback({ chatId: OWNER, userId: OWNER, messageId: ask.messageId, data: allow });
    await h.waitForMessage(OWNER, /TOOL RESULT/);
    const seen = h.model.requests.map((r) => JSON.stringify(r.body)).join('\n');
    return { seen, ran: seen.includes('PROBE-RAN-42'), token: h.tg.token, output: [...h.output] };
  } finally {
    await h.close();
  }
}

describe('the agent cannot read the bot token (real CLI, fake model, fake Bot API)', function () {
  this.timeout(120_000);

  it('with isolation (auto): the probe runs, and the token is in nothing the model receives', async () => {
    const r = await leakRun('auto');
    expect(r.output.join('\n')).to.match(/isolation: (bwrap|user) \(self-test passed/);
    expect(r.ran, 'the probe command ran').to.equal(true);
    expect(r.seen).not.to.contain(r.token);
    expect(r.seen).not.to.contain(r.token.split(':')[1]!);
  });

  it('as a separate user (ISOLATION=user, the bot is root): the probe runs, the token stays out', async function () {
    if (process.geteuid?.() !== 0) this.skip();
    const r = await leakRun('user');
    expect(r.output.join('\n')).to.match(/isolation: user \(self-test passed/);
    expect(r.ran).to.equal(true);
    expect(r.seen).not.to.contain(r.token);
  });

  it('without isolation (ISOLATION=none) the same probe finds the token', async () => {
    const r = await leakRun('none');
    expect(r.ran).to.equal(true);
    expect(r.seen).to.contain(r.token);
  });
});
