// What users do, as updates queued for getUpdates: text, documents, button presses, the draft
// stop button, and any raw update.
import type { Update } from 'node-telegram-bot-api';
import { msgKey, nowSec, type Chats } from './chats.ts';
import type { Files } from './files.ts';
import { isObj } from './params.ts';
import type { SendCallbackInput, SendDocumentInput, SendMediaInput, SendTextInput, StopDraftInput } from './types.ts';
import type { UpdateQueue } from './updateQueue.ts';

export class UserUpdates {
  private callbackCounter = 0;

  constructor(
    private readonly chats: Chats,
    private readonly files: Files,
    private readonly queue: UpdateQueue,
  ) {}

  sendText(p: SendTextInput): Update {
    const msg = this.chats.baseUserMessage(p);
    msg.text = p.text;
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(p.text);
    if (cmd) msg.entities = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    if (p.replyTo) {
      const bot = this.chats.messages.get(msgKey(p.chatId, p.replyTo.message_id));
      msg.reply_to_message = {
        message_id: p.replyTo.message_id,
        from: bot ? this.chats.botUser : this.chats.userObj(p.userId, p.firstName),
        chat: this.chats.chatObj(p.chatId),
        date: bot?.date ?? nowSec(),
        text: p.replyTo.text,
      };
    }
    return this.message(msg);
  }

  sendDocument(p: SendDocumentInput): Update {
    const msg = this.chats.baseUserMessage(p);
    const f = this.files.store(p.content, p.fileName);
    msg.document = {
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_name: p.fileName,
      mime_type: p.mimeType ?? 'application/octet-stream',
      file_size: p.content.length,
    };
    if (p.caption !== undefined) msg.caption = p.caption;
    return this.message(msg);
  }

  sendMedia(p: SendMediaInput): Update {
    const msg = this.chats.baseUserMessage(p);
    const file = (content: Buffer, name: string) => {
      const f = this.files.store(content, name);
      return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: content.length };
    };
    const ext = { photo: '.jpg', voice: '.ogg', audio: '.mp3', video_note: '.mp4', document: '' }[p.kind];
    const name = p.fileName ?? `file${ext}`;
    if (p.kind === 'photo') {
      const sizes = p.sizes ?? [{ width: 800, height: 600, content: p.content }];
      msg.photo = sizes.map((s) => ({ ...file(s.content, name), width: s.width, height: s.height }));
    } else if (p.kind === 'document') {
      msg.document = { ...file(p.content, name), file_name: name, mime_type: p.mimeType ?? 'application/octet-stream' };
    } else if (p.kind === 'video_note') {
      msg.video_note = { ...file(p.content, name), length: 240, duration: p.duration ?? 3 };
    } else {
      const mime = p.mimeType ?? (p.kind === 'voice' ? 'audio/ogg' : 'audio/mpeg');
      msg[p.kind] = { ...file(p.content, name), duration: p.duration ?? 3, mime_type: mime, ...(p.kind === 'audio' ? { file_name: name } : {}) };
    }
    if (p.caption !== undefined) msg.caption = p.caption;
    if (p.mediaGroupId !== undefined) msg.media_group_id = p.mediaGroupId;
    return this.message(msg);
  }

  sendCallback(p: SendCallbackInput): Update {
    const stored = this.chats.messages.get(msgKey(p.chatId, p.messageId));
    const message = stored ? this.chats.toMessage(stored) : { message_id: p.messageId, chat: this.chats.chatObj(p.chatId), date: 0 };
    const id = String(4_000_000_000_000_000 + ++this.callbackCounter);
    this.chats.callbacks.set(id, { answered: false });
    const callback_query = { id, from: this.chats.userObj(p.userId), message, chat_instance: String(-7_000_000_000 - Math.abs(p.chatId)), data: p.data };
    return this.queue.enqueue({ update_id: this.queue.nextUpdateId(), callback_query } as unknown as Update);
  }

  stopDraft(p: StopDraftInput): Update {
    const body: Record<string, unknown> = { chat: this.chats.chatObj(p.chatId), draft_id: p.draftId };
    if (p.threadId !== undefined) body.message_thread_id = p.threadId;
    return this.queue.enqueue({ update_id: this.queue.nextUpdateId(), stopped_message_generation: body } as unknown as Update);
  }

  /** Any update as given (an `update_id` is added when missing); its messages and callbacks become known. */
  pushUpdate(u: object): Update {
    const raw = u as Record<string, unknown>;
    const update = { ...raw, update_id: this.queue.nextUpdateId(typeof raw.update_id === 'number' ? raw.update_id : undefined) };
    for (const k of ['message', 'edited_message', 'channel_post', 'business_message']) {
      const m = raw[k];
      if (isObj(m)) this.chats.rememberUserMessage(m);
    }
    const cq = raw.callback_query;
    if (isObj(cq) && typeof cq.id === 'string') this.chats.callbacks.set(cq.id, { answered: false });
    return this.queue.enqueue(update as unknown as Update);
  }

  private message(msg: Record<string, unknown>): Update {
    this.chats.rememberUserMessage(msg);
    return this.queue.enqueue({ update_id: this.queue.nextUpdateId(), message: msg } as unknown as Update);
  }
}
