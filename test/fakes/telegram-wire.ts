/**
 * The pure Telegram Bot API wire helpers of the fake Telegram (`telegram.ts`): parameters, errors,
 * HTML parse_mode, realistic updates, the pending-update queue and rate windows. They keep
 * `telegram.ts` to the server's state; nothing here listens or logs.
 */
import type { IncomingMessage } from 'node:http';
import type { BotCommand, MessageEntity, UserFromGetMe } from 'grammy/types';
import { readBody } from './http.ts';

/** A Bot API error answer: `{ok:false, error_code, description, parameters?}` with that HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

export type Params = Record<string, unknown>;
type Json = Record<string, unknown>;

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** Parameters from the query string and a JSON or url-encoded body, as the real Bot API accepts them. */
export async function botParams(req: IncomingMessage, query: string): Promise<Params> {
  const params: Params = query ? Object.fromEntries(new URLSearchParams(query)) : {};
  const body = await readBody(req);
  if (body === '') return params;
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badRequest("can't parse JSON object");
    }
    return typeof parsed === 'object' && parsed !== null ? Object.assign(params, parsed) : params;
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
  }
  throw badRequest('the fake takes JSON, form-urlencoded or query parameters (no file uploads)');
}

/** An Integer parameter (numbers arrive as strings in forms and queries). */
export function intParam(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw badRequest(`field "${name}" must be of type Integer`);
  return n;
}

