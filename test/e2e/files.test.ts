// End to end, files both ways: the real CLI calls the bot's MCP tool send_file (the fake model
// emits the tool_use) and the fake Bot API receives the exact bytes; /get; the Diff button.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  const director = (req: ModelRequest) => {
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
});
