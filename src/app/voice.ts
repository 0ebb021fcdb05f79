// Voice notes, audio files and video notes: saved in the session's folder, transcribed (one at a
// time: the io driver queues them, and the chat's next message waits its turn), shown back quoted
// so a misheard word is visible, and sent to Claude as the prompt with the caption. VOICE_CONFIRM
// puts Send/Cancel under the transcript first. No transcriber: say how to set one up, and give
// Claude the saved file's path.
import { concat, filter, mergeMap, of, take, type Observable } from 'rxjs';
import type { CallbackQuery, Message } from 'node-telegram-bot-api';
import { decodeButton, encodeButton } from '../domain/callbackData.ts';
import type { IoResult } from '../domain/io.ts';
import { messageRef } from '../domain/messageRef.ts';
import { plain, type Rendered } from '../domain/render/entities.ts';
import { joinRendered } from '../domain/render/compose.ts';
import type { ChatRef } from '../domain/telegram.ts';
import { chatKeyOf, workspaceKey } from '../domain/turn.ts';
import { askAll } from './ask.ts';
import { dirOf, nowIso } from './config.ts';
import { io, reduce, telegram, type Effect, type FileRequest } from './effects.ts';
import { promptFor, turnEffects, type FileResult, type IntakeContext } from './intake.ts';
import { reply } from './reply.ts';
import { bumpSeq, chatOf, nextToken, type AppState } from './state.ts';

export const HOW_TO_STT =
  'Voice notes need speech-to-text, and none is set up. The bot owner can set STT_URL (any OpenAI-compatible API, e.g. https://api.openai.com/v1 or https://api.groq.com/openai/v1) with STT_API_KEY, or STT_PROVIDER=local with WHISPER_MODEL_PATH; the README says how.';

/** A transcript waiting for Send or Cancel (VOICE_CONFIRM=1). */
export interface PendingVoice {
  message: Pick<Message, 'message_id' | 'chat' | 'from' | 'reply_to_message'>;
  chat: ChatRef;
  prompt: string;
  ref: string;
  text: Rendered;
}

const quoted = (head: string, text: string): Rendered => {
  const q = { text, entities: [{ type: 'blockquote' as const, offset: 0, length: text.length }] };
  return joinRendered([plain(head), q]);
};

export function voiceEffects(m: Message, chat: ChatRef, x: IntakeContext): Observable<Effect> {
  const { cfg } = x;
  const v = m.voice ?? m.audio ?? m.video_note!;
  const label = m.voice ? 'voice note' : m.audio ? 'audio file' : 'video note';
  const name = m.voice ? `voice-${m.message_id}.ogg` : m.audio ? (m.audio.file_name ?? `audio-${m.message_id}.mp3`) : `video-note-${m.message_id}.mp4`;
  const say = (text: Rendered | string) => reply(messageRef.reply(x.ref), chat, text, m.message_id);
  if (v.file_size !== undefined && v.file_size > cfg.maxFileBytes) {
    return of(say(`That ${label} is ${(v.file_size / 1048576).toFixed(1)} MB; the limit is ${Math.round(cfg.maxFileBytes / 1048576)} MB (Telegram lets bots download files up to 20 MB). Nothing was saved.`));
  }
  const chatKey = chatKeyOf(chat);
  const dir = dirOf(cfg, workspaceKey(chatKey, chatOf(x.s, chatKey, cfg.defaultPersona, nowIso(cfg)).active));
  const req: FileRequest = { id: `file:${x.ref}`, fileId: v.file_id, name, size: v.file_size, dir };
  const saved$ = x.files$.pipe(filter((f: FileResult) => f.id === req.id), take(1));
  const caption = m.caption ? `${m.caption}\n\n` : '';
  const turn = (prompt: string) => x.state$.pipe(take(1), mergeMap((s) => turnEffects(m, chat, promptFor(m, prompt, { ...x, s }), { ...x, s })));
  return askAll([{ to: 'files', req }], [saved$], ([f]) => {
    const res = f!.result;
    if (!res.ok) return of(say(`Could not save the ${label}: ${res.message}`));
    if (!cfg.transcriber || !x.io$) {
      const prompt = `${caption}The user sent a ${label}, saved in the working directory as "${res.name}" (${res.bytes} bytes). It could not be transcribed: no speech-to-text is configured for this bot.`;
      return concat(of(say(`🎙 ${HOW_TO_STT} The ${label} is saved as "${res.name}" and Claude was told where.`)), turn(prompt));
    }
    const id = `stt:${x.ref}`;
    const heard$ = x.io$.pipe(filter((r): r is Extract<IoResult, { kind: 'transcribe' }> => r.kind === 'transcribe' && r.id === id), take(1));
    return askAll([io({ kind: 'transcribe', id, path: `${dir}/${res.name}` })], [heard$], ([t]) => {
      if (!t!.ok) return of(say(`⚠️ Could not transcribe the ${label}: ${t!.message}. It is saved as "${res.name}"; type the message, or send the note again.`));
      if (!t!.text) return of(say(`🎙 I heard no words in that ${label}. It is saved as "${res.name}".`));
      const prompt = `${caption}${t!.text}\n\n(Transcribed from a ${label} the user sent; the recording is saved as "${res.name}".)`;
      const shown = quoted(`🎙 ${cfg.voiceConfirm ? 'Send this to Claude?' : 'Heard:'}`, t!.text);
      if (!cfg.voiceConfirm) return concat(of(say(shown)), turn(prompt));
      return x.state$.pipe(take(1), mergeMap((s) => confirmEffects(s, { message: m, chat, prompt, ref: messageRef.reply(x.ref), text: shown }, x)));
    });
  });
}

function confirmEffects(s: AppState, p: PendingVoice, x: IntakeContext): Observable<Effect> {
  const token = nextToken(s, x.cfg.runId);
  const button = (text: string, choice: 'send' | 'cancel') => ({ text, callback_data: encodeButton({ kind: 'voice', token, choice }) });
  return of(
    reduce((st) => ({ ...bumpSeq(st), voices: { ...st.voices, [token]: p } })),
    telegram({ op: 'send', ref: p.ref, chat: p.chat, text: p.text.text, entities: p.text.entities, replyTo: p.message.message_id, replyMarkup: { inline_keyboard: [[button('✅ Send', 'send'), button('✖️ Cancel', 'cancel')]] } }),
  );
}

/** Send or Cancel under a transcript; undefined for any other button. */
export function voicePressEffects(q: CallbackQuery, x: IntakeContext): Observable<Effect> | undefined {
  const press = decodeButton(q.data);
  if (press?.kind !== 'voice') return undefined;
  const answer = (text: string): Effect => telegram({ op: 'answerCallback', callbackQueryId: q.id, text });
  const p = x.s.voices[press.token];
  if (!x.cfg.allowedUserIds.has(q.from.id)) return of(answer('Only the bot owner can answer this.'));
  if (!p || q.message?.chat.id !== p.chat.chatId) return of(answer('This transcript is no longer pending.'));
  const done = reduce((st) => {
    const voices = { ...st.voices };
    delete voices[press.token];
    return { ...st, voices };
  });
  const close = (head: string) => telegram({ op: 'edit', ref: p.ref, chat: p.chat, text: `${head}\n${p.text.text.split('\n').slice(1).join('\n')}`, replyMarkup: { inline_keyboard: [] } });
  if (press.choice === 'cancel') return of(done, answer('Cancelled'), close('✖️ Not sent:'));
  const m = p.message as Message;
  return concat(of(done, answer('Sent to Claude'), close('🎙 Sent:')), turnEffects(m, p.chat, p.prompt, x));
}
