// The state of chats and messages: the bot's messages with their edit history, the users'
// messages (reply and delete targets), per-chat message ids, drafts, callbacks and commands.
import type { BotCommand, Message, User } from 'node-telegram-bot-api';
import { bad } from './apiError.ts';
import type { Params } from './exchange.ts';
import { isObj, optInt } from './params.ts';
import type { DraftCall, InjectedChatType, MessageVersion, StoredMessage } from './types.ts';

export const nowSec = (): number => Math.floor(Date.now() / 1000);
export const msgKey = (chatId: number, messageId: number): string => `${chatId}:${messageId}`;

interface ChatInfo {
  id: number;
  type: string;
  title?: string;
  first_name?: string;
  is_forum?: true;
}

export interface UserMessageInput {
  chatId: number;
  userId: number;
  chatType?: InjectedChatType;
  threadId?: number;
  firstName?: string;
}

export class Chats {
  readonly messages = new Map<string, StoredMessage>();
  readonly deletedMessages: StoredMessage[] = [];
  readonly drafts: DraftCall[] = [];
  readonly callbacks = new Map<string, { answered: boolean }>();
  commands: BotCommand[] = [];
  /** Menus set with scope {type:'chat', chat_id}. */
  readonly chatCommands = new Map<number, BotCommand[]>();
  readonly userMessages = new Map<string, Record<string, unknown>>();
  private readonly chats = new Map<number, ChatInfo>();
  private readonly nextMessageIds = new Map<number, number>();

  constructor(readonly botUser: User) {}

  chatLog(chatId: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId).sort((a, b) => a.messageId - b.messageId);
  }

  nextMessageId(chatId: number): number {
    const id = this.nextMessageIds.get(chatId) ?? 1;
    this.nextMessageIds.set(chatId, id + 1);
    return id;
  }

  chatObj(chatId: number): ChatInfo {
    const c = this.chats.get(chatId);
    if (c) return { ...c };
    return chatId > 0
      ? { id: chatId, type: 'private', first_name: `User${chatId}` }
      : { id: chatId, type: 'supergroup', title: `Test group ${chatId}` };
  }

  userObj(userId: number, firstName?: string): User {
    return { id: userId, is_bot: false, first_name: firstName ?? `User${userId}`, username: `user${userId}`, language_code: 'en' };
  }

  /** A user's message skeleton: id, sender, chat (registered with its type) and topic. */
  baseUserMessage(p: UserMessageInput): Record<string, unknown> {
    this.registerChat(p.chatId, p.chatType, p.threadId !== undefined && p.chatId < 0);
    const msg: Record<string, unknown> = {
      message_id: this.nextMessageId(p.chatId),
      from: this.userObj(p.userId, p.firstName),
      chat: this.chatObj(p.chatId),
      date: nowSec(),
    };
    if (p.threadId !== undefined) {
      msg.message_thread_id = p.threadId;
      msg.is_topic_message = true;
    }
    return msg;
  }

  rememberUserMessage(msg: Record<string, unknown>): void {
    const chat = msg.chat;
    if (isObj(chat) && typeof chat.id === 'number' && typeof msg.message_id === 'number') {
      this.userMessages.set(msgKey(chat.id, msg.message_id), msg);
      const next = this.nextMessageIds.get(chat.id) ?? 1;
      if (msg.message_id >= next) this.nextMessageIds.set(chat.id, msg.message_id + 1);
    }
  }

  /** A bot message as the API returns it (with the message it replies to, one level deep). */
  toMessage(m: StoredMessage, withReply = true): Message {
    const out: Record<string, unknown> = { message_id: m.messageId, from: this.botUser, chat: this.chatObj(m.chatId), date: m.date };
    if (m.threadId !== undefined) {
      out.message_thread_id = m.threadId;
      if (this.chatObj(m.chatId).is_forum) out.is_topic_message = true;
    }
    if (m.editDate !== undefined) out.edit_date = m.editDate;
    if (m.text !== undefined) out.text = m.text;
    if (m.entities) out.entities = m.entities;
    if (m.reply_markup) out.reply_markup = m.reply_markup;
    if (withReply && m.replyToMessageId !== undefined) {
      const key = msgKey(m.chatId, m.replyToMessageId);
      const bot = this.messages.get(key);
      const target = bot ? this.toMessage(bot, false) : this.userMessages.get(key);
      if (target) out.reply_to_message = target;
    }
    return out as unknown as Message;
  }

  /** The message a send replies to (`reply_parameters`), checked like Telegram does. */
  replyTarget(p: Params, chatId: number): number | undefined {
    const rp = p.reply_parameters;
    if (!isObj(rp) || typeof rp.message_id !== 'number') return undefined;
    const key = msgKey(chatId, rp.message_id);
    if (this.messages.has(key) || this.userMessages.has(key)) return rp.message_id;
    if (rp.allow_sending_without_reply === true) return undefined;
    throw bad('message to be replied not found');
  }

  newBotMessage(chatId: number, p: Params, fields: Partial<StoredMessage>): StoredMessage {
    const threadId = optInt(p, 'message_thread_id');
    const stored: StoredMessage = { chatId, messageId: this.nextMessageId(chatId), date: nowSec(), edits: 0, history: [], ...fields };
    if (threadId !== undefined) stored.threadId = threadId;
    this.messages.set(msgKey(chatId, stored.messageId), stored);
    return stored;
  }

  findEditable(chatId: number, messageId: number): StoredMessage {
    const key = msgKey(chatId, messageId);
    const stored = this.messages.get(key);
    if (stored) return stored;
    if (this.userMessages.has(key)) throw bad("message can't be edited");
    throw bad('message to edit not found');
  }

  version(m: StoredMessage): MessageVersion {
    const v: MessageVersion = { at: Date.now() };
    if (m.text !== undefined) v.text = m.text;
    if (m.entities) v.entities = m.entities;
    if (m.reply_markup) v.reply_markup = m.reply_markup;
    return v;
  }

  private registerChat(chatId: number, type: InjectedChatType | undefined, forum: boolean): void {
    const existing = this.chats.get(chatId);
    const t = type ?? existing?.type ?? (chatId > 0 ? 'private' : 'supergroup');
    const info: ChatInfo =
      t === 'private' ? { id: chatId, type: t, first_name: `User${chatId}` } : { id: chatId, type: t, title: `Test group ${chatId}` };
    if (forum || existing?.is_forum) info.is_forum = true;
    this.chats.set(chatId, info);
  }
}
