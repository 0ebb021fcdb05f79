// A Telegram message → effects: refusals, commands, a turn for the workspace's queue, or a file
// fetched first and then a turn that names it.
import { EMPTY, filter, merge, mergeMap, of, take, withLatestFrom, type Observable } from 'rxjs';
import type { Message } from 'node-telegram-bot-api';
import type { ClaudeOutput } from '../domain/claude.ts';
import { parseCommand } from '../domain/commands.ts';
import type { StoreResult } from '../domain/store.ts';
import type { ChatRef, DownloadResult, Outcome } from '../domain/telegram.ts';
import type { IoResult } from '../domain/io.ts';
import { chatKeyOf, draftIdFor, workspaceKey, type Turn, type TurnImage } from '../domain/turn.ts';
import { bestPhoto, imageType, withImages, type AlbumPart } from './media.ts';
import { voiceEffects } from './voice.ts';
import { dirOf, nowIso, type AppConfig } from './config.ts';
import { commandEffects } from './commands.ts';
import { log, reduce, store, type Effect, type FileRequest } from './effects.ts';
import { reply } from './reply.ts';
import { chatOf, runtimeOf, withChat, withRuntime, without, type AppState } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';
import type { WorkdirResult } from '../domain/workdir.ts';
import { claudeCommandEffects } from './claudeCommand.ts';
import { isAllowed } from './access.ts';
import { groupVerdict, isGroup } from './groups.ts';
import { codeCandidate, pairingEffects } from './pairing.ts';
import { promptWithContext } from './untrusted.ts';

export interface FileResult {
  id: string;
  result: DownloadResult;
}

export interface IntakeContext {
  cfg: AppConfig;
  s: AppState;
  /** Unique per update. */
  ref: string;
  claude$: Observable<ClaudeOutput>;
  files$: Observable<FileResult>;
  /** The latest state, for work that finishes later than the update (a download). */
  state$: Observable<AppState>;
  /** What became of each state write (a journal entry the disk refused means the message is not accepted). */
  stored$: Observable<StoreResult>;
  /** The workdir driver's answers (projects, worktrees, command files, conversations). */
  workdir$: Observable<WorkdirResult>;
  /** Answers of the local I/O driver (files, git, speech to text). */
  io$?: Observable<IoResult>;
  outcomes$?: Observable<Outcome>;
}

export const chatOfMessage = (m: Message): ChatRef => (m.message_thread_id && m.is_topic_message ? { chatId: m.chat.id, threadId: m.message_thread_id } : { chatId: m.chat.id });

const UNSUPPORTED = ['sticker', 'video', 'animation', 'location', 'contact', 'poll'] as const;

