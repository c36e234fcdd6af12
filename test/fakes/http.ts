/**
 * Shared plumbing of the wire-level fakes: an HTTP server on 127.0.0.1 with a port picked by the OS,
 * body reading, JSON replies, deadline-bound waiting, and gates that hold requests; then the pure
 * Telegram wire helpers (parameters, errors, HTML parse_mode, realistic updates) that keep
 * `telegram.ts` to the server's state. Nothing here logs or does per-request work beyond what a reply
 * needs, so the fakes can serve a benchmark.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageEntity, UserFromGetMe } from 'grammy/types';

/** Handles one request; a thrown error becomes a plain 500 (the fakes answer their own errors). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** A listening fake server. */
export interface FakeServer {
  /** The node:http server. */
  server: Server;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** True once `close` was called. */
  readonly closed: boolean;
  /** Resolves after `ms`, or at once when the server closes (callers then check `closed`). */
  delay(ms: number): Promise<void>;
  /** Stops listening, destroys every open socket and wakes every `delay`. */
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1, port 0. */
export async function listen(handler: Handler): Promise<FakeServer> {
  let closed = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  const run = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      await handler(req, res);
    } catch {
      sendJson(res, 500, { error: 'fake server error' });
    }
  };
  const server = createServer((req, res) => void run(req, res));
  // Keep idle keep-alive sockets open: clients (grammY's agent, undici) then never reuse a socket the
  // server is closing at that instant, a source of flaky ECONNRESETs. `close` destroys them all.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    get closed() {
      return closed;
    },
    delay(ms) {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const sleeper = {
          timer: setTimeout(() => sleeper.wake(), ms),
          wake: () => {
            clearTimeout(sleeper.timer);
            sleepers.delete(sleeper);
            resolve();
          },
        };
        sleepers.add(sleeper);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sleeper of [...sleepers]) sleeper.wake();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}

/** Reads the whole request body as UTF-8. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers `status` with a JSON body, unless the client is already gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, 'application/json', JSON.stringify(body));
}

/** Answers `status` with a raw body of the given content type, unless the client is already gone. */
export function sendRaw(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Polls `predicate` every 5 ms until it holds; rejects with an error naming `what` once `timeoutMs`
 * passed. An exception from the predicate rejects at once.
 */
export function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      try {
        if (predicate()) return resolve();
      } catch (err) {
        return reject(err);
      }
      if (Date.now() >= deadline)
        return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

/** A closed gate; `release` opens it (idempotent). */
export interface Gate {
  release(): void;
}

/** Any number of gates; requests `hold()` while at least one is closed. */
export class Gates {
  #closedCount = 0;
  #waiting: Array<() => void> = [];

  /** Closes a new gate. */
  gate(): Gate {
    this.#closedCount++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#closedCount--;
        if (this.#closedCount === 0) this.releaseAll();
      },
    };
  }

  /** True while at least one gate is closed. */
  get closed(): boolean {
    return this.#closedCount > 0;
  }

  /** Resolves once no gate is closed (at once when none is). */
  hold(): Promise<void> {
    if (this.#closedCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Lets every held request through (used on close); gates stay counted. */
  releaseAll(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}

// ---------------------------------------------------------------------------------------------
// Telegram Bot API wire helpers (pure): parameters, errors, HTML parse_mode, update building.
// ---------------------------------------------------------------------------------------------

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
