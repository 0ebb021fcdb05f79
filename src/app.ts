// The whole dataflow: Telegram updates in, Telegram operations out. Effects arrive through
// `AppDeps` (sessions, downloads, journal); no node:* and no network here.
import {
  asyncScheduler,
  concatMap,
  defer,
  EMPTY,
  filter,
  from,
  groupBy,
  map,
  merge,
  mergeMap,
  Observable,
  of,
  share,
  takeUntil,
  timer,
  catchError,
  finalize,
  type SchedulerLike,
} from 'rxjs';
import type { Update, Message, CallbackQuery, MessageGenerationStopped } from 'node-telegram-bot-api';
import { HELP_TEXT, parseCommand, type Command } from './domain/commands.ts';
import { isTerminal, type SessionEvent } from './domain/events.ts';
import { plain, type Rendered } from './domain/render/entities.ts';
import { joinRendered, styled } from './domain/render/compose.ts';
import { summarizeToolInput } from './domain/toEvents.ts';
import { engine$, type TurnEvent } from './streams/engine.ts';
import type { ChatRef, DownloadRequest, DownloadResult, OutOp } from './domain/telegram.ts';
import { renderTurn$ } from './streams/renderTurn.ts';
import { stalls$ } from './streams/watchdog.ts';
import type { Session, TurnRequest } from './streams/session.ts';
import type { Persona } from './protocol/persona.ts';

export interface TurnMeta {
  chat: ChatRef;
  privateChat: boolean;
  replyTo?: number;
  draftId: number;
  userId: number;
}

export interface Registry {
  active(chatKey: string): { name: string; session: Session };
  byKey(key: string): Session;
  sessionKey(chatKey: string, name: string): string;
  create(chatKey: string, name?: string): { ok: true; name: string } | { ok: false; message: string };
  switchTo(chatKey: string, name: string): boolean;
  list(chatKey: string): { name: string; persona: string; active: boolean; lastActivity?: number; session?: Session }[];
  setPersona(chatKey: string, persona: string): boolean;
  personaList(): Persona[];
  touch(key: string): void;
  all(): Session[];
}

export interface AppDeps {
  allowedUserIds: ReadonlySet<number>;
  registry: Registry;
  download: (file: DownloadRequest, dir: string) => Observable<DownloadResult>;
  journal: { add(e: { id: string; sessionKey: string; prompt: string; meta: unknown; at: number }): void; has(id: string): boolean };
  maxFileBytes: number;
  permissionTimeoutMs: number;
  stallMs: number;
  botUsername?: string;
  log: (msg: string) => void;
  scheduler?: SchedulerLike;
  /** Memory of a process tree in bytes, for /status. */
  rssOf?: (pid: number) => number;
  liveCount?: () => number;
  maxLive?: number;
  /** Distinguishes this run's button tokens from those of earlier runs (still on old messages). */
  runId?: string;
  /** Told when an update has been fully taken in (journaled, or answered), so its offset can be saved. */
  onUpdateDone?: (updateId: number) => void;
}

export const chatKeyOf = (c: ChatRef) => (c.threadId ? `${c.chatId}_${c.threadId}` : `${c.chatId}`);

/** A stable, non-zero 31-bit draft id for a request id. */
export function draftIdFor(id: string): number {
  let h = 7;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return (Math.abs(h) % 2_000_000_000) + 1;
}

const chatOf = (m: Message): ChatRef => (m.message_thread_id && m.is_topic_message ? { chatId: m.chat.id, threadId: m.message_thread_id } : { chatId: m.chat.id });

const ago = (ms: number) => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
};

