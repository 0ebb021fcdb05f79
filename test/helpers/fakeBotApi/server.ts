// The HTTP server: routes /bot<token>/<method> to the handlers (after the token, injected
// failures and flood limits) and /file/bot<token>/<path> to downloads; the FakeBotApi surface.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BotCommand, Update, User } from 'node-telegram-bot-api';
import { ApiErr, bad, errorBody, tooMany } from './apiError.ts';
import { botMethods } from './botMethods.ts';
import { chatMethods } from './chatMethods.ts';
import { Chats } from './chats.ts';
import { PENDING, Recorder, type Exchange, type Handler, type Params } from './exchange.ts';
import { Failures } from './failures.ts';
import { Files } from './files.ts';
import { messageMethods } from './messageMethods.ts';
import { readParams } from './params.ts';
import { RATE_LIMITED_METHODS, RateLimiter } from './rateLimiter.ts';
import { timeoutMessage } from './timeoutMessage.ts';
import type { FakeBotApi, FakeBotApiOptions, FailSpec, SendCallbackInput, SendDocumentInput, SendMediaInput, SendTextInput, StopDraftInput } from './types.ts';
import { UpdateQueue } from './updateQueue.ts';
import { uploadMethods } from './uploadMethods.ts';
import { UserUpdates } from './userUpdates.ts';

const DEFAULT_TOKEN = '123456:TEST-TOKEN';

export class FakeBotApiServer implements FakeBotApi {
  apiRoot = '';
  readonly token: string;
  private readonly rec = new Recorder();
  private readonly chats: Chats;
  private readonly files = new Files(this.rec);
  private readonly queue = new UpdateQueue(this.rec);
  private readonly users: UserUpdates;
  private readonly failures = new Failures(this.rec);
  private readonly rate: RateLimiter | undefined;
  private readonly handlers = new Map<string, Handler>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  readonly calls = this.rec.calls;
  readonly stats = this.rec.stats;
  readonly updates = this.queue.updates;
  readonly droppedUpdates = this.queue.droppedUpdates;
  readonly downloads = this.files.downloads;

  constructor(opts: FakeBotApiOptions) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    const idPart = Number(this.token.split(':')[0]);
    this.chats = new Chats({ id: Number.isInteger(idPart) && idPart > 0 ? idPart : 123456, is_bot: true, first_name: 'Fake Bot', username: 'fake_test_bot' });
    this.users = new UserUpdates(this.chats, this.files, this.queue);
    if (opts.rateLimit !== false) this.rate = new RateLimiter(opts.rateLimit ?? {});
    const all = { ...botMethods(this.chats), ...messageMethods(this.chats), ...chatMethods(this.chats), ...this.files.handlers(), ...this.queue.handlers(), ...uploadMethods(this.chats) };
    for (const [name, fn] of Object.entries(all)) this.handlers.set(name.toLowerCase(), fn);
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(errorBody(500, `Internal Server Error: fakeBotApi bug: ${String(err)}`)));
        }
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  // ---- inspection and injection (delegated) ----
  get botUser(): User {
    return this.chats.botUser;
  }
  get messages() {
    return this.chats.messages;
  }
  get deletedMessages() {
    return this.chats.deletedMessages;
  }
  get drafts() {
    return this.chats.drafts;
  }
  get commands(): BotCommand[] {
    return this.chats.commands;
  }
  /** A chat's own menu (setMyCommands with a chat scope), if one was set. */
  chatCommands = (chatId: number): BotCommand[] | undefined => this.chats.chatCommands.get(chatId);
  pendingUpdates = (): Update[] => this.queue.pending();
  chatLog = (chatId: number) => this.chats.chatLog(chatId);
  sendText = (p: SendTextInput): Update => this.users.sendText(p);
  sendDocument = (p: SendDocumentInput): Update => this.users.sendDocument(p);
  sendCallback = (p: SendCallbackInput): Update => this.users.sendCallback(p);
  stopDraft = (p: StopDraftInput): Update => this.users.stopDraft(p);
  pushUpdate = (u: object): Update => this.users.pushUpdate(u);
  sendMedia = (p: SendMediaInput): Update => this.users.sendMedia(p);
  storeFile = (content: Buffer, fileName: string) => this.files.store(content, fileName);
  failNext = (method: string, f: FailSpec, times = 1): void => this.failures.failNext(method, f, times);

  /** label may be a function: it is read at the timeout (say, what a chat holds then). */
  waitFor<T>(pred: () => T | undefined | null | false, timeoutMs = 2000, label?: string | (() => string)): Promise<T> {
    return this.rec.waitFor(pred, timeoutMs, (lastError) =>
      timeoutMessage({ pred, timeoutMs, label: typeof label === 'function' ? label() : label, lastError, calls: this.calls, dropped: this.droppedUpdates }),
    );
  }

  // ---- HTTP ----
  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (api) return this.onApi(req, res, decodeURIComponent(api[1]!), api[2]!, url);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.files.serve(res, decodeURIComponent(file[1]!) === this.token, decodeURIComponent(file[2]!));
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorBody(404, 'Not Found')));
  }

  private async onApi(req: IncomingMessage, res: ServerResponse, token: string, method: string, url: URL): Promise<void> {
    const at = Date.now();
    let params: Params = {};
    let parseError: ApiErr | undefined;
    try {
      params = await readParams(req, url.searchParams);
    } catch (e) {
      parseError = e instanceof ApiErr ? e : bad(`can't parse request body: ${String(e)}`);
    }
    const ex: Exchange = { call: this.rec.record(method, params, at), req, res, done: false };
    const fail = (e: ApiErr): void => this.rec.finish(ex, e.code, errorBody(e.code, e.description, e.parameters));
    if (this.closed) return fail(new ApiErr(502, 'Bad Gateway'));
    if (token !== this.token) return fail(new ApiErr(401, 'Unauthorized'));
    if (parseError) return fail(parseError);
    if (this.failures.apply(ex)) return;
    const key = method.toLowerCase();
    const handler = this.handlers.get(key);
    if (!handler) return fail(new ApiErr(404, `Not Found: method '${method}' is not implemented by fakeBotApi`));
    try {
      const chatId = this.rate && RATE_LIMITED_METHODS.has(key) && typeof params.chat_id === 'number' ? params.chat_id : undefined;
      const retryAfter = chatId === undefined ? undefined : this.rate!.check(chatId, Date.now());
      if (retryAfter !== undefined) throw tooMany(retryAfter);
      const result = handler(params, ex);
      if (result === PENDING) return this.rec.notify();
      if (chatId !== undefined) this.rate!.record(chatId, Date.now());
      this.rec.finish(ex, 200, { ok: true, result });
    } catch (e) {
      fail(e instanceof ApiErr ? e : new ApiErr(500, `Internal Server Error: fakeBotApi bug: ${String(e)}`));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.answerPendingPoll();
    this.failures.close();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Let the responses written above reach the socket before tearing connections down.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closing;
  }
}
