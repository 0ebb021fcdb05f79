// OutOp → Bot API call: pure. How a job goes out (merged content, plain text, edit sent anew)
// is decided elsewhere and handed in as a CallForm.
import type { Entity } from '../../domain/render/entities.ts';
import type { ApiCall, ChatRef, OutOp } from '../../domain/telegram.ts';

/** What a text message shows. */
export type Content = { text: string; entities?: Entity[]; replyMarkup?: unknown };

export interface CallForm {
  /** Content that replaces a send's own (an edit merged into its queued send). */
  content?: Content;
  /** Entities were rejected: send the text alone. */
  plain: boolean;
  /** An edit that goes out as sendMessage. */
  asSend: boolean;
  /** The message an edit or delete refers to, when known. */
  messageId?: number;
}

export function contentOf(op: Content): Content {
  return { text: op.text, entities: op.entities, replyMarkup: op.replyMarkup };
}

export function toCall(op: OutOp, form: CallForm): ApiCall {
  switch (op.op) {
    case 'send':
      return sendCall(op.chat, form.content ?? contentOf(op), form.plain, op.replyTo);
    case 'edit': {
      if (form.asSend || form.messageId === undefined) return sendCall(op.chat, contentOf(op), form.plain);
      const params = { chat_id: op.chat.chatId, message_id: form.messageId, ...contentParams(contentOf(op), form.plain) };
      return { method: 'editMessageText', params };
    }
    case 'delete':
      return { method: 'deleteMessage', params: { chat_id: op.chat.chatId, message_id: form.messageId } };
    case 'draft':
      return {
        method: 'sendMessageDraft',
        params: {
          ...chatParams(op.chat),
          draft_id: op.draftId,
          text: op.text,
          ...(op.entities?.length ? { entities: op.entities } : {}),
          ...(op.canStop !== undefined ? { can_stop: op.canStop } : {}),
        },
      };
    case 'typing':
      return { method: 'sendChatAction', params: { ...chatParams(op.chat), action: 'typing' } };
    case 'commands':
      return { method: 'setMyCommands', params: { commands: op.commands, scope: { type: 'chat', chat_id: op.chatId } } };
    case 'upload': {
      const field = op.as;
      const params = { ...chatParams(op.chat), ...(op.caption ? { caption: op.caption } : {}), ...replyParams(op.replyTo) };
      return { method: op.as === 'photo' ? 'sendPhoto' : 'sendDocument', params, upload: { field, path: op.path, fileName: op.fileName } };
    }
    case 'document': {
      // Plain data: the driver turns `document` into a multipart upload.
      const reply = op.replyTo !== undefined ? { reply_parameters: { message_id: op.replyTo, allow_sending_without_reply: true } } : {};
      const caption = op.caption !== undefined ? { caption: op.caption } : {};
      return { method: 'sendDocument', params: { ...chatParams(op.chat), document: { fileName: op.fileName, content: op.content }, ...caption, ...reply } };
    }
    case 'cancel':
      throw new Error('outbox: a cancel op is never a call');
    case 'answerCallback':
      return {
        method: 'answerCallbackQuery',
        params: { callback_query_id: op.callbackQueryId, ...(op.text !== undefined ? { text: op.text } : {}) },
      };
  }
}

function sendCall(chat: ChatRef, content: Content, plain: boolean, replyTo?: number): ApiCall {
  return { method: 'sendMessage', params: { ...chatParams(chat), ...contentParams(content, plain), ...replyParams(replyTo) } };
}

function replyParams(replyTo?: number): Record<string, unknown> {
  return replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {};
}

function chatParams(chat: ChatRef): Record<string, unknown> {
  return chat.threadId === undefined ? { chat_id: chat.chatId } : { chat_id: chat.chatId, message_thread_id: chat.threadId };
}

function contentParams(content: Content, plain: boolean): Record<string, unknown> {
  return {
    text: content.text,
    ...(!plain && content.entities?.length ? { entities: content.entities } : {}),
    ...(content.replyMarkup !== undefined ? { reply_markup: content.replyMarkup } : {}),
  };
}