/** A String parameter (a number is accepted as its decimal string, like chat_id). */
export function strParam(p: Params, name: string): string | undefined {
  const v = p[name];
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** A JSON-serialized parameter: an object in JSON bodies, a JSON string in forms and queries. */
export function jsonParam<T>(p: Params, name: string): T | undefined {
  const v = p[name];
  if (typeof v !== 'string') return (v ?? undefined) as T | undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

export const boolParam = (p: Params, name: string): boolean => p[name] === true || p[name] === 'true';

const MAX_MESSAGE = 4096;
export const CONFLICT_POLL =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
export const CONFLICT_HOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** Update types Telegram leaves out while allowed_updates is empty or unset. */
export const NOT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const ACTIONS = new Set(
  'typing upload_photo record_video upload_video record_voice upload_voice upload_document choose_sticker find_location record_video_note upload_video_note'.split(
    ' ',
  ),
);
/** The descriptions of scripted sendMessage errors. */
export const STEP_TEXT: Record<number, string> = {
  400: 'Bad Request: scripted error',
  401: 'Unauthorized',
  403: 'Forbidden: bot was blocked by the user',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

/**
 * Refusals as the Bot API words them (`{ok:false, error_code, description}` with that HTTP status), for
 * `script`, `refuseChat` and `failSends`.
 */
export const TELEGRAM_REFUSALS = {
  /** A revoked token (an invalid one gets 404 Not Found). */
  unauthorized: { status: 401, description: 'Unauthorized' },
  blocked: { status: 403, description: 'Forbidden: bot was blocked by the user' },
  kicked: { status: 403, description: 'Forbidden: bot was kicked from the supergroup chat' },
  deactivated: { status: 403, description: 'Forbidden: user is deactivated' },
  notStarted: { status: 403, description: "Forbidden: bot can't initiate conversation with a user" },
  chatNotFound: { status: 400, description: 'Bad Request: chat not found' },
  writeForbidden: { status: 400, description: 'Bad Request: CHAT_WRITE_FORBIDDEN' },
  topicClosed: { status: 400, description: 'Bad Request: TOPIC_CLOSED' },
  tooLong: { status: 400, description: 'Bad Request: message is too long' },
  badRequest: { status: 400, description: 'Bad Request: message to be replied not found' },
  /** Telegram's front answers an HTML page when the Bot API behind it is down. */
  badGatewayPage: { status: 502, html: true },
  internal: { status: 500, description: 'Internal Server Error' },
} as const;

/**
 * The refusal of a group upgraded to a supergroup (`supergroupId`), as sendMessage and sendChatAction
 * to the old chat get it for good: `refuseChat(group, upgradedTo(supergroup))`.
 */
export const upgradedTo = (supergroupId: number) =>
  ({
    status: 400,
    description: 'Bad Request: group chat was upgraded to a supergroup chat',
    parameters: { migrate_to_chat_id: supergroupId },
  }) as const;

/** The HTML page nginx answers for a 5xx of the Bot API behind it. */
export function htmlErrorPage(status: number): string {
  const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Time-out' : 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
export const tooMany = (n: number) =>
  new ApiError(429, `Too Many Requests: retry after ${n}`, { retry_after: n });

export function chatIdOf(p: Params): string {
  const id = strParam(p, 'chat_id');
  if (!id) throw badRequest('chat_id is empty');
  return id;
}

/** A sendChatAction call the fake recorded. */
export interface ChatAction {
  chatId: string;
  action: string;
  threadId?: string;
  at: number;
}

/** The parameters of a sendChatAction call, checked as the Bot API does. */
export function chatAction(p: Params): ChatAction {
  const chatId = chatIdOf(p);
  const action = strParam(p, 'action') ?? '';
  if (!ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
  const threadId = intParam(p, 'message_thread_id');
  const record: ChatAction = { chatId, action, at: Date.now() };
  if (threadId !== undefined) record.threadId = String(threadId);
  return record;
}

/** The key of a command list: its scope (default `{type:'default'}`) and language code. */
export const commandsKey = (p: Params) =>
  `${JSON.stringify(jsonParam<object>(p, 'scope') ?? { type: 'default' })}|${strParam(p, 'language_code') ?? ''}`;

/** The `commands` of setMyCommands, checked as the Bot API does. */
export function botCommands(p: Params): BotCommand[] {
  const list = jsonParam<BotCommand[]>(p, 'commands');
  if (!Array.isArray(list) || list.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
  const valid = (c: BotCommand) =>
    /^[a-z0-9_]{1,32}$/.test(String(c?.command)) && /^.{1,256}$/su.test(String(c?.description ?? ''));
  if (!list.every(valid)) throw badRequest('BOT_COMMAND_INVALID');
  return list;
}

/**
 * The text of a sendMessage as sent and as shown (`plain`: after HTML parsing), checked for the
 * parse_mode, emptiness and the 4096 limit.
 */
export function messageText(p: Params): { text: string; parseMode: string | undefined; plain: string } {
  const text = strParam(p, 'text') ?? '';
  const parseMode = strParam(p, 'parse_mode') || undefined;
  const mode = parseMode?.toLowerCase();
  if (mode !== undefined && mode !== 'html' && mode !== 'markdown' && mode !== 'markdownv2') {
    throw badRequest('unsupported parse_mode');
  }
  const plain = mode === 'html' ? parseHtml(text) : text;
  if (plain.trim() === '') throw badRequest('message text is empty');
  if (plain.length > MAX_MESSAGE) throw badRequest('message is too long');
  return { text, parseMode, plain };
}

/** The chat object of a chat the fake saw no user message from, guessed from its id. */
export function defaultChat(chat: string): Json {
  const id = Number(chat);
  if (!Number.isInteger(id)) return { id: -1_001_000_000_001, type: 'channel', title: 'Channel' };
  return id > 0
    ? { id, type: 'private', first_name: 'User' }
    : { id, type: id < -1e12 ? 'supergroup' : 'group', title: 'Chat' };
}

/** The bot's message as sendMessage returns it; in a forum's thread, a topic message. */
export function botMessage(input: {
  messageId: number;
  me: UserFromGetMe;
  chat: Json;
  now: number;
  text: string;
  threadId: number | undefined;
}): Json {
  const { threadId } = input;
  const message: Json = {
    message_id: input.messageId,
    from: input.me,
    chat: input.chat,
    date: Math.floor(input.now / 1000),
    text: input.text,
  };
  if (threadId !== undefined) message.message_thread_id = threadId;
  if (threadId !== undefined && input.chat.is_forum) message.is_topic_message = true;
  return message;
}

/** The bot's User object as getMe returns it (Bot API 9). */
export function botUser(id: number, username: string): UserFromGetMe {
  return {
    id,
    is_bot: true,
    first_name: 'Aksita Test',
    username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

const HTML_TAGS = new Set(
  'b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji tg-time'.split(' '),
);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)?([^<>]*)>/y;
const CHAR_REF = /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|(lt|gt|amp|quot));/y;
const NAMED: Json = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * Parses Telegram's `parse_mode: HTML` the way the Bot API does: only its tags, balanced; the four
 * named entities and numeric ones decoded; a bare `&` stays literal. Returns the plain text (whose
 * length is what the 4096 limit counts); throws the API's 400 "can't parse entities".
 */
export function parseHtml(text: string): string {
  const fail = (what: string, at: number) =>
    badRequest(`can't parse entities: ${what} at byte offset ${Buffer.byteLength(text.slice(0, at))}`);
  const open: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const amp = text.indexOf('&', i);
    const next = lt < 0 ? amp : amp < 0 ? lt : Math.min(lt, amp);
    if (next < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, next);
    i = next;
    if (text[i] === '&') {
      CHAR_REF.lastIndex = i;
      const ref = CHAR_REF.exec(text);
      const code = ref && (ref[1] ? Number.parseInt(ref[1], 16) : ref[2] ? Number(ref[2]) : -1);
      if (!ref || code === 0 || (code !== null && code > 0x10ffff)) {
        out += '&';
        i++;
        continue;
      }
      out += ref[3] ? NAMED[ref[3]] : String.fromCodePoint(code as number);
      i = CHAR_REF.lastIndex;
      continue;
    }
    TAG.lastIndex = i;
    const tag = TAG.exec(text);
    const name = tag?.[2]?.toLowerCase() ?? '';
    if (!tag || !HTML_TAGS.has(name))
      throw fail(`Unsupported ${tag?.[1] ? 'end' : 'start'} tag "${name}"`, i);
    if (tag[1]) {
      const top = open.pop();
      if (top !== name) throw fail(`Unmatched end tag, expected "</${top ?? ''}>", found "</${name}>"`, i);
    } else {
      if (name === 'span' && !tag[3]?.includes('tg-spoiler'))
        throw fail('Tag "span" must have class "tg-spoiler"', i);
      open.push(name);
    }
    i = TAG.lastIndex;
  }
  if (open.length > 0) {
    throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${open.at(-1)}"`);
  }
  return out;
}

const AUTO_ENTITY =
  /(?<![\w@/])(?:\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?|@[A-Za-z0-9_]{5,32})(?![\w@/])/g;

/** The entities Telegram adds on its own: `bot_command` for `/cmd[@bot]`, `mention` for `@username`. */
export function detectEntities(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  for (const { 0: word, index: offset } of text.matchAll(AUTO_ENTITY)) {
    found.push({ type: word.startsWith('/') ? 'bot_command' : 'mention', offset, length: word.length });
  }
  return found;
}

/** What a test says about a user's message; everything but `chatId` has a realistic default. */
export interface UserMessageInput {
  /** Positive: private chat with that user; negative: a group (below -1e12: a supergroup). */
  chatId: number;
  text?: string;
  caption?: string;
  /** Default: private for a positive id, supergroup below -1e12, else group. */
  chatType?: 'private' | 'group' | 'supergroup';
  /** Default: the chat id in private chats, 1001 in groups. */
  fromId?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  /** Forum topic (or reply thread) id: `message_thread_id`. */
  threadId?: number;
  /** Marks the message as sent in a forum topic (`is_topic_message`); the supergroup becomes a forum. */
  isTopic?: boolean;
  /** Makes it a reply to the bot's last message in this chat (or to an earlier one it made up). */
  replyToBot?: boolean;
  sticker?: boolean;
  photo?: boolean;
  /** Replaces the automatically detected entities. */
  entities?: MessageEntity[];
  isBot?: boolean;
}

/**
 * Builds the `message` of an update the way Telegram would send it. In a forum topic, a message that
 * is no explicit reply still carries `reply_to_message`: the topic's `forum_topic_created` service
 * message, as real Telegram does.
 */
export function buildUserMessage(
  input: UserMessageInput,
  context: { me: Json; nextMessageId: () => number; lastBotMessage: Json | undefined },
): { chat: Json; message: Json } {
  const { chatId, threadId } = input;
  const chatType = input.chatType ?? (chatId > 0 ? 'private' : chatId < -1e12 ? 'supergroup' : 'group');
  const from: Json = {
    id: input.fromId ?? (chatType === 'private' ? chatId : 1001),
    is_bot: input.isBot ?? false,
    first_name: input.firstName ?? 'Tester',
  };
  if (input.lastName !== undefined) from.last_name = input.lastName;
  if (input.username !== undefined) from.username = input.username;
  from.language_code = 'en';
  let chat: Json;
  if (chatType === 'private') {
    chat = { id: chatId, type: 'private', first_name: from.first_name };
    if (input.lastName !== undefined) chat.last_name = input.lastName;
    if (input.username !== undefined) chat.username = input.username;
  } else {
    chat = { id: chatId, type: chatType, title: chatType === 'group' ? 'Test group' : 'Test supergroup' };
    if (chatType === 'supergroup' && (threadId !== undefined || input.isTopic)) chat.is_forum = true;
  }
  const date = Math.floor(Date.now() / 1000);
  const inThread = (m: Json): Json => {
    if (threadId === undefined) return m;
    return { ...m, message_thread_id: threadId, ...(input.isTopic && { is_topic_message: true }) };
  };
  let replyTo: Json | undefined;
  if (input.replyToBot) {
    const earlier = () => ({ from: context.me, chat, date, text: 'An earlier answer' });
    replyTo = context.lastBotMessage ?? inThread({ message_id: context.nextMessageId(), ...earlier() });
  } else if (input.isTopic && threadId !== undefined) {
    const created = { name: 'Topic', icon_color: 7322096 };
    replyTo = inThread({ message_id: threadId, from, chat, date, forum_topic_created: created });
  }
  const message = inThread({ message_id: context.nextMessageId(), from, chat, date });
  if (replyTo) message.reply_to_message = replyTo;
  if (input.text !== undefined) {
    message.text = input.text;
    const entities = input.entities ?? detectEntities(input.text);
    if (entities.length > 0) message.entities = entities;
  }
  if (input.caption !== undefined) {
    message.caption = input.caption;
    const entities = input.entities ?? detectEntities(input.caption);
    if (entities.length > 0) message.caption_entities = entities;
  }
  if (input.photo) {
    message.photo = [
      { file_id: 'photo-small', file_unique_id: 'ps1', width: 90, height: 68, file_size: 1520 },
      { file_id: 'photo-large', file_unique_id: 'pl1', width: 1280, height: 960, file_size: 98_304 },
    ];
  }
  if (input.sticker) {
    message.sticker = {
      file_id: 'sticker-1',
      file_unique_id: 'st1',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: '👍',
    };
  }
  return { chat, message };
}

/** A pending update; a redelivered one is returned once even below the client's offset. */
export interface QueuedUpdate {
  update: { update_id: number } & Record<string, unknown>;
  redelivered: boolean;
  returned: boolean;
}

/** Telegram's pending updates, sorted by update_id, with getUpdates offset semantics. */
export class UpdateQueue {
  entries: QueuedUpdate[] = [];
  /** Highest positive offset confirmed. */
  confirmedOffset = 0;
  #redelivered = 0;

  add(update: QueuedUpdate['update'], redelivered: boolean): void {
    let i = this.entries.length; // a push appends (ids only grow); a redelivery walks back to its place
    while (i > 0 && (this.entries[i - 1] as QueuedUpdate).update.update_id > update.update_id) i--;
    this.entries.splice(i, 0, { update, redelivered, returned: false });
    if (redelivered) this.#redelivered++;
  }

  remove(entry: QueuedUpdate, index = this.entries.indexOf(entry)): void {
    if (index < 0) return;
    if (index === 0) this.entries.shift();
    else this.entries.splice(index, 1);
    if (entry.redelivered) this.#redelivered--;
  }

  clear(): void {
    this.entries = [];
    this.#redelivered = 0;
  }

  /** Applies an offset: updates below it are confirmed and gone (a redelivery only once returned). */
  confirm(offset: number): void {
    if (offset < 0) {
      for (const entry of this.entries.slice(0, Math.max(0, this.entries.length + offset)))
        this.remove(entry);
      return;
    }
    this.confirmedOffset = Math.max(this.confirmedOffset, offset);
    const gone = (e: QueuedUpdate | undefined) =>
      !!e && e.update.update_id < offset && (!e.redelivered || e.returned);
    while (gone(this.entries[0])) this.remove(this.entries[0] as QueuedUpdate, 0);
    if (this.#redelivered > 0) for (const entry of this.entries.filter(gone)) this.remove(entry);
  }

  /** The first `limit` pending updates, marked returned. */
  take(limit: number): QueuedUpdate['update'][] {
    const result: QueuedUpdate['update'][] = [];
    for (const entry of this.entries) {
      if (result.length === limit) break;
      entry.returned = true;
      result.push(entry.update);
    }
    return result;
  }
}

/** Seconds to wait before one more event in `window` (epoch ms, oldest first) fits `perSecond`; 0 if it fits. */
export function rateWait(window: number[], perSecond: number, now: number): number {
  const span = perSecond >= 1 ? 1000 : 1000 / perSecond;
  while (window.length > 0 && (window[0] as number) <= now - span) window.shift();
  if (window.length < Math.max(1, Math.floor(perSecond))) return 0;
  return Math.max(1, Math.ceil(((window[0] as number) + span - now) / 1000));
}
