// sendPhoto and sendDocument with a multipart upload: the message keeps the exact bytes, so tests
// compare them with the file on disk. Telegram's limits: photos 10 MB, documents 50 MB, captions
// 1024 characters; a file_id or URL instead of an upload is not something the bot sends.
import { bad } from './apiError.ts';
import type { Chats } from './chats.ts';
import type { Handlers, Params } from './exchange.ts';
import { chatIdOf, isUpload } from './params.ts';

const LIMIT = { photo: 10 * 1024 * 1024, document: 50 * 1024 * 1024 };
const MAX_CAPTION = 1024;

function upload(chats: Chats, kind: 'photo' | 'document', p: Params) {
  const chatId = chatIdOf(p);
  const f = p[kind];
  if (!isUpload(f)) throw bad(`there is no ${kind} in the request`);
  if (f.bytes.length === 0) throw bad('file must be non-empty');
  if (f.bytes.length > LIMIT[kind]) throw bad(kind === 'photo' ? 'PHOTO_INVALID_DIMENSIONS' : 'file is too big');
  const caption = typeof p.caption === 'string' ? p.caption : undefined;
  if (caption !== undefined && caption.length > MAX_CAPTION) throw bad('message caption is too long');
  const replyTo = chats.replyTarget(p, chatId);
  const stored = chats.newBotMessage(chatId, p, {
    file: { kind, fileName: f.fileName, contentType: f.contentType, bytes: f.bytes },
    ...(kind === 'document' ? { document: { fileName: f.fileName, mimeType: f.contentType, content: f.bytes } } : {}),
    ...(caption !== undefined ? { caption } : {}),
    ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
  });
  return chats.toMessage(stored);
}

export function uploadMethods(chats: Chats): Handlers {
  return {
    sendPhoto: (p) => upload(chats, 'photo', p),
    sendDocument: (p) => upload(chats, 'document', p),
  };
}
