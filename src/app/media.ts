// Media a user sends, beyond plain files: photos Claude sees (an image block besides the saved
// file), albums (one media_group_id) collected into one prompt, and the image reads they need.
import { debounceTime, filter, groupBy, mergeMap, of, take, toArray, type Observable } from 'rxjs';
import type { Message, PhotoSize } from 'node-telegram-bot-api';
import type { IoResult } from '../domain/io.ts';
import { messageRef } from '../domain/messageRef.ts';
import type { ChatRef } from '../domain/telegram.ts';
import type { TurnImage } from '../domain/turn.ts';
import { askAll } from './ask.ts';
import { io, type Effect, type FileRequest } from './effects.ts';
import { promptFor, turnEffects, type IntakeContext } from './intake.ts';
import { reply } from './reply.ts';

/** The Messages API takes images up to 5 MB as base64 (so 3.75 MB of bytes) and 8000 px a side. */
const IMAGE_MAX_BYTES = Math.floor((5 * 1024 * 1024 * 3) / 4);
const IMAGE_MAX_SIDE = 8000;
const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

/** Telegram's largest size of a photo that stays within the API's image limits (smallest otherwise). */
export function bestPhoto(sizes: readonly PhotoSize[]): PhotoSize {
  const fits = sizes.filter((p) => (p.file_size ?? 0) <= IMAGE_MAX_BYTES && p.width <= IMAGE_MAX_SIDE && p.height <= IMAGE_MAX_SIDE);
  const byArea = (a: PhotoSize, b: PhotoSize) => a.width * a.height - b.width * b.height;
  return [...(fits.length ? fits : sizes)].sort(byArea)[fits.length ? fits.length - 1 : 0]!;
}

/** The media type Claude gets an image as, when a saved file is one it can see. */
export function imageType(name: string, bytes: number): string | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  return bytes > 0 && bytes <= IMAGE_MAX_BYTES ? IMAGE_TYPES[ext] : undefined;
}

/** Reads saved images as base64, then hands them on (an unreadable one is left out). */
export function withImages(files: { path: string; mediaType: string }[], ref: string, io$: Observable<IoResult> | undefined, then: (images: TurnImage[]) => Observable<Effect>): Observable<Effect> {
  if (!io$) return then([]); // no io driver (some tests): the prompt names the files only
  const ids = files.map((_, i) => `img:${ref}:${i}`);
  const answers = ids.map((id) => io$.pipe(filter((r): r is Extract<IoResult, { kind: 'read64' }> => r.kind === 'read64' && r.id === id), take(1)));
  return askAll(files.map((f, i) => io({ kind: 'read64', id: ids[i]!, path: f.path })), answers, (rs) =>
    then(rs.flatMap((r, i) => (r.ok ? [{ ...files[i]!, data: r.data }] : []))),
  );
}

/** One part of an album, taken in at once; it is downloaded when the album is complete. */
export interface AlbumPart {
  m: Message;
  chat: ChatRef;
  req: FileRequest;
  photo: boolean;
}

/**
 * Albums → one prompt each: parts of one media_group_id are collected until none came for a
 * while (parts may arrive seconds apart), downloaded, and named in one turn with the caption.
 */
export function albumEffects(parts$: Observable<AlbumPart>, x: Omit<IntakeContext, 's' | 'ref'>): Observable<Effect> {
  const wait = x.cfg.albumWaitMs ?? 2500;
  return parts$.pipe(
    groupBy((p) => `${p.chat.chatId}:${p.m.media_group_id}`, { duration: (g$) => g$.pipe(debounceTime(wait, x.cfg.scheduler)) }),
    mergeMap((g$) => g$.pipe(toArray(), mergeMap((parts) => albumTurn(parts.sort((a, b) => a.m.message_id - b.m.message_id), x)))),
  );
}

function albumTurn(parts: AlbumPart[], x: Omit<IntakeContext, 's' | 'ref'>): Observable<Effect> {
  const first = parts[0]!;
  const ref = `album:${first.chat.chatId}:${first.m.media_group_id}`;
  const answers = parts.map((p) => x.files$.pipe(filter((f) => f.id === p.req.id), take(1)));
  return askAll(parts.map((p): Effect => ({ to: 'files', req: p.req })), answers, (results) => {
    const saved = results.flatMap((f, i) => (f.result.ok ? [{ part: parts[i]!, name: f.result.name, bytes: f.result.bytes }] : []));
    const failed = results.flatMap((f) => (f.result.ok ? [] : [f.result.message]));
    const say = (text: string) => reply(messageRef.reply(ref), first.chat, text, first.m.message_id);
    if (!saved.length) return of(say(`Could not save the album: ${failed[0] ?? 'nothing arrived'}`));
    const caption = parts.map((p) => p.m.caption).filter(Boolean).join('\n\n');
    const list = saved.map((s) => `- "${s.name}" (${s.part.photo ? 'photo' : s.part.m.document?.mime_type ?? 'file'}, ${s.bytes} bytes)`).join('\n');
    const lost = failed.length ? `\n(${failed.length} more could not be saved: ${failed[0]})` : '';
    const prompt = `The user sent an album of ${saved.length} files, saved in the working directory:\n${list}${lost}\n\n${caption || 'Look at them and say briefly what they are.'}`;
    const images = saved.flatMap((s) => {
      const type = imageType(s.name, s.bytes);
      return type ? [{ path: `${s.part.req.dir}/${s.name}`, mediaType: type }] : [];
    });
    return withImages(images, ref, x.io$, (imgs) =>
      x.state$.pipe(take(1), mergeMap((s) => turnEffects(first.m, first.chat, promptFor(first.m, prompt, { ...x, s }), { ...x, s, ref }, imgs))),
    );
  });
}
