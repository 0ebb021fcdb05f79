// sendMessage, editMessageText, deleteMessage: the outbox's send, edit, delete and
// document ops.
import { bad, NOT_MODIFIED } from './apiError.ts';
import { msgKey, nowSec, type Chats } from './chats.ts';
import { canonicalEntities, MAX_ENTITIES_KEPT, validateEntities } from './entities.ts';
import type { Handlers, Params } from './exchange.ts';
import { canonicalMarkup, validateMarkup } from './markup.ts';
import { chatIdOf, isObj, messageIdOf, requireText } from './params.ts';
import type { StoredMessage } from './types.ts';

/** The inline keyboard of an edit; a reply keyboard cannot be attached by editing. */
function editMarkup(p: Params) {
  const markup = validateMarkup(p.reply_markup);
  if (markup === undefined && isObj(p.reply_markup) && !('inline_keyboard' in p.reply_markup)) throw bad('inline keyboard expected');
  return markup;
}

export function messageMethods(chats: Chats): Handlers {
  return {
    sendMessage(p) {
      const chatId = chatIdOf(p);
      const text = requireText(p.text);
      const entities = validateEntities(p.entities, text);
      const markup = validateMarkup(p.reply_markup);
      const replyTo = chats.replyTarget(p, chatId);
      const fields: Partial<StoredMessage> = { text };
      if (entities) fields.entities = entities.slice(0, MAX_ENTITIES_KEPT);
      if (markup) fields.reply_markup = markup;
      if (replyTo !== undefined) fields.replyToMessageId = replyTo;
      return chats.toMessage(chats.newBotMessage(chatId, p, fields));
    },

    editMessageText(p) {
      const chatId = chatIdOf(p);
      const messageId = messageIdOf(p);
      const text = requireText(p.text);
      const entities = validateEntities(p.entities, text)?.slice(0, MAX_ENTITIES_KEPT);
      const markup = editMarkup(p);
      const stored = chats.findEditable(chatId, messageId);
      if (stored.text === undefined) throw bad('there is no text in the message to edit');
      if (
        stored.text === text &&
        canonicalEntities(stored.entities) === canonicalEntities(entities) &&
        canonicalMarkup(stored.reply_markup) === canonicalMarkup(markup)
      ) {
        throw bad(NOT_MODIFIED);
      }
      stored.history.push(chats.version(stored));
      stored.text = text;
      if (entities) stored.entities = entities;
      else delete stored.entities;
      // As in Telegram: an edit without reply_markup removes the inline keyboard.
      if (markup) stored.reply_markup = markup;
      else delete stored.reply_markup;
      stored.edits += 1;
      stored.editDate = nowSec();
      return chats.toMessage(stored);
    },


    deleteMessage(p) {
      const key = msgKey(chatIdOf(p), messageIdOf(p));
      const stored = chats.messages.get(key);
      if (stored) {
        chats.messages.delete(key);
        chats.deletedMessages.push(stored);
        return true;
      }
      if (chats.userMessages.delete(key)) return true;
      throw bad('message to delete not found');
    },
  };
}
