// End to end: the bot started as `npm start` starts it, the real Claude Code CLI, a fake model and
// a fake Bot API that enforces Telegram's rules — all on 127.0.0.1.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startBot, OWNER, STRANGER, type Harness } from '../helpers/botHarness.ts';
import { taggedClaudePids, waitUntil } from '../helpers/processes.ts';
import type { ModelRequest } from '../helpers/fakeModel.ts';

const FOOTER = /⏱ [\d.]+ s · \d+ turns? · \$\d+\.\d{4}/;

/** Text of every message of a role in a model request, flattened. */
const conversationText = (r: ModelRequest) => JSON.stringify(r.body.messages ?? []);

describe('bot end to end (real CLI, fake model, fake Bot API)', function () {
  this.timeout(120_000);
  let h: Harness;
  let chat = 1000;
  const nextChat = () => ++chat;
  const say = (chatId: number, text: string, extra: { chatType?: 'private' | 'group' | 'supergroup'; userId?: number } = {}) =>
    h.tg.sendText({ chatId: extra.chatType && extra.chatType !== 'private' ? -chatId : chatId, userId: extra.userId ?? OWNER, text, chatType: extra.chatType ?? 'private' });

  // Long answers and code blocks come from the test through this map (prompt marker → reply).
  const scripted = new Map<string, string>();
  let errorsLeft = 0;
  const director = (req: ModelRequest) => {
    if (req.lastUserText.includes('BREAKONCE') && errorsLeft > 0) return (errorsLeft--, { error: { status: 400 } });
    for (const [marker, text] of scripted) if (req.lastUserText.includes(marker) && req.toolResults.length === 0) return { text };
    return undefined;
  };
  before(async () => {
    h = await startBot({ director });
    await h.start();
  });
  after(async () => {
    await h?.close();
  });

  it('answers hello with the model reply and a footer, as a reply to the message', async () => {
    const c = nextChat();
    const u = say(c, 'hello');
    const m = await h.waitForMessage(c, /MOCK REPLY to: hello/);
    expect(m.text).to.match(FOOTER);
    expect(m.replyToMessageId).to.equal((u as { message: { message_id: number } }).message.message_id);
    expect(h.tg.calls.some((k) => k.method === 'sendChatAction' && k.params.chat_id === c)).to.equal(true);
    expect(h.tg.calls.some((k) => 'parse_mode' in k.params)).to.equal(false);
    expect(h.tg.commands.map((x) => x.command)).to.include.members(['new', 'sessions', 'switch', 'persona', 'status', 'stop', 'help']);
  });

  it('keeps the conversation: the second request carries the first exchange', async () => {
    const c = nextChat();
    say(c, 'remember the word pineapple');
    await h.waitForMessage(c, /MOCK REPLY to: remember the word pineapple/);
    say(c, 'what was the word?');
    await h.waitForMessage(c, /MOCK REPLY to: what was the word\?/);
    const second = h.model.mainRequests().filter((r) => r.lastUserText.includes('what was the word?')).at(-1)!;
    expect(conversationText(second)).to.contain('remember the word pineapple');
    expect(conversationText(second)).to.contain('MOCK REPLY to: remember the word pineapple');
  });

  it('answers three queued messages in order', async () => {
    const c = nextChat();
    say(c, 'first [[slow: 600]]');
    say(c, 'second');
    say(c, 'third');
    await h.waitForMessage(c, /MOCK REPLY to: third/);
    const order = ['first', 'second', 'third'].map((w) => h.find(c, new RegExp(`MOCK REPLY to: ${w}`))!.messageId);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(h.tg.chatLog(c).filter((m) => /MOCK REPLY/.test(m.text ?? ''))).to.have.length(3);
  });

  it('shows tool progress in a group preview and the tool output in the answer', async () => {
    const c = nextChat();
    scripted.set('SLOWTOOL', '');
    h.model.setDirector((req) => {
      if (req.lastUserText.includes('SLOWTOOL') && req.toolResults.length === 0) return { toolUse: { name: 'Bash', input: { command: 'echo tool-says-hi', description: 'say hi' } } };
      if (req.toolResults.some((t) => t.content.includes('tool-says-hi'))) return { text: `TOOL RESULT: ${req.toolResults[0]!.content}`, chunkSize: 4, delayMs: 150 };
      return undefined;
    });
    try {
      say(c, '@fake_test_bot SLOWTOOL please', { chatType: 'group' }); // groups: only what is addressed to the bot
      const answer = await h.waitForMessage(-c, /TOOL RESULT: tool-says-hi/);
      expect(answer.text).to.match(FOOTER);
      const all = [...h.tg.chatLog(-c), ...h.tg.deletedMessages.filter((m) => m.chatId === -c)];
      const versions = all.flatMap((m) => [...m.history.map((v) => v.text ?? ''), m.text ?? '']);
      expect(versions.some((t) => /Bash: echo tool-says-hi/.test(t))).to.equal(true);
    } finally {
      h.model.setDirector(director);
    }
  });

  it('splits a 9000-character Markdown answer with a code block across 4096 without breaking it', async () => {
    const c = nextChat();
    const code = Array.from({ length: 140 }, (_, i) => `const line${i} = ${i} * 2; // ${'x'.repeat(20)}`).join('\n');
    const before = 'Intro paragraph with **bold** and `code`.\n\n' + 'word '.repeat(600);
    const md = `${before}\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter the code: _done_.`;
    expect(md.length).to.be.greaterThan(9000);
    expect(before.length).to.be.lessThan(4096);
    expect(before.length + code.length).to.be.greaterThan(4096);
    scripted.set('LONGMD', md);
    say(c, 'LONGMD');
    await h.waitForMessage(c, /After the code: done\./);
    const finals = h.tg.chatLog(c);
    expect(finals.length).to.be.greaterThan(2);
    for (const m of finals) expect(m.text!.length).to.be.at.most(4096);
    const rejected = h.tg.calls.filter((k) => k.params.chat_id === c && k.status >= 400);
    expect(rejected).to.deep.equal([]);
    // The code is intact (every line present once, in order) and shown as pre in every chunk it touches.
    const joined = finals.map((m) => m.text).join('\n');
    const lines = code.split('\n');
    let at = 0;
    for (const l of lines) {
      const i = joined.indexOf(l, at);
      expect(i, `line "${l}"`).to.be.greaterThan(-1);
      at = i + l.length;
    }
    const withCode = finals.filter((m) => /const line\d+/.test(m.text ?? ''));
    expect(withCode.length).to.be.greaterThan(1);
    for (const m of withCode) expect(m.entities?.some((e) => e.type === 'pre'), `chunk ${m.messageId} has pre`).to.equal(true);
  });

  it('delivers hostile Markdown characters literally', async () => {
    const c = nextChat();
    // Characters that are not markup where they stand must arrive literally; the rest is Markdown.
    const hostile = 'Chars: _ * [ ] ( ) ~ > # + - = | { } . ! \\\\ <b> &lt; [link](javascript:alert(1)) snake_case_name 2 * 3 = 6\n\n```\nunclosed *fence* <i>';
    scripted.set('HOSTILE', hostile);
    say(c, 'HOSTILE');
    const m = await h.waitForMessage(c, /Chars:/);
    for (const ch of ['_ * [ ] ( ) ~ > # + - = | { } . !', '\\', '<b>', '<', 'snake_case_name', '2 * 3 = 6', 'unclosed *fence* <i>', 'javascript:alert(1)']) {
      expect(m.text, ch).to.contain(ch);
    }
    expect(m.entities?.some((e) => e.type === 'text_link')).to.not.equal(true);
    expect(m.entities?.some((e) => e.type === 'pre')).to.equal(true);
  });

  it('tells an API error in plain words, then answers the next message', async () => {
    const c = nextChat();
    // The model fails until the error is shown (the CLI re-sends an unanswered message with the next one).
    errorsLeft = Infinity;
    say(c, 'break please BREAKONCE');
    const err = await h.waitForMessage(c, /error/i);
    errorsLeft = 0;
    expect(err.text).to.match(/400/);
    say(c, 'are you back?');
    // The CLI sends the unanswered message again together with the new one.
    await h.waitForMessage(c, /MOCK REPLY to: [\s\S]*are you back\?/);
  });

  it('/stop interrupts a slow turn; the session continues', async () => {
    const c = nextChat();
    say(c, 'take your time [[slow: 20000]]');
    await h.tg.waitFor(() => h.tg.calls.some((k) => k.method === 'sendChatAction' && k.params.chat_id === c), 15_000, 'typing');
    await waitUntil(() => h.model.mainRequests().some((r) => r.lastUserText.includes('take your time')), 15_000, 'model request');
    // As a user would: stop once the answer has begun to show (the first streamed text).
    await h.tg.waitFor(() => h.tg.calls.some((k) => k.params.chat_id === c && /MOCK REPLY/.test(String(k.params.text ?? ''))), 20_000, 'the first streamed text');
    say(c, '/stop');
    await h.waitForMessage(c, /Stopping the running turn/);
    await h.waitForMessage(c, /⏹ Stopped/, 20_000);
    say(c, 'still there?');
    await h.waitForMessage(c, /MOCK REPLY to: still there\?/);
    const last = h.model.mainRequests().filter((r) => r.lastUserText.includes('still there?')).at(-1)!;
    expect(conversationText(last)).to.contain('take your time');
  });

  it('/persona changes the system prompt and model the model receives', async () => {
    const c = nextChat();
    say(c, '/persona');
    await h.waitForMessage(c, /reviewer/);
    say(c, '/persona reviewer');
    await h.waitForMessage(c, /now uses persona "reviewer"/);
    say(c, 'review this');
    await h.waitForMessage(c, /MOCK REPLY to: review this/);
    const req = h.model.mainRequests().filter((r) => r.lastUserText.includes('review this')).at(-1)!;
    expect(JSON.stringify(req.body.system)).to.contain('meticulous code reviewer');
    expect(req.body.model).to.match(/sonnet/);
  });

  it('saves a document in the session directory under a safe name and tells Claude about it', async () => {
    const c = nextChat();
    h.tg.sendDocument({ chatId: c, userId: OWNER, fileName: '../../evil name?.txt', content: Buffer.from('file body 42'), caption: 'what is in it?' });
    await h.waitForMessage(c, /MOCK REPLY to: .*evil name_\.txt/s);
    const dir = join(h.sessionsDir, `chat${c}`, 'default');
    // An unsanitized '../../…' would land two levels up from the session directory: in SESSIONS_DIR itself.
    expect(join(dir, '..', '..')).to.equal(h.sessionsDir);
    expect(readdirSync(h.sessionsDir).filter((n) => n.includes('evil'))).to.deep.equal([]);
    expect(readFileSync(join(dir, 'evil name_.txt'), 'utf8')).to.equal('file body 42');
    // A second file with the same name does not overwrite the first.
    h.tg.sendDocument({ chatId: c, userId: OWNER, fileName: 'evil name?.txt', content: Buffer.from('second'), caption: 'and this?' });
    await h.waitForMessage(c, /MOCK REPLY to: .*evil name_-1\.txt/s);
    expect(readdirSync(dir)).to.include.members(['evil name_.txt', 'evil name_-1.txt']);
  });

  it('puts the quoted message into the prompt of a reply, and explains unsupported kinds', async () => {
    const c = nextChat();
    h.tg.sendText({ chatId: c, userId: OWNER, text: 'and translate it', replyTo: { message_id: 77, text: 'Bonjour tout le monde' } });
    await h.waitForMessage(c, /MOCK REPLY to: [\s\S]*Bonjour tout le monde/);
    h.tg.pushUpdate({ message: { message_id: 500, date: 1, chat: { id: c, type: 'private' }, from: { id: OWNER, is_bot: false, first_name: 'O' }, sticker: { file_id: 's', file_unique_id: 's', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } } });
    await h.waitForMessage(c, /can't use a sticker yet/);
  });

  it('refuses an unauthorized user once per chat and starts nothing', async () => {
    const c = nextChat();
    const before = h.model.requests.length;
    h.tg.sendText({ chatId: c, userId: STRANGER, text: 'let me in' });
    await h.waitForMessage(c, /this bot is private/);
    h.tg.sendText({ chatId: c, userId: STRANGER, text: 'please' });
    await h.waitForOutput(new RegExp(`refused user ${STRANGER}.*chat ${c}`));
    await waitUntil(() => h.output.filter((l) => l.includes(`refused user ${STRANGER}`)).length >= 2, 10_000, 'second refusal logged');
    expect(h.tg.chatLog(c)).to.have.length(1);
    expect(h.model.requests.length).to.equal(before);
    expect(existsSync(join(h.sessionsDir, `chat${c}`))).to.equal(false);
  });

  it('refuses a session name that tries to escape', async () => {
    const c = nextChat();
    // Session directories are SESSIONS_DIR/chat<chatKey>/<name>, so '../../<x>' would be a sibling of SESSIONS_DIR.
    const x = `escaped-${process.pid}-${c}`;
    say(c, `/new ../../${x}`);
    // Whatever the answer, the directory would exist by then (the registry creates it before replying).
    const answer = await h.waitForMessage(c, /not a valid session name|Started session/);
    const escaped = join(h.sessionsDir, `chat${c}`, '..', '..', x);
    expect(escaped).to.equal(join(dirname(h.sessionsDir), x));
    expect(existsSync(escaped)).to.equal(false);
    expect(answer.text).to.match(/not a valid session name/);
    say(c, '/new work_2');
    await h.waitForMessage(c, /Started session "work_2"/);
    say(c, '/sessions');
    const list = await h.waitForMessage(c, /Sessions/);
    expect(list.text).to.match(/▶️ work_2/);
  });

  it('still delivers the answer, exactly once, through injected 429s', async () => {
    const c = nextChat();
    h.tg.failNext('sendMessage', { status: 429, retryAfter: 1 }, 2);
    say(c, 'through the flood');
    await h.waitForMessage(c, /MOCK REPLY to: through the flood/, 30_000);
    expect(h.tg.stats.tooMany).to.be.at.least(2);
    expect(h.tg.chatLog(c).filter((m) => /through the flood/.test(m.text ?? ''))).to.have.length(1);
  });

  it('leaves no Claude Code process behind after a SIGTERM, exits 0 and keeps its state', async () => {
    const code = await h.stop('SIGTERM');
    expect(code).to.equal(0);
    expect(taggedClaudePids(h.env)).to.deep.equal([]);
    const chats = JSON.parse(readFileSync(join(h.sessionsDir, 'chats.json'), 'utf8'));
    expect(Object.keys(chats).length).to.be.greaterThan(3);
  });
});
