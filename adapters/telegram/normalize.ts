import type { Message } from 'grammy/types';
import type { IncomingMessage } from '../../src/core/contract.ts';
import { removeTokens } from '../../src/core/text.ts';
import { int, type Loose, record, str } from '../shared/guards.ts';

/** The bot's own identity, from `getMe`. */
export interface TelegramBotIdentity {
  /** The bot's user id. */
  id: number;
  /** The bot's username, without the `@`. */
  username: string;
}

/**
 * The accounts Telegram shows as the sender of a message written as a chat (`sender_chat` holds the
 * chat): an anonymous group admin (`GroupAnonymousBot`), a message sent as a channel (`Channel_Bot`),
 * and a channel post copied into its linked discussion group (`Telegram`, an automatic forward).
 */
export const TELEGRAM_ANONYMOUS_ADMIN_ID = 1087968824;
export const TELEGRAM_CHANNEL_BOT_ID = 136817688;
export const TELEGRAM_SERVICE_ID = 777000;

/** A parsed, bounds-checked message entity. */
interface Entity {
  type: string;
  offset: number;
  length: number;
  userId: number | undefined;
}

/** Keys whose presence makes a message user content even without text or caption. */
const CONTENT_KEYS = [
  'sticker',
  'photo',
  'voice',
  'video',
  'video_note',
  'audio',
  'document',
  'animation',
  'location',
  'contact',
  'poll',
  'dice',
  'venue',
] as const;

/** The well-formed entities of `value` that lie within `text`; `undefined` when there is no entity list. */
function parseEntities(value: unknown, text: string): Entity[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const entities: Entity[] = [];
  for (const item of value) {
    const entity = record(item);
    const type = str(entity?.type);
    const offset = int(entity?.offset);
    const length = int(entity?.length);
    if (type === undefined || offset === undefined || length === undefined) continue;
    if (offset < 0 || length <= 0 || offset + length > text.length) continue;
    entities.push({ type, offset, length, userId: int(record(entity?.user)?.id) });
  }
  return entities;
}

