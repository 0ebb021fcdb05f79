// Shared by the fake's own tests: a fake plus a node-telegram-bot-api client pointed at it.
import { Api, TelegramApiError, type InlineKeyboardMarkup, type Update } from 'node-telegram-bot-api';
import { startFakeBotApi, type FakeBotApi, type FakeBotApiOptions } from './index.ts';

export const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
export const CONFLICT = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

/** Mocha hooks: `s.fake` and `s.api` are fresh for each test (`start` again to change options). */
export function fakeAndClient(opts?: FakeBotApiOptions) {
  const s = {
    fake: undefined as unknown as FakeBotApi,
    api: undefined as unknown as Api,
    async start(o?: FakeBotApiOptions): Promise<void> {
      await s.fake?.close();
      s.fake = await startFakeBotApi(o);
      s.api = new Api(s.fake.token, { apiRoot: s.fake.apiRoot, maxRetries: 0 });
    },
  };
  beforeEach(() => s.start(opts));
  afterEach(() => s.fake?.close());
  return s;
}

/** Resolves with the TelegramApiError a call fails with; fails the test if it succeeds. */
export async function apiError(p: Promise<unknown>): Promise<TelegramApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TelegramApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail with a TelegramApiError, but it succeeded');
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

export function messageOf(u: Update): Extract<Update, { message: unknown }>['message'] {
  if (!('message' in u)) throw new Error(`not a message update: ${JSON.stringify(u)}`);
  return u.message;
}

export const keyboard = (data: string): InlineKeyboardMarkup => ({ inline_keyboard: [[{ text: 'Go', callback_data: data }]] });
