// `npm run chat` end to end: the console front end over a pipe, the real CLI, the fake model.
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runChat } from '../helpers/chatHarness.ts';
import { startFakeModel, type FakeModel, type ModelRequest } from '../helpers/fakeModel.ts';
import { pidsWithEnv, TAG_VAR } from '../helpers/processes.ts';

const FOOTER = /⏱ [\d.]+ s · \d+ turns? · \$\d+\.\d{4}/;

describe('console chat (npm run chat) through a pipe', function () {
  this.timeout(120_000);
  let model: FakeModel;
  const dirs: string[] = [];
  before(async () => {
    model = await startFakeModel({});
  });
  after(async () => {
    await model.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('answers a message with the footer, runs bot commands, and exits at end of input with no process left', async () => {
    const r = await runChat(model, ['hello console', '/sessions']);
    dirs.push(r.sessionsDir);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/MOCK REPLY to: hello console/);
    expect(r.stdout).to.match(FOOTER);
    expect(r.stdout).to.match(/Sessions/);
    // Same SESSIONS_DIR layout as the bot, chat "console".
    expect(existsSync(join(r.sessionsDir, 'chatconsole', 'default'))).to.equal(true);
    expect(readFileSync(join(r.sessionsDir, 'chats.json'), 'utf8')).to.contain('"console"');
    // Never moves Telegram's update offset.
    expect(existsSync(join(r.sessionsDir, 'telegram-offset.json'))).to.equal(false);
    expect(pidsWithEnv(`${TAG_VAR}=`, `HOME=${r.home}`)).to.deep.equal([]);
  });

  it('shows the tool line, asks before a command and runs it on y', async () => {
    const marker = `ran-${Date.now()}`;
    // acceptEdits allows file edits in the session directory by itself; node -e needs approval.
    const r = await runChat(model, [`[[bash: node -e "require('fs').writeFileSync('out.txt','${marker}')"]]`, 'y']);
    dirs.push(r.sessionsDir);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/❓ Claude Code asks to use a tool/);
    expect(r.stdout).to.match(/\[y\] ✅ Allow/);
    expect(r.stdout).to.match(/→ ✅ Allowed/);
    expect(r.stdout).to.contain('🔧 Bash');
    expect(readFileSync(join(r.sessionsDir, 'chatconsole', 'default', 'out.txt'), 'utf8').trim()).to.equal(marker);
  });

  it('denies on n, and refuses a 1 MB line and binary input without crashing', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const r = await runChat(model, [`[[bash: node -e "require('fs').writeFileSync('denied-file','x')"]]`, 'n', big, '\u0000\u0001\u0002binary\u00ff', 'after binary']);
    dirs.push(r.sessionsDir);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/→ ❌ Denied/);
    expect(existsSync(join(r.sessionsDir, 'chatconsole', 'default', 'denied-file'))).to.equal(false);
    expect(r.stdout).to.match(/limit is 65536/);
    expect(r.stdout).to.match(/MOCK REPLY to: binary/);
    expect(r.stdout).to.match(/MOCK REPLY to: after binary/);
    expect(model.mainRequests().some((q: ModelRequest) => q.lastUserText.length > 100_000)).to.equal(false);
  });

  it('Ctrl-C (SIGINT) while a turn streams: exits 0 within the grace period, no process left', async () => {
    const r = await runChat(model, ['count slowly [[slow: 30000]]'], { sigintWhen: /MOCK REPLY/, env: { SHUTDOWN_GRACE_SECONDS: '1' } });
    dirs.push(r.sessionsDir);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/SIGINT: no new messages/);
    expect(pidsWithEnv(`${TAG_VAR}=`, `HOME=${r.home}`)).to.deep.equal([]);
  });

  it('keeps the conversation across runs (same SESSIONS_DIR)', async () => {
    const first = await runChat(model, ['remember the word kumquat'], { keepHome: true });
    dirs.push(first.sessionsDir, first.home);
    const second = await runChat(model, ['what was the word?'], { sessionsDir: first.sessionsDir, home: first.home });
    expect(second.code, second.stderr).to.equal(0);
    const req = model.mainRequests().filter((q) => q.lastUserText.includes('what was the word?')).at(-1)!;
    expect(JSON.stringify(req.body.messages)).to.contain('kumquat');
  });
});
