// Pairing end to end over the fake Bot API: no ALLOWED_USER_IDS, the code from the bot's log,
// wrong codes, the right one (lowercase, spaced, as /start), a forwarded code, a restart, /invite
// and two users racing for one code.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBot, type Harness } from '../helpers/botHarness.ts';
import { waitUntil } from '../helpers/processes.ts';

/** The allowlist file as the state writer thread left it (it writes a moment after the reply). */
const savedIds = (dir: string): unknown => {
  try {
    return JSON.parse(readFileSync(join(dir, 'allowed-users.json'), 'utf8')).userIds;
  } catch {
    return undefined;
  }
};

const codeFrom = async (h: Harness, from: number): Promise<string> => /pairing code: ([A-Z0-9]+)/.exec(await h.waitForOutput(/pairing code: /, 15_000, from))![1]!;

describe('pairing (no ALLOWED_USER_IDS)', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await startBot({ env: { ALLOWED_USER_IDS: '' } });
    await h.start();
  });
  after(async () => {
    await h?.close();
  });

  it('pairs the first user who sends the code, refuses wrong and forwarded codes, and keeps the pairing across a restart', async () => {
    const code = await codeFrom(h, 0);
    expect(code).to.match(/^[A-Z0-9]{8}$/);
    expect(h.output.join('\n')).to.contain(`https://t.me/fake_test_bot?start=${code}`);
    // A stranger's ordinary message is refused and names the pairing.
    h.tg.sendText({ chatId: 201, userId: 201, text: 'hello bot' });
    await h.waitForMessage(201, /this bot is private.*pairing code/);
    h.tg.sendText({ chatId: 202, userId: 202, text: 'WRONG123' });
    await h.waitForMessage(202, /not the pairing code/);
    // A forward of the right code does not pair: it was not typed by the sender.
    h.tg.pushUpdate({ message: { message_id: 9001, date: 1, chat: { id: 203, type: 'private', first_name: 'F' }, from: { id: 203, is_bot: false, first_name: 'F' }, text: code, forward_origin: { type: 'user', date: 1, sender_user: { id: 1, is_bot: false, first_name: 'Owner' } } } });
    await h.waitForMessage(203, /forwarded message cannot pair/);
    // Lowercase with a space, as /start: accepted.
    const typed = `/start ${code.slice(0, 4).toLowerCase()} ${code.slice(4).toLowerCase()}`;
    h.tg.sendText({ chatId: 204, userId: 204, text: typed });
    await h.waitForMessage(204, /✅ Paired/);
    h.tg.sendText({ chatId: 204, userId: 204, text: 'hello after pairing' });
    await h.waitForMessage(204, /MOCK REPLY to: hello after pairing/);
    // Sending the code again: "already paired"; someone else with the used code: refused.
    h.tg.sendText({ chatId: 204, userId: 204, text: code });
    await h.waitForMessage(204, /already paired/);
    h.tg.sendText({ chatId: 205, userId: 205, text: code });
    await h.waitForMessage(205, /already been used/);
    await waitUntil(() => JSON.stringify(savedIds(h.sessionsDir)) === '[204]', 10_000, 'the allowlist on disk');
    expect(savedIds(h.sessionsDir)).to.deep.equal([204]);

    const from = h.output.length;
    expect(await h.stop()).to.equal(0);
    await h.start();
    expect(h.output.slice(from).some((l) => /pairing code: /.test(l)), 'no new code once someone is paired').to.equal(false);
    h.tg.sendText({ chatId: 204, userId: 204, text: 'still there after restart' });
    await h.waitForMessage(204, /MOCK REPLY to: still there after restart/);
  });

  it('rotates the code after 5 wrong tries and rate-limits a user after 3', async () => {
    // No code is open after the pairing above: an allowed user makes one with /invite.
    h.tg.sendText({ chatId: 204, userId: 204, text: '/invite' });
    const invite = await h.waitForMessage(204, /Pairing code for one person: /);
    const code = /Pairing code for one person: ([A-Z0-9]+)/.exec(invite.text!)![1]!;
    for (let i = 0; i < 4; i++) h.tg.sendText({ chatId: 301, userId: 301, text: `BADCODE${i}` });
    await h.waitForMessage(301, /Too many wrong codes|Too many tries/);
    const from = h.output.length;
    for (const u of [302, 303]) h.tg.sendText({ chatId: u, userId: u, text: 'BADCODE9' });
    const rotated = await codeFrom(h, from);
    expect(rotated).not.to.equal(code);
    h.tg.sendText({ chatId: 304, userId: 304, text: code });
    await h.waitForMessage(304, /not the pairing code/);
  });

  it('lets exactly one of two users racing with the same code in', async () => {
    h.tg.sendText({ chatId: 204, userId: 204, text: '/invite' });
    await h.tg.waitFor(() => h.tg.chatLog(204).filter((m) => /Pairing code for one person/.test(m.text ?? '')).length >= 2, 30_000, 'a second invite');
    const last = h.tg.chatLog(204).filter((m) => /Pairing code for one person/.test(m.text ?? '')).at(-1)!;
    const code = /Pairing code for one person: ([A-Z0-9]+)/.exec(last.text!)![1]!;
    h.tg.sendText({ chatId: 401, userId: 401, text: code });
    h.tg.sendText({ chatId: 402, userId: 402, text: code });
    await h.tg.waitFor(() => h.find(401, /Paired|already been used/) && h.find(402, /Paired|already been used/), 30_000, 'both answers');
    const won = [401, 402].filter((u) => h.find(u, /✅ Paired/));
    expect(won).to.have.length(1);
    await waitUntil(() => JSON.stringify(savedIds(h.sessionsDir)) === JSON.stringify([204, won[0]]), 10_000, 'the allowlist on disk');
    expect(savedIds(h.sessionsDir)).to.deep.equal([204, won[0]]);
  });

  it('refuses /invite from a user who is not allowed', async () => {
    h.tg.sendText({ chatId: 501, userId: 501, text: '/invite' });
    await h.waitForMessage(501, /this bot is private/);
    expect(h.find(501, /Pairing code for one person/)).to.equal(undefined);
  });
});