export function app$(updates$: Observable<Update>, deps: AppDeps, recovered: TurnRequest[] = []): Observable<OutOp> {
  const scheduler = deps.scheduler ?? asyncScheduler;
  const refusedChats = new Set<number>();
  // Permission prompts waiting for a button: token → what to answer.
  const permissions = new Map<string, { session: Session; requestId: string; input: Record<string, unknown>; toolName: string; chat: ChatRef; ref: string }>();
  const allowAlways = new Map<string, Set<string>>(); // session key → tool names allowed for the session
  const stalls = new Map<string, { session: Session; chat: ChatRef; ref: string }>();
  const drafts = new Map<string, Session>(); // `${chatId}:${draftId}` → session of the running turn
  let seq = 0;
  const runId = deps.runId ?? 'r';
  const nextToken = () => `${runId}.${++seq}`;

  const reply = (chat: ChatRef, r: Rendered | string, replyTo?: number, extra: Partial<Extract<OutOp, { op: 'send' }>> = {}): OutOp => {
    const msg = typeof r === 'string' ? plain(r) : r;
    return { op: 'send', ref: `reply:${++seq}`, chat, text: msg.text, entities: msg.entities, replyTo, ...extra };
  };

  type Action = { kind: 'ops'; ops: OutOp[] } | { kind: 'turn'; req: TurnRequest };
  const ops = (...o: OutOp[]): Observable<Action> => of({ kind: 'ops', ops: o });

  function commandOps(cmd: Command, chat: ChatRef, m: Message): Observable<Action> {
    const key = chatKeyOf(chat);
    const r = deps.registry;
    switch (cmd.cmd) {
      case 'help':
        return ops(reply(chat, HELP_TEXT));
      case 'invalid':
        return ops(reply(chat, cmd.message, m.message_id));
      case 'new': {
        const res = r.create(key, cmd.name);
        if (!res.ok) return ops(reply(chat, res.message, m.message_id));
        const { session } = r.active(key);
        return ops(reply(chat, `Started session "${res.name}" (persona ${session.persona.name}); it is now active. Its files live in its own directory.`));
      }
      case 'sessions': {
        const now = scheduler.now();
        const lines = r.list(key).map((s) => {
          const when = s.lastActivity ? ago(now - s.lastActivity) : 'never used';
          const state = s.session?.busy ? ', busy' : s.session?.alive ? ', running' : '';
          return `${s.active ? '▶️' : '▫️'} ${s.name} — ${s.persona}, ${when}${state}`;
        });
        return ops(reply(chat, joinRendered([styled('Sessions', 'bold'), plain(lines.join('\n')), plain('/switch <name> to change, /new [name] to add.')])));
      }
      case 'switch':
        return r.switchTo(key, cmd.name)
          ? ops(reply(chat, `Now using session "${cmd.name}".`))
          : ops(reply(chat, `There is no session "${cmd.name}" here. /sessions lists them; /new ${cmd.name} creates it.`, m.message_id));
      case 'persona': {
        const { name, session } = r.active(key);
        if (!cmd.name) {
          const lines = r.personaList().map((p) => `${p.name === session.persona.name ? '▶️' : '▫️'} ${p.name}${p.description ? ` — ${p.description}` : ''}`);
          return ops(reply(chat, joinRendered([styled(`Personas (session "${name}")`, 'bold'), plain(lines.join('\n')), plain('/persona <name> to change it.')])));
        }
        if (!r.setPersona(key, cmd.name)) return ops(reply(chat, `There is no persona "${cmd.name}". /persona lists them.`, m.message_id));
        return ops(reply(chat, `Session "${name}" now uses persona "${cmd.name}". The conversation continues; the next message starts Claude Code with its settings.`));
      }
      case 'status': {
        const { name, session } = r.active(key);
        const st = session.status();
        const now = scheduler.now();
        const last = st.lastResult;
        const lines = [
          `Session: ${name} (persona ${session.persona.name})`,
          `Model: ${st.model ?? session.persona.settings.model ?? 'Claude Code default'}`,
          `State: ${st.busy ? 'busy' : 'idle'}, ${st.queued} queued`,
          st.pid
            ? `Process: pid ${st.pid}${deps.rssOf ? `, ${Math.round(deps.rssOf(st.pid) / 1048576)} MiB` : ''}${st.idleSince ? `, idle for ${ago(now - st.idleSince).replace(' ago', '')}` : ''}`
            : 'Process: not running (starts with the next message)',
          `Conversation: ${st.sessionId ?? 'new'}`,
          last ? `Last turn: ${(last.durationMs / 1000).toFixed(1)} s, ${last.turns} turns, $${(last.turnCostUsd ?? last.costUsd).toFixed(4)}${last.isError ? ' (error)' : ''}` : 'Last turn: none yet',
        ];
        const live = r.all().filter((s) => s.alive);
        if (deps.liveCount) lines.push(`Live processes: ${live.length}${deps.maxLive ? ` of ${deps.maxLive}` : ''}`);
        for (const s of live) {
          const ss = s.status();
          lines.push(`• ${s.key}: pid ${ss.pid}${deps.rssOf && ss.pid ? `, ${Math.round(deps.rssOf(ss.pid) / 1048576)} MiB` : ''}, ${ss.busy ? 'busy' : ss.idleSince ? `idle ${ago(now - ss.idleSince).replace(' ago', '')}` : 'idle'}`);
        }
        return ops(reply(chat, lines.join('\n')));
      }
      case 'stop': {
        const { session } = r.active(key);
        const queued = session.status().queued;
        const cleared = cmd.clear ? session.clearQueue() : 0;
        const stopped = session.interrupt();
        const parts = [stopped ? 'Stopping the running turn.' : 'Nothing is running.'];
        if (cmd.clear) parts.push(cleared ? `Dropped ${cleared} queued message${cleared === 1 ? '' : 's'}.` : 'The queue was empty.');
        else if (queued) parts.push(`${queued} queued message${queued === 1 ? ' is' : 's are'} kept and will run next (/stop all drops them).`);
        return ops(reply(chat, parts.join(' ')));
      }
    }
  }

  function promptFor(m: Message, body: string): string {
    const quoted = m.reply_to_message && (m.reply_to_message.text ?? m.reply_to_message.caption);
    return quoted ? `[The user is replying to this earlier message:]\n> ${quoted.split('\n').join('\n> ')}\n\n${body}` : body;
  }

  function turnAction(m: Message, chat: ChatRef, prompt: string): Action {
    const { name } = deps.registry.active(chatKeyOf(chat));
    const sessionKey = deps.registry.sessionKey(chatKeyOf(chat), name);
    const id = `${m.chat.id}:${m.message_id}`;
    const meta: TurnMeta = { chat, privateChat: m.chat.type === 'private', replyTo: m.message_id, draftId: draftIdFor(id), userId: m.from?.id ?? 0 };
    const req: TurnRequest = { sessionKey, id, prompt, meta };
    deps.journal.add({ id, sessionKey, prompt, meta, at: Date.now() });
    deps.registry.touch(sessionKey);
    return { kind: 'turn', req };
  }

  function fileAction(m: Message, chat: ChatRef): Observable<Action> {
    const doc = m.document;
    const photo = m.photo?.[m.photo.length - 1];
    const file: DownloadRequest | undefined = doc
      ? { fileId: doc.file_id, name: doc.file_name ?? 'document', size: doc.file_size }
      : photo
        ? { fileId: photo.file_id, name: `photo-${m.message_id}.jpg`, size: photo.file_size }
        : undefined;
    if (!file) return EMPTY;
    if (file.size !== undefined && file.size > deps.maxFileBytes) {
      return ops(reply(chat, `That file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${Math.round(deps.maxFileBytes / 1048576)} MB. Nothing was saved.`, m.message_id));
    }
    const { session } = deps.registry.active(chatKeyOf(chat));
    return deps.download(file, session.dir).pipe(
      map((res): Action => {
        if (!res.ok) return { kind: 'ops', ops: [reply(chat, `Could not save the file: ${res.message}`, m.message_id)] };
        const what = doc ? `a file` : 'a photo';
        const prompt = `The user sent ${what}, saved in the working directory as "${res.name}" (${res.bytes} bytes${doc?.mime_type ? `, ${doc.mime_type}` : ''}).${m.caption ? `\n\n${m.caption}` : '\n\nLook at it and say briefly what it is.'}`;
        return turnAction(m, chat, promptFor(m, prompt));
      }),
      catchError((err: unknown) => ops(reply(chat, `Could not save the file: ${String(err)}`, m.message_id))),
    );
  }

  function messageAction(m: Message): Observable<Action> {
    const chat = chatOf(m);
    const userId = m.from?.id;
    if (userId === undefined || !deps.allowedUserIds.has(userId)) {
      deps.log(`refused user ${userId ?? 'unknown'} (${m.from?.username ?? 'no username'}) in chat ${m.chat.id}`);
      if (refusedChats.has(m.chat.id)) return EMPTY;
      refusedChats.add(m.chat.id);
      return ops(reply(chat, `Sorry, this bot is private. (Your user id is ${userId}; the owner can add it to ALLOWED_USER_IDS.)`));
    }
    // Telegram redelivers updates a crashed run never confirmed; the journal already has those.
    if (deps.journal.has(`${m.chat.id}:${m.message_id}`)) {
      deps.log(`skipping update for message ${m.chat.id}:${m.message_id}: already journaled`);
      return EMPTY;
    }
    const text = m.text;
    if (text !== undefined) {
      const cmd = text.startsWith('/') ? parseCommand(text, deps.botUsername) : undefined;
      if (cmd) return commandOps(cmd, chat, m);
      if (text.startsWith('/') && /^\/\S+@\S+/.test(text)) return EMPTY; // a command for another bot
      return of(turnAction(m, chat, promptFor(m, text)));
    }
    if (m.document || m.photo) return fileAction(m, chat);
    const kind = (['sticker', 'voice', 'video', 'audio', 'video_note', 'animation', 'location', 'contact', 'poll'] as const).find((k) => k in m);
    if (!kind && (m.new_chat_members || m.left_chat_member || m.pinned_message || m.new_chat_title)) return EMPTY; // service messages
    return ops(reply(chat, `I can't use ${kind ? `a ${kind.replace('_', ' ')}` : 'this kind of message'} yet. Send text, a document or a photo.`, m.message_id));
  }

  function callbackAction(q: CallbackQuery): Observable<Action> {
    const data = q.data ?? '';
    if (!deps.allowedUserIds.has(q.from.id)) {
      deps.log(`ignored a button press from user ${q.from.id}`);
      return ops({ op: 'answerCallback', callbackQueryId: q.id, text: 'Only the bot owner can answer this.' });
    }
    const [kind, token, choice] = data.split(':');
    // A button only acts in the chat its prompt was sent to.
    const sameChat = (c: ChatRef) => q.message?.chat.id === c.chatId;
    if (kind === 'p' && token) {
      const p = permissions.get(token);
      if (!p || !sameChat(p.chat)) return ops({ op: 'answerCallback', callbackQueryId: q.id, text: 'This request is no longer pending.' });
      permissions.delete(token);
      const allow = choice === 'a' || choice === 's';
      if (choice === 's') {
        const set = allowAlways.get(p.session.key) ?? new Set<string>();
        set.add(p.toolName);
        allowAlways.set(p.session.key, set);
      }
      p.session.respond(p.requestId, allow ? { behavior: 'allow', updatedInput: p.input } : { behavior: 'deny', message: 'The user denied this in Telegram.' });
      const verdict = choice === 's' ? `✅ Allowed ${p.toolName} for this session` : allow ? '✅ Allowed' : '❌ Denied';
      const text = `${verdict}: ${p.toolName} ${summarizeToolInput(p.toolName, p.input, 300)}`;
      return ops({ op: 'answerCallback', callbackQueryId: q.id, text: verdict }, { op: 'edit', ref: p.ref, chat: p.chat, text, replyMarkup: { inline_keyboard: [] } });
    }
    if (kind === 'w' && token) {
      const s = stalls.get(token);
      if (!s || !sameChat(s.chat)) return ops({ op: 'answerCallback', callbackQueryId: q.id, text: 'That turn has finished.' });
      stalls.delete(token);
      if (choice === 's') s.session.interrupt();
      const text = choice === 's' ? '⏹ Stopping the turn.' : '⏳ Still waiting.';
      return ops({ op: 'answerCallback', callbackQueryId: q.id, text }, { op: 'edit', ref: s.ref, chat: s.chat, text, replyMarkup: { inline_keyboard: [] } });
    }
    return ops({ op: 'answerCallback', callbackQueryId: q.id });
  }

  function stoppedAction(s: MessageGenerationStopped): Observable<Action> {
    const session = drafts.get(`${s.chat.id}:${s.draft_id}`);
    if (session) session.interrupt();
    return EMPTY;
  }

  const updateChat = (u: Update): number =>
    'message' in u ? u.message.chat.id : 'callback_query' in u ? (u.callback_query.message?.chat.id ?? 0) : 'stopped_message_generation' in u ? u.stopped_message_generation.chat.id : 0;

  // Each chat's updates in order (a download finishes before the next message queues); chats in parallel.
  const actions$ = updates$.pipe(
    groupBy(updateChat),
    mergeMap((chat$) =>
      chat$.pipe(
        concatMap((u) =>
          defer((): Observable<Action> => {
            if ('message' in u) return messageAction(u.message);
            if ('callback_query' in u) return callbackAction(u.callback_query);
            if ('stopped_message_generation' in u) return stoppedAction(u.stopped_message_generation);
            return EMPTY;
          }).pipe(
            catchError((err: unknown) => {
              deps.log(`error handling update ${u.update_id}: ${String(err)}`);
              return EMPTY;
            }),
            finalize(() => deps.onUpdateDone?.(u.update_id)),
          ),
        ),
      ),
    ),
    share(),
  );

  const recovered$ = from(recovered);
  const turns$ = merge(recovered$, actions$.pipe(filter((a): a is Extract<Action, { kind: 'turn' }> => a.kind === 'turn'), map((a) => a.req)));
  const events$ = engine$(turns$, (key) => deps.registry.byKey(key)).pipe(share());

  // One group per turn, keyed by its request (the engine passes the same object with every event).
  const rendered$ = events$.pipe(
    groupBy((e) => e.req, { duration: (g) => g.pipe(filter((e) => isTerminal(e.event))) }),
    mergeMap((turn$) => {
      const req = turn$.key;
      const meta = req.meta as TurnMeta;
      const draftKey = `${meta.chat.chatId}:${meta.draftId}`;
      drafts.set(draftKey, deps.registry.byKey(req.sessionKey));
      const ctx = { reqId: req.id, chat: meta.chat, privateChat: meta.privateChat, replyTo: meta.replyTo, draftId: meta.draftId };
      return merge(
        renderTurn$(turn$.pipe(map((e) => e.event)), ctx, {
          scheduler,
          costOf: (t) => (t.kind === 'result' ? (t.turnCostUsd ?? t.costUsd) : undefined),
        }),
        permissionOps(turn$),
        watchdogOps(turn$, req),
      ).pipe(finalize(() => drafts.delete(draftKey)));
    }),
  );

  function permissionOps(turn$: Observable<TurnEvent>): Observable<OutOp> {
    const mine = new Set<string>();
    // A restart of the CLI (status notice) makes open prompts moot: the new process asks again.
    const expired$ = turn$.pipe(
      filter((e) => e.event.kind === 'status'),
      mergeMap(() =>
        from(
          [...mine]
            .filter((token) => permissions.has(token))
            .map((token): OutOp => {
              const p = permissions.get(token)!;
              permissions.delete(token);
              return { op: 'edit', ref: p.ref, chat: p.chat, text: `Expired (Claude Code restarted; it asks again if it still needs it): ${p.toolName}`, replyMarkup: { inline_keyboard: [] } };
            }),
        ),
      ),
    );
    const asked$ = turn$.pipe(
      filter((e) => e.event.kind === 'permission_request'),
      mergeMap((e) => {
        const ev = e.event as Extract<SessionEvent, { kind: 'permission_request' }>;
        const meta = e.req.meta as TurnMeta;
        const session = deps.registry.byKey(e.req.sessionKey);
        if (allowAlways.get(session.key)?.has(ev.toolName)) {
          session.respond(ev.requestId, { behavior: 'allow', updatedInput: ev.input });
          return EMPTY;
        }
        const token = nextToken();
        mine.add(token);
        const ref = `perm:${token}`;
        permissions.set(token, { session, requestId: ev.requestId, input: ev.input, toolName: ev.toolName, chat: meta.chat, ref });
        const ask = joinRendered([styled('Claude Code asks to use a tool', 'bold'), plain(`${ev.toolName}: ${ev.summary || '(no input)'}`)]);
        const keyboard = {
          inline_keyboard: [
            [
              { text: '✅ Allow', callback_data: `p:${token}:a` },
              { text: '❌ Deny', callback_data: `p:${token}:d` },
            ],
            [{ text: `✅ Allow ${ev.toolName} for this session`.slice(0, 60), callback_data: `p:${token}:s` }],
          ],
        };
        // A button press removes the token; the timer then finds nothing to deny.
        const timeout$ = timer(deps.permissionTimeoutMs, scheduler).pipe(
          filter(() => permissions.has(token)),
          mergeMap(() => {
            permissions.delete(token);
            session.respond(ev.requestId, { behavior: 'deny', message: 'No answer in Telegram in time; denied.' });
            const mins = Math.round(deps.permissionTimeoutMs / 60000);
            return of<OutOp>({ op: 'edit', ref, chat: meta.chat, text: `⏱ Denied (no answer within ${mins} min): ${ev.toolName} ${ev.summary}`, replyMarkup: { inline_keyboard: [] } });
          }),
        );
        return merge(of<OutOp>({ op: 'send', ref, chat: meta.chat, text: ask.text, entities: ask.entities, replyMarkup: keyboard, important: true }), timeout$);
      }),
    );
    return merge(asked$, expired$).pipe(
      // A prompt still open when the turn ends is moot (the CLI stopped waiting for it).
      takeUntil(turn$.pipe(filter((e) => isTerminal(e.event)))),
      finalize(() => {
        for (const token of mine) permissions.delete(token);
      }),
    );
  }

  function watchdogOps(turn$: Observable<TurnEvent>, req: TurnRequest): Observable<OutOp> {
    const meta = req.meta as TurnMeta;
    const mine = new Set<string>();
    return stalls$(turn$.pipe(map((e) => e.event)), deps.stallMs, scheduler).pipe(
      map((silentMs): OutOp => {
        const token = nextToken();
        mine.add(token);
        const ref = `stall:${token}`;
        stalls.set(token, { session: deps.registry.byKey(req.sessionKey), chat: meta.chat, ref });
        return {
          op: 'send',
          ref,
          chat: meta.chat,
          text: `Claude Code has been silent for ${Math.round(silentMs / 60000)} min on this turn.`,
          replyMarkup: { inline_keyboard: [[{ text: '⏳ Keep waiting', callback_data: `w:${token}:k` }, { text: '⏹ Stop', callback_data: `w:${token}:s` }]] },
        };
      }),
      // Buttons of a finished turn must not act on a later one.
      finalize(() => {
        for (const token of mine) stalls.delete(token);
      }),
    );
  }

  const replies$ = actions$.pipe(mergeMap((a) => (a.kind === 'ops' ? from(a.ops) : EMPTY)));
  const recoveredNotices$ = from(recovered).pipe(
    map((req) => {
      const meta = req.meta as TurnMeta;
      const preview = req.prompt.length > 80 ? `${req.prompt.slice(0, 80)}…` : req.prompt;
      return reply(meta.chat, `♻️ The bot restarted before answering "${preview}". Answering it now.`, meta.replyTo);
    }),
  );
  return merge(recoveredNotices$, replies$, rendered$);
}
