// Issue 10 end to end: sessions in a project (a temporary git repository) and in a git worktree
// of it, Claude Code's own commands (/compact, /clear, a custom command file), /model, and the
// handoff with the terminal (/status, /resume of a conversation a plain `claude -p` made) — the
// bot as `npm start` runs it, the real CLI, the fake model and the fake Bot API.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot, OWNER, type Harness } from '../helpers/botHarness.ts';
import { claudeBin } from '../helpers/cliEnv.ts';
import { git, makeRepo } from '../helpers/gitRepo.ts';
import type { StoredMessage } from '../helpers/fakeBotApi/index.ts';

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

describe('projects, worktrees, Claude commands, /model and handoff end to end', function () {
  this.timeout(180_000);
  let h: Harness;
  let root: string;
  let app: string;
  let plain: string;
  let chat = 3000;
  const say = (c: number, text: string) => h.tg.sendText({ chatId: c, userId: OWNER, text });
  const press = (c: number, msg: StoredMessage, label: RegExp) => {
    const b = (msg.reply_markup as Keyboard | undefined)?.inline_keyboard.flat().find((k) => label.test(k.text));
    if (!b?.callback_data) throw new Error(`no button ${label} on ${JSON.stringify(msg.reply_markup)}`);
    h.tg.sendCallback({ chatId: c, userId: OWNER, messageId: msg.messageId, data: b.callback_data });
  };
  /** Sends and waits for the bot message matching `re` that came after it. */
  const ask = async (c: number, text: string, re: RegExp, timeoutMs = 60_000) => {
    const before = h.tg.chatLog(c).length;
    say(c, text);
    return h.tg.waitFor(() => h.tg.chatLog(c).slice(before).find((m) => re.test(m.text ?? '')), timeoutMs, `${re} after "${text}"; chat has: ${JSON.stringify(h.tg.chatLog(c).slice(before).map((m) => m.text?.slice(0, 100)))}`);
  };
  const lastRequest = (marker: string) => h.model.mainRequests().filter((r) => r.lastUserText.includes(marker)).at(-1);

  before(async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'bot-projects-')));
    app = makeRepo(join(root, 'projects', 'app'));
    plain = join(root, 'projects', 'plain');
    mkdirSync(plain);
    mkdirSync(join(app, '.claude', 'commands'), { recursive: true });
    writeFileSync(join(app, '.claude', 'commands', 'greet-user.md'), 'CUSTOM-CMD-MARKER: please greet $ARGUMENTS warmly.\n');
    git(app, 'add', '.');
    git(app, 'commit', '-q', '-m', 'command');
    h = await startBot({ env: { PROJECTS_DIR: join(root, 'projects') } });
    await h.start();
  });
  after(async () => {
    await h?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('/projects lists them with branch and state; the button starts a session whose Bash runs in the project', async () => {
    const c = ++chat;
    const list = await ask(c, '/projects', /Projects/);
    expect(list.text).to.match(/📁 app — main, clean/).and.to.match(/📁 plain — not a git repository/);
    press(c, list, /app/);
    await h.waitForMessage(c, /Started session "app" in project app/);
    const m = await ask(c, '[[bash: pwd]]', /TOOL RESULT/);
    expect(m.text).to.contain(`TOOL RESULT: ${app}`);
    // The menu now has the session's Claude commands, `-` shown as `_`.
    const menu = await h.tg.waitFor(() => h.tg.chatCommands(c), 10_000, 'a chat menu');
    expect(menu.map((k) => k.command)).to.include.members(['new', 'projects', 'model', 'compact', 'clear', 'greet_user', 'code_review']);
    expect(menu.map((k) => k.command)).to.not.include('__remote_workflow');
    expect((await ask(c, '/projects', /Projects/)).text).to.match(/📁 app — main, clean · sessions: app/);
  });

  it('a custom command file reaches the model expanded, before the session ever ran (/greet_user → greet-user.md)', async () => {
    const c = ++chat;
    await ask(c, '/new g app', /Started session "g"/);
    await ask(c, '/greet_user Bob', /MOCK REPLY/);
    expect(lastRequest('CUSTOM-CMD-MARKER')?.lastUserText).to.contain('CUSTOM-CMD-MARKER: please greet Bob warmly.');
    expect((await ask(c, '/nosuchcmd', /Unknown command \/nosuchcmd/)).text).to.contain('/claude nosuchcmd');
  });

  it('a file sent to a project session stays in the session folder, and Claude gets its absolute path', async () => {
    const c = ++chat;
    await ask(c, '/new f app', /Started session "f"/);
    const before = h.tg.chatLog(c).length;
    h.tg.sendDocument({ chatId: c, userId: OWNER, fileName: 'notes.txt', content: Buffer.from('file body'), caption: 'FILE-MARKER look' });
    await h.tg.waitFor(() => h.tg.chatLog(c).slice(before).find((m) => /MOCK REPLY/.test(m.text ?? '')), 60_000, 'an answer to the file');
    const own = join(h.sessionsDir, `chat${c}`, 'f');
    expect(readdirSync(own)).to.include('notes.txt');
    expect(existsSync(join(app, 'notes.txt'))).to.equal(false);
    expect(lastRequest("FILE-MARKER")?.lastUserText).to.contain(`saved as "${own}/notes.txt"`);
  });

  it('@branch: its own worktree (Bash prints it, git lists the branch); /status and /sessions show it; removal asks, refuses changes, then removes', async () => {
    const c = ++chat;
    await ask(c, '/new w app@feat-1', /Started session "w" in project app, branch feat-1 in a new worktree/);
    const wt = join(realpathSync(h.sessionsDir), 'worktrees', 'app', 'feat-1');
    expect((await ask(c, '[[bash: pwd]]', /TOOL RESULT/)).text).to.contain(`TOOL RESULT: ${wt}`);
    expect(git(app, 'worktree', 'list')).to.match(new RegExp(`${wt}\\s+\\w+ \\[feat-1\\]`));
    const status = await ask(c, '/status', /Session: w/);
    const id = /Conversation: (\S+)/.exec(status.text ?? '')![1]!;
    expect(status.text).to.contain('Project: app, branch feat-1').and.to.contain(`In a terminal: cd ${wt} && claude --resume ${id}`);
    expect((await ask(c, '/sessions', /Sessions/)).text).to.contain('w — default, app@feat-1');
    // A second session on the same branch reuses the worktree.
    await ask(c, '/new w2 app@feat-1', /branch feat-1 in its existing worktree/);
    await ask(c, '/switch w', /Now using session "w"/);
    writeFileSync(join(wt, 'wip.txt'), 'uncommitted');
    const confirm = await ask(c, '/worktree remove', /Remove this worktree\?/);
    press(c, confirm, /Remove/);
    await h.waitForMessage(c, /uncommitted changes, so it was not removed:[\s\S]*wip\.txt/);
    expect(existsSync(wt)).to.equal(true);
    rmSync(join(wt, 'wip.txt'));
    press(c, confirm, /Remove/);
    await h.waitForMessage(c, /Removed the worktree .*feat-1.*branch feat-1 is kept/);
    expect(existsSync(wt)).to.equal(false);
    expect(git(app, 'branch', '--list', 'feat-1')).to.contain('feat-1');
    expect((await ask(c, '[[bash: pwd]]', /TOOL RESULT/)).text).to.contain(`TOOL RESULT: ${app}`);
  });

  it('bad input gets clear answers and the session stays usable', async () => {
    const c = ++chat;
    expect((await ask(c, '/new x nope', /no project/)).text).to.contain('Projects: app, plain');
    await ask(c, '/new x plain@b1', /not a git repository/);
    await ask(c, '/new x app@bad..name', /git does not accept "bad\.\.name"/);
    mkdirSync(join(h.sessionsDir, 'worktrees', 'app', 'squat'), { recursive: true });
    await ask(c, '/new x app@squat', /already exists but is not a worktree/);
    await ask(c, '/resume 12345678', /No conversation 12345678 is recorded/);
    await ask(c, '/worktree', /has no git worktree/);
    await ask(c, 'still there?', /MOCK REPLY to: still there\?/);
  });

  it('/compact shows it compacted; /clear stores the new conversation id, which survives a restart', async () => {
    const c = ++chat;
    await ask(c, '/new k app', /Started session "k"/);
    await ask(c, 'remember the word kiwi', /MOCK REPLY to: remember the word kiwi/);
    const id1 = /Conversation: (\S+)/.exec((await ask(c, '/status', /Session: k/)).text ?? '')![1]!;
    await ask(c, '/compact', /Compacted/);
    await ask(c, '/clear', /\/clear: Claude Code started a new conversation/);
    const id2 = /Conversation: (\S+)/.exec((await ask(c, '/status', /Session: k/)).text ?? '')![1]!;
    expect(id2).to.match(/^[0-9a-f-]{36}$/).and.not.equal(id1);
    await h.stop();
    await h.start();
    expect((await ask(c, '/status', /Session: k/)).text).to.contain(`Conversation: ${id2}`);
    await ask(c, 'what was the word? AFTER-CLEAR', /MOCK REPLY/);
    const history = JSON.stringify(lastRequest('AFTER-CLEAR')?.body.messages ?? []);
    expect(history).to.not.contain('kiwi');
  });

  it('/model lists the CLI\'s models with buttons; /model x switches the live process and is kept across a restart', async () => {
    const c = ++chat;
    await ask(c, '/new m app', /Started session "m"/);
    const list = await ask(c, '/model', /Model of session "m"/);
    const labels = (list.reply_markup as Keyboard).inline_keyboard.flat().map((b) => b.text);
    expect(labels.join(' ')).to.match(/Sonnet/).and.to.match(/Opus/);
    await ask(c, '/model claude-x-test', /the running Claude Code switched now/);
    await ask(c, 'which model? MODEL-ONE', /MOCK REPLY/);
    expect(lastRequest('MODEL-ONE')?.body.model).to.equal('claude-x-test');
    await h.stop();
    await h.start();
    await ask(c, 'and now? MODEL-TWO', /MOCK REPLY/);
    expect(lastRequest('MODEL-TWO')?.body.model).to.equal('claude-x-test');
    press(c, list, /Sonnet/);
    await h.waitForMessage(c, /Model "sonnet" is kept/);
    await ask(c, 'third MODEL-THREE', /MOCK REPLY/);
    expect(lastRequest('MODEL-THREE')?.body.model).to.match(/sonnet/);
  });

  it('/resume lists a conversation a plain `claude -p` made in the directory, and continues it with its history', async () => {
    const env = Object.fromEntries(Object.entries(h.env).filter(([k]) => !k.startsWith('TELEGRAM_') && k !== 'ALLOWED_USER_IDS'));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(claudeBin(), ['-p', 'first message RESUME-MARKER-ONE', '--output-format', 'json'], { cwd: plain, env, timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const id = (JSON.parse(out) as { session_id: string }).session_id;
    const c = ++chat;
    await ask(c, '/new r plain', /Started session "r" in project plain/);
    const list = await ask(c, '/resume', /Conversations in/);
    expect(list.text).to.contain('"first message RESUME-MARKER-ONE"').and.to.contain(id.slice(0, 8));
    await ask(c, `/resume ${id.slice(0, 8)}`, new RegExp(`now continues conversation ${id}`));
    await ask(c, 'what came first? RESUME-NEXT', /MOCK REPLY/);
    expect(JSON.stringify(lastRequest('RESUME-NEXT')?.body.messages)).to.contain('RESUME-MARKER-ONE');
    expect((await ask(c, '/status', /Session: r/)).text).to.contain(`cd ${plain} && claude --resume ${id}`);
  });
});
