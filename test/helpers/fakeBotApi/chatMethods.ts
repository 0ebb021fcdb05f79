// What the bot shows around its messages: drafts (private chats only), chat actions, and the
// answer to a button press.
import { bad } from './apiError.ts';
import type { Chats } from './chats.ts';
import { validateEntities } from './entities.ts';
import type { Handlers } from './exchange.ts';
import { chatIdOf, MAX_TEXT, optInt } from './params.ts';
import type { DraftCall } from './types.ts';

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'record_audio',
  'upload_audio', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

export function chatMethods(chats: Chats): Handlers {
  return {
    sendMessageDraft(p) {
      const chatId = chatIdOf(p);
      if (chatId <= 0) throw bad('TEXTDRAFT_PEER_INVALID');
      const draftId = optInt(p, 'draft_id');
      if (draftId === undefined) throw bad('draft_id is empty');
      if (draftId === 0) throw bad('draft_id must be non-zero');
      const raw = p.text;
      const text = raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw : String(raw);
      if (text.length > MAX_TEXT) throw bad('message is too long');
      const entities = validateEntities(p.entities, text);
      const draft: DraftCall = { chatId, draftId, text, at: Date.now() };
      if (entities) draft.entities = entities;
      const threadId = optInt(p, 'message_thread_id');
      if (threadId !== undefined) draft.threadId = threadId;
      if (typeof p.can_stop === 'boolean') draft.canStop = p.can_stop;
      chats.drafts.push(draft);
      return true;
    },

    sendChatAction(p) {
      chatIdOf(p);
      if (typeof p.action !== 'string' || !CHAT_ACTIONS.has(p.action)) throw bad('wrong parameter action in request');
      return true;
    },

    answerCallbackQuery(p) {
      const id = p.callback_query_id;
      if (typeof id !== 'string' || id === '') throw bad('callback_query_id is empty');
      if (typeof p.text === 'string' && p.text.length > 200) throw bad('message is too long');
      const cq = chats.callbacks.get(id);
      if (!cq || cq.answered) throw bad('query is too old and response timeout expired or query ID is invalid');
      cq.answered = true;
      return true;
    },
  };
}
