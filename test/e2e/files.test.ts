// End to end, files both ways: the real CLI calls the bot's MCP tool send_file (the fake model
// emits the tool_use) and the fake Bot API receives the exact bytes; /get; the Diff button.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from 'node:path';
import { startBot, OWNER, type Harness } from '../helpers/botHarness.ts';
import type { ModelRequest } from '../helpers/fakeModel.ts';

const SEND = 'mcp__telegram__send_file';

describe('files both ways end to end (real CLI, fake model, fake Bot API)', function () {
  this.timeout(120_000);
  let h: Harness;
  let chat = 3000;
  const nextChat = () => ++chat;
  const say = (chatId: number, text: string) => h.tg.sendText({ chatId, userId: OWNER, text, chatType: 'private' });
  const dirOf = (c: number) => join(h.sessionsDir, `chat${c}`, 'default');
  // SENDFILE <path> [| caption] in a prompt makes the model call send_file once, then report the result.
  let duringTurn: (() => void) | undefined;
  const director = (req: ModelRequest) => {
    if (req.lastUserText.includes('EDITDURING') && duringTurn) (duringTurn(), (duringTurn = undefined));
    const m = /SENDFILE (\S+)(?: \| (.+))?/.exec(req.lastUserText);
    if (m && req.toolResults.length === 0) return { toolUse: { name: SEND, input: { path: m[1]!, ...(m[2] ? { caption: m[2] } : {}) } } };
    return undefined;
  };
  before(async () => {
    h = await startBot({ director });
    await h.start();
  });
  after(async () => {
    await h?.close();
  });

  it('send_file: the model sees the tool, the chat gets the image as a photo with the exact bytes, Claude gets the result', async () => {
    const c = nextChat();
    say(c, 'hello first');
    await h.waitForMessage(c, /MOCK REPLY to: hello first/);
    const bytes = randomBytes(3000);
    writeFileSync(join(dirOf(c), 'chart.png'), bytes);
    say(c, 'SENDFILE chart.png | the chart');
    const result = await h.waitForMessage(c, /TOOL RESULT: Sent chart\.png \(3 KB\) to the chat as a photo/);
    const req = h.model.mainRequests().find((r) => r.lastUserText.includes('SENDFILE chart.png'))!;
    const tool = (req.body.tools ?? []).find((t) => t.name === SEND);
    expect(tool, 'send_file in the request tools').to.not.equal(undefined);
    const photo = h.tg.chatLog(c).find((m) => m.file?.kind === 'photo')!;
    expect(photo.file!.bytes.equals(bytes)).to.equal(true);
    expect(photo.file!.fileName).to.equal('chart.png');
    expect(photo.caption).to.equal('the chart');
    expect(photo.messageId).to.be.lessThan(result.messageId); // before the turn's answer
  });

  it('send_file: anything else is a document; missing, empty and directory paths are tool errors; the session goes on', async () => {
    const c = nextChat();
    say(c, 'hi');
    await h.waitForMessage(c, /MOCK REPLY to: hi/);
    const bytes = Buffer.from('%PDF-1.4 fake report\n');
    mkdirSync(join(dirOf(c), 'out'), { recursive: true });
    writeFileSync(join(dirOf(c), 'out', 'report.pdf'), bytes);
    writeFileSync(join(dirOf(c), 'empty.txt'), '');
    say(c, `SENDFILE ${join(dirOf(c), 'out', 'report.pdf')}`);
    await h.waitForMessage(c, /TOOL RESULT: Sent report\.pdf \(21 bytes\) to the chat as a document/);
    expect(h.tg.chatLog(c).find((m) => m.file?.kind === 'document')!.file!.bytes.equals(bytes)).to.equal(true);
    say(c, 'SENDFILE nothere.txt');
    await h.waitForMessage(c, /TOOL RESULT: Not sent: nothere\.txt does not exist/);
    say(c, 'SENDFILE empty.txt');
    await h.waitForMessage(c, /TOOL RESULT: Not sent: empty\.txt is empty/);
    say(c, 'SENDFILE out');
    await h.waitForMessage(c, /TOOL RESULT: Not sent: out is a directory/);
    say(c, 'still there?');
    await h.waitForMessage(c, /MOCK REPLY to: still there\?/);
    expect(h.tg.chatLog(c).filter((m) => m.file)).to.have.length(1);
  });

  it('/get sends a file from the session, lists a directory, and refuses missing, empty, .. and symlinks that lead out', async () => {
    const c = nextChat();
    say(c, 'hi');
    await h.waitForMessage(c, /MOCK REPLY to: hi/);
    const bytes = randomBytes(2048);
    mkdirSync(join(dirOf(c), 'src'), { recursive: true });
    writeFileSync(join(dirOf(c), 'src', 'data.bin'), bytes);
    writeFileSync(join(dirOf(c), 'pic.jpg'), bytes);
    writeFileSync(join(dirOf(c), 'nothing.txt'), '');
    writeFileSync(join(h.sessionsDir, 'secret.txt'), 'outside');
    symlinkSync(join(h.sessionsDir, 'secret.txt'), join(dirOf(c), 'link.txt'));
    say(c, '/get src/data.bin');
    const doc = await h.tg.waitFor(() => h.tg.chatLog(c).find((m) => m.file?.fileName === 'data.bin'), 15_000, 'data.bin uploaded');
    expect(doc.file!.kind).to.equal('document');
    expect(doc.file!.bytes.equals(bytes)).to.equal(true);
    say(c, '/get pic.jpg');
    const photo = await h.tg.waitFor(() => h.tg.chatLog(c).find((m) => m.file?.fileName === 'pic.jpg'), 15_000, 'pic.jpg uploaded');
    expect(photo.file!.kind).to.equal('photo');
    say(c, '/get .');
    const list = await h.waitForMessage(c, /Session directory:/);
    expect(list.text).to.match(/📁 src\//).and.match(/📄 pic\.jpg — 2 KB/);
    say(c, '/get nope.txt');
    await h.waitForMessage(c, /nope\.txt does not exist/);
    say(c, '/get nothing.txt');
    await h.waitForMessage(c, /nothing\.txt is empty/);
    say(c, '/get ../../secret.txt');
    await h.waitForMessage(c, /\.\.\/\.\.\/secret\.txt is outside this session's directory/);
    say(c, '/get link.txt');
    await h.waitForMessage(c, /link\.txt is outside this session's directory/);
    say(c, '/get');
    await h.waitForMessage(c, /Usage: \/get <path>/);
    expect(h.tg.chatLog(c).filter((m) => m.file).map((m) => m.file!.fileName)).to.deep.equal(['data.bin', 'pic.jpg']);
  });

  it('a turn that changes a git work tree gets a Diff button; pressing it sends the diff; no change, no button', async () => {
    const c = nextChat();
    say(c, 'hi');
    await h.waitForMessage(c, /MOCK REPLY to: hi/);
    const dir = dirOf(c);
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q');
    writeFileSync(join(dir, 'notes.md'), 'line one\n');
    git('add', 'notes.md');
    git('commit', '-qm', 'start');
    say(c, 'just talk');
    const quiet = await h.waitForMessage(c, /MOCK REPLY to: just talk/);
    expect(quiet.reply_markup).to.equal(undefined);
    writeFileSync(join(dir, 'notes.md'), 'line one\nline two\n'); // uncommitted before the turn: not the turn's change
    // The default persona may not write files: the fake model makes the change while it answers the turn.
    duringTurn = () => writeFileSync(join(dir, 'added.md'), 'brand new\n');
    say(c, 'edit it EDITDURING');
    const changed = await h.waitForMessage(c, /MOCK REPLY to: edit it/);
    expect(duringTurn, 'the model made the change').to.equal(undefined);
    const button = changed.reply_markup?.inline_keyboard.flat().find((b) => b.text.includes('Diff'));
    expect(button, `a Diff button on ${changed.text}; dir has ${readdirSync(dir)}`).to.not.equal(undefined);
    h.tg.sendCallback({ chatId: c, userId: OWNER, messageId: changed.messageId, data: (button as { callback_data: string }).callback_data });
    const diff = await h.waitForMessage(c, /^diff --git a\/notes\.md/);
    expect(diff.text).to.contain('+line two').and.contain('+++ b/added.md').and.contain('+brand new');
    expect(diff.entities?.[0]).to.include({ type: 'pre', language: 'diff' });
    // A diff too long for one message arrives as a .diff document.
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(80).concat('\n').repeat(100));
    h.tg.sendCallback({ chatId: c, userId: OWNER, messageId: changed.messageId, data: (button as { callback_data: string }).callback_data });
    const doc = await h.tg.waitFor(() => h.tg.chatLog(c).find((m) => m.file?.fileName === 'default.diff'), 15_000, 'the .diff document');
    expect(doc.file!.bytes.toString()).to.contain('+brand new').and.contain('big.txt');
    rmSync(join(dir, 'big.txt'));
  });

  it('a voice note without a transcriber: says how to set one up, saves the note and gives Claude its path', async () => {
    const c = nextChat();
    const ogg = randomBytes(700);
    h.tg.sendMedia({ chatId: c, userId: OWNER, kind: 'voice', content: ogg });
    await h.waitForMessage(c, /set STT_URL/);
    await h.waitForMessage(c, /MOCK REPLY to: The user sent a voice note, saved in the working directory as "voice-1\.ogg"/);
    expect(readFileSync(join(dirOf(c), 'voice-1.ogg')).equals(ogg)).to.equal(true);
  });
});
