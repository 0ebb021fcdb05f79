/**
 * A fake Telegram Bot API server for tests, covering what the bot calls (README.md here lists it).
 *
 * Real HTTP on 127.0.0.1 (ephemeral port); point node-telegram-bot-api at `fake.apiRoot`. It
 * answers with the real envelope and ENFORCES Telegram's rules where a bot can get them wrong
 * (text length, entities, "message is not modified", callback_data size, drafts only in private
 * chats, flood limits, long-poll semantics and 409 between two pollers), so the bot under test
 * meets the errors it would meet in production.
 */
import { FakeBotApiServer } from './server.ts';
import type { FakeBotApi, FakeBotApiOptions } from './types.ts';

export type * from './types.ts';

/** Starts a fake Bot API on 127.0.0.1 with an ephemeral port. Call `close()` when done. */
export async function startFakeBotApi(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const fake = new FakeBotApiServer(opts);
  await fake.listen();
  return fake;
}