export function messageEffects(m: Message, x: IntakeContext): Observable<Effect> {
  const { cfg, s } = x;
  const chat = chatOfMessage(m);
  const userId = m.from?.id;
  // In groups only what is addressed to the bot counts; a message sent as a chat never does.
  const verdict = isGroup(m) ? groupVerdict(m, cfg) : undefined;
  if (verdict?.kind === 'ignore') return EMPTY;
  if (verdict?.kind === 'refuse') return of(log(`refused ${verdict.why} in chat ${m.chat.id}`));
  if (!isAllowed(cfg, s, userId)) {
    const pairing = pairingEffects(m, { cfg, s, ref: x.ref, chat, state$: x.state$ });
    if (pairing) return pairing;
    const refusal = log(`refused user ${userId ?? 'unknown'} (${m.from?.username ?? 'no username'}) in chat ${m.chat.id}`);
    if (s.refused[m.chat.id]) return of(refusal);
    const how = s.pairing.code && m.chat.type === 'private' ? 'if you run this bot, send the pairing code it printed in its log.' : 'the owner can add it to ALLOWED_USER_IDS or send you an /invite code.';
    return of(
      refusal,
      reduce((st) => ({ ...st, refused: { ...st.refused, [m.chat.id]: true } })),
      reply(messageRef.reply(x.ref), chat, `Sorry, this bot is private. (Your user id is ${userId}; ${how})`),
    );
  }
  // Telegram redelivers updates a crashed run never confirmed; the journal already has those.
  if (s.journaled[`${m.chat.id}:${m.message_id}`]) return of(log(`skipping update for message ${m.chat.id}:${m.message_id}: already journaled`));
  const text = verdict?.kind === 'ok' && verdict.text !== undefined ? verdict.text : m.text;
  if (text !== undefined && s.pairing.used !== undefined && codeCandidate(text) === s.pairing.used) {
    return of(reply(messageRef.reply(x.ref), chat, 'You are already paired: send a message to start.', m.message_id));
  }
  if (text !== undefined) {
    const cmd = text.startsWith('/') ? parseCommand(text, cfg.botUsername) : undefined;
    if (cmd?.cmd === 'claude') return claudeCommandEffects(cmd, { ...x, chat, m }, (prompt) => turnEffects(m, chat, prompt, x));
    if (cmd) return commandEffects(cmd, { ...x, chat, m });
    if (text.startsWith('/') && /^\/\S+@\S+/.test(text)) return EMPTY; // a command for another bot
    return turnEffects(m, chat, promptFor(m, text, x), x);
  }
  if (m.media_group_id && (m.document || m.photo)) return of(albumPart(m, chat, x));
  if (m.voice || m.audio || m.video_note) return voiceEffects(m, chat, x);
  if (m.document || m.photo) return fileEffects(m, chat, x);
  const kind = UNSUPPORTED.find((k) => k in m);
  if (!kind && (m.new_chat_members || m.left_chat_member || m.pinned_message || m.new_chat_title)) return EMPTY; // service messages
  return of(reply(messageRef.reply(x.ref), chat, `I can't use ${kind ? `a ${kind.replace('_', ' ')}` : 'this kind of message'} yet. Send text, a document, a photo or a voice note.`, m.message_id));
}

/** The prompt for a message: the quoted or forwarded text it carries, marked when an allowed user did not write it. */
export function promptFor(m: Message, body: string, x: Pick<IntakeContext, 'cfg' | 's'>): string {
  return promptWithContext(m, body, x.cfg, (id) => isAllowed(x.cfg, x.s, id));
}

/**
 * Accepts a message into the active workspace's queue once its journal entry is on disk (so a
 * restart cannot lose it); refuses it when the queue is full or the disk will not take it.
 */