/** Matches `@username` as a whole word, with a `,` or `:` right after it. */
function mentionPattern(username: string): RegExp {
  const escaped = username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w@])@${escaped}(?!\\w)[,:]?`, 'gi');
}

/**
 * `text` with each `text_mention` of the bot (a mention by name, linked to its user) written as its
 * `@username`, so that it is removed like any other mention of the bot.
 */
function spellTextMentions(text: string, entities: Entity[] | undefined, bot: TelegramBotIdentity): string {
  if (bot.username === '' || entities === undefined) return text;
  let spelled = text;
  const mentions = entities.filter((e) => e.type === 'text_mention' && e.userId === bot.id);
  for (const e of mentions.sort((a, b) => b.offset - a.offset)) {
    spelled = `${spelled.slice(0, e.offset)}@${bot.username}${spelled.slice(e.offset + e.length)}`;
  }
  return spelled;
}

/** Removes every mention of the bot with the blanks around it, keeping one space between the words it separated. */
function removeMentions(text: string, username: string): string {
  return username === '' ? text.trim() : removeTokens(text, mentionPattern(username));
}

/** Who wrote the message: a person, or a chat (`sender_chat`) that hides the person behind it. */
function sender(from: Loose, userId: number, senderChat: Loose | undefined): IncomingMessage['user'] | null {
  if (senderChat === undefined) {
    return from.is_bot === true ? null : { id: String(userId), displayName: displayName(from, userId) };
  }
  const chatId = int(senderChat.id);
  if (chatId === undefined) return null;
  const title = str(senderChat.title) ?? str(senderChat.username) ?? `chat ${chatId}`;
  return { id: String(chatId), displayName: title, anonymous: true };
}

function displayName(from: Loose, userId: number): string {
  const full = `${str(from.first_name) ?? ''} ${str(from.last_name) ?? ''}`.trim();
  if (full !== '') return full;
  const username = str(from.username);
  return username ? `@${username}` : `user ${userId}`;
}

function normalize(message: unknown, bot: TelegramBotIdentity): IncomingMessage | null {
  const msg = record(message);
  const chat = record(msg?.chat);
  const from = record(msg?.from);
  if (msg === undefined || chat === undefined || from === undefined) return null;
  const chatId = int(chat.id);
  const messageId = int(msg.message_id);
  const userId = int(from.id);
  if (chatId === undefined || messageId === undefined || userId === undefined) return null;
  if (userId === bot.id || msg.is_automatic_forward === true) return null;
  // The bot's own inline results, sent by a user through it, are not questions.
  if (int(record(msg.via_bot)?.id) === bot.id) return null;
  const user = sender(from, userId, record(msg.sender_chat));
  if (user === null) return null;

  const textField = str(msg.text);
  const raw = textField ?? str(msg.caption) ?? null;
  if (raw === null && !CONTENT_KEYS.some((key) => msg[key] !== undefined && msg[key] !== null)) return null;

  const topicId = msg.is_topic_message === true ? int(msg.message_thread_id) : undefined;
  const chatType = chat.type === 'private' ? 'direct' : 'group';
  const username = bot.username.toLowerCase();
  const entities =
    raw === null
      ? undefined
      : parseEntities(textField !== undefined ? msg.entities : msg.caption_entities, raw);

  const spelled = raw === null ? null : spellTextMentions(raw, entities, bot);
  let text: string | null = spelled === null ? null : removeMentions(spelled, username);
  let command: IncomingMessage['command'];
  let addressed = chatType === 'direct';

  const commandEntity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (raw !== null && spelled !== null && commandEntity !== undefined) {
    const [name = '', target] = raw.slice(1, commandEntity.length).split('@', 2);
    if (name !== '' && (target === undefined || target.toLowerCase() === username)) {
      const args = removeMentions(spelled.slice(commandEntity.length), username);
      command = { name: name.toLowerCase(), args };
      text = args;
      addressed = true;
    }
  }

  if (!addressed && raw !== null && username !== '') {
    addressed =
      entities === undefined
        ? mentionPattern(username).test(raw)
        : entities.some(
            (e) =>
              (e.type === 'mention' &&
                raw.slice(e.offset, e.offset + e.length).toLowerCase() === `@${username}`) ||
              (e.type === 'text_mention' && e.userId === bot.id),
          );
  }
  if (!addressed) {
    const reply = record(msg.reply_to_message);
    // In a forum topic, a message that replies to nothing points at the topic's creation message.
    const isTopicRoot = topicId !== undefined && int(reply?.message_id) === topicId;
    addressed = !isTopicRoot && int(record(reply?.from)?.id) === bot.id;
  }

  const date = int(msg.date);
  return {
    id: `telegram:${chatId}:${messageId}`,
    platform: 'telegram',
    thread: topicId === undefined ? `telegram:${chatId}` : `telegram:${chatId}:${topicId}`,
    address:
      topicId === undefined
        ? { channel: String(chatId) }
        : { channel: String(chatId), thread: String(topicId) },
    messageId: String(messageId),
    chatType,
    addressed,
    text,
    ...(command === undefined ? {} : { command }),
    user,
    sentAt: date === undefined ? 0 : date * 1000,
  };
}

/**
 * Turns one Telegram message into an `IncomingMessage`, or `null` when the bridge ignores it: sent by a
 * bot (including this one, and its own inline results), a channel post copied into its discussion
 * group (`is_automatic_forward`), a service message (members joined, pin, title change, migration,
 * ...), or malformed. A message written as a chat (an anonymous group admin, or as a channel) is
 * answered like anyone's, from that chat as an `anonymous` user who is never an admin.
 * `/start <payload>` (a deep link) is the `start` command with the payload as its arguments.
 * Forum topics get their own thread key; replies in ordinary groups stay in the chat's thread. Never
 * throws, whatever the input (it may come straight from a webhook body).
 */
export function normalizeTelegramMessage(message: Message, bot: TelegramBotIdentity): IncomingMessage | null {
  try {
    return normalize(message, bot);
  } catch {
    return null;
  }
}

/**
 * The message an update carries for the bridge, normalized: only new messages (`message`) are
 * questions; edits, channel posts, callbacks and the rest are ignored (`null`). Never throws.
 */
export function normalizeTelegramUpdate(update: unknown, bot: TelegramBotIdentity): IncomingMessage | null {
  const message = record(update)?.message;
  return message === undefined ? null : normalizeTelegramMessage(message as Message, bot);
}

/** A group's upgrade to a supergroup, which moves it to a new chat id, as a service message tells it. */
export interface TelegramMigration {
  /** The group's chat id, and its thread key. */
  from: { chat: string; thread: string };
  /** The supergroup's chat id, and its thread key. */
  to: { chat: string; thread: string };
}

/**
 * The move an update announces: `migrate_to_chat_id` in the group, or `migrate_from_chat_id` in the
 * supergroup (Telegram sends both); `null` for any other update. Never throws.
 */
export function telegramMigration(update: unknown): TelegramMigration | null {
  const msg = record(record(update)?.message);
  const chatId = int(record(msg?.chat)?.id);
  if (msg === undefined || chatId === undefined) return null;
  const to = int(msg.migrate_to_chat_id);
  const from = int(msg.migrate_from_chat_id);
  const [oldId, newId] = to !== undefined ? [chatId, to] : from !== undefined ? [from, chatId] : [];
  if (oldId === undefined || newId === undefined || oldId === newId) return null;
  const place = (id: number) => ({ chat: String(id), thread: `telegram:${id}` });
  return { from: place(oldId), to: place(newId) };
}