export function turnEffects(m: Message, chat: ChatRef, prompt: string, x: IntakeContext, images?: TurnImage[]): Observable<Effect> {
  const { cfg, s } = x;
  const chatKey = chatKeyOf(chat);
  const c = chatOf(s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const workspace = workspaceKey(chatKey, c.active);
  const r = runtimeOf(s, workspace);
  const id = `${m.chat.id}:${m.message_id}`;
  const origin = { chat, privateChat: m.chat.type === 'private', replyTo: m.message_id, draftId: draftIdFor(id), userId: m.from?.id ?? 0 };
  const turn: Turn = { id, workspace, prompt, origin, generation: r.generation, ...(images?.length ? { images } : {}) };
  if (r.pending >= cfg.maxQueue) return of({ to: 'turn', turn, refused: true });
  const now = cfg.scheduler.now();
  const meta = c.sessions[c.active] ?? { persona: cfg.defaultPersona, createdAt: nowIso(cfg) };
  const touched = { ...c, sessions: { ...c.sessions, [c.active]: { ...meta, lastActivity: now } } };
  const verdict$ = x.stored$.pipe(
    filter((res) => res.write.kind === 'journalAdd' && res.write.turn.id === id),
    take(1),
    mergeMap((res): Effect[] => {
      if (res.ok) return [{ to: 'turn', turn }];
      return [
        reduce(withRuntime(workspace, (rt) => ({ ...rt, pending: Math.max(0, rt.pending - 1) }))),
        reduce(without('journaled', [id])),
        store({ kind: 'journalRemove', id }),
        log(`not accepted ${id}: its journal entry could not be written (${res.message})`),
        reply(messageRef.reply(x.ref), chat, `⚠️ Not accepted: ${res.message}, so this message could not be recorded. Nothing was queued; send it again once the bot's disk has room.`, m.message_id),
      ];
    }),
  );
  return merge(
    verdict$,
    of(
      reduce(withRuntime(workspace, (rt) => ({ ...rt, pending: rt.pending + 1 }))),
      reduce((st) => ({ ...st, journaled: { ...st.journaled, [id]: true } })),
      reduce(withChat(chatKey, touched)),
      store({ kind: 'journalAdd', turn, at: now }),
    ),
  );
}

function fileEffects(m: Message, chat: ChatRef, x: IntakeContext): Observable<Effect> {
  const { cfg, s } = x;
  const doc = m.document;
  const photo = m.photo?.length ? bestPhoto(m.photo) : undefined;
  const file = doc ? { fileId: doc.file_id, name: doc.file_name ?? 'document', size: doc.file_size } : { fileId: photo!.file_id, name: `photo-${m.message_id}.jpg`, size: photo!.file_size };
  const say = (text: string) => reply(messageRef.reply(x.ref), chat, text, m.message_id);
  if (file.size !== undefined && file.size > cfg.maxFileBytes) {
    return of(say(`That file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${Math.round(cfg.maxFileBytes / 1048576)} MB (Telegram lets bots download files up to 20 MB). Nothing was saved.`));
  }
  const chatKey = chatKeyOf(chat);
  const c = chatOf(s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const req: FileRequest = { ...file, id: `file:${x.ref}`, dir: dirOf(cfg, workspaceKey(chatKey, c.active)) };
  const done$ = x.files$.pipe(
    filter((f) => f.id === req.id),
    take(1),
    mergeMap(({ result: res }): Observable<Effect> => {
      if (!res.ok) return of(say(`Could not save the file: ${res.message}`));
      const what = doc ? `a file` : 'a photo';
      // A project session's files stay in the session's own folder (given to Claude with --add-dir).
      const where = c.sessions[c.active]?.cwd ? `saved as "${req.dir}/${res.name}"` : `saved in the working directory as "${res.name}"`;
      const prompt = `The user sent ${what}, ${where} (${res.bytes} bytes${doc?.mime_type ? `, ${doc.mime_type}` : ''}).${m.caption ? `\n\n${m.caption}` : '\n\nLook at it and say briefly what it is.'}`;
      // Claude sees a photo (and an image document) as an image block, besides the saved file.
      const type = imageType(res.name, res.bytes);
      const images = type ? [{ path: `${req.dir}/${res.name}`, mediaType: type }] : [];
      return withImages(images, x.ref, x.io$, (imgs) => x.state$.pipe(take(1), mergeMap((latest) => turnEffects(m, chat, promptFor(m, prompt, { ...x, s: latest }), { ...x, s: latest }, imgs))));
    }),
  );
  return merge(done$, of<Effect>({ to: 'files', req }));
}

/** An album's part: queued for the album stage, which makes one prompt of the whole album. */
function albumPart(m: Message, chat: ChatRef, x: IntakeContext): Effect {
  const { cfg } = x;
  const photo = m.photo?.length ? bestPhoto(m.photo) : undefined;
  const doc = m.document;
  const file = doc ? { fileId: doc.file_id, name: doc.file_name ?? 'document', size: doc.file_size } : { fileId: photo!.file_id, name: `photo-${m.message_id}.jpg`, size: photo!.file_size };
  const chatKey = chatKeyOf(chat);
  const c = chatOf(x.s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const part: AlbumPart = { m, chat, photo: !doc, req: { ...file, id: `file:${x.ref}`, dir: dirOf(cfg, workspaceKey(chatKey, c.active)) } };
  return { to: 'albumPart', part };
}
