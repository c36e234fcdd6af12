/**
 * A local fake of the Telegram Bot API that grammY reaches through `client.apiRoot`: requests are
 * `/bot<token>/<method>` with JSON, form or query parameters; answers are the real `{ok, result}` and
 * `{ok:false, error_code, description, parameters}` envelopes with the same HTTP status. getUpdates
 * has real offsets, long polling and the one-poller rule; webhooks are retried until answered 2xx;
 * sendMessage checks the 4096 limit, HTML parse_mode, reply targets and optional rate limits. Faults:
 * scripted or lasting refusals worded as the Bot API words them (`TELEGRAM_REFUSALS`), nginx's HTML
 * page for a 5xx of Telegram's front, a revoked token, sends and long polls that are never answered.
 * This file holds the fake's surface (`FakeTelegram`), its routing and sendMessage; getUpdates and
 * webhooks are in `telegram-updates.ts`, the Bot API's objects and envelopes in `telegram-wire.ts`.
 * No logging; O(1) work per request in the common case.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BotCommand, MessageEntity, UserFromGetMe } from 'grammy/types';
import { type Gate, Gates, listen, sendJson, sendRaw, waitFor } from './http.ts';
import { HANDLED, UpdateFeed } from './telegram-updates.ts';
import {
  ApiError,
  badRequest,
  boolParam as bool,
  botCommands,
  botMessage,
  botParams,
  botUser,
  buildUserMessage,
  type ChatAction,
  chatAction,
  chatIdOf,
  commandsKey,
  defaultChat,
  htmlErrorPage,
  intParam as int,
  jsonParam as json,
  messageText,
  type Params,
  rateWait,
  STEP_TEXT,
  strParam as str,
  TELEGRAM_REFUSALS,
  tooMany,
  type UserMessageInput,
  upgradedTo,
} from './telegram-wire.ts';

export type { ChatAction, MessageEntity, UserMessageInput };
export { TELEGRAM_REFUSALS, upgradedTo };

/** What a sendMessage call gets (see `FakeTelegram.script`, `failSends`, `refuseChat`). */
export type SendStep =
  /** Answer 429 with `parameters.retry_after`. */
  | { status: 429; retryAfter: number }
  /**
   * Answer this error status with the Bot API's envelope and `description` (default `STEP_TEXT`);
   * `html`: nginx's HTML error page instead, as Telegram's front answers when the Bot API is down.
   */
  | {
      status: 400 | 401 | 403 | 404 | 500 | 502 | 504;
      description?: string;
      html?: boolean;
      /** The envelope's `parameters`, e.g. `migrate_to_chat_id` (see `upgradedTo`). */
      parameters?: Record<string, unknown>;
    }
  /** Destroy the socket without answering (the message is not sent). */
  | { reset: true }
  /** Process normally (lets a script skip sends). */
  | { pass: true }
  /** Never answer and never accept: the request is dropped when the client goes away. */
  | { hold: true };

/** sendMessage limits; accepted sends count, refused ones do not. Below 1/s means one per 1/x s. */
export interface RateLimit {
  perChatPerSecond: number;
  globalPerSecond: number;
}

export interface FakeTelegramOptions {
  /** Default `123456:TEST-token`. */
  token?: string;
  /** Default 123456. */
  botId?: number;
  /** Default `aksita_test_bot`. */
  botUsername?: string;
}

/** An accepted sendMessage; `text` exactly as the client sent it (before parse_mode parsing). */
export interface SentMessage {
  chatId: string;
  text: string;
  threadId?: string;
  replyTo?: string;
  parseMode?: string;
  at: number;
  messageId: number;
}

export interface FakeTelegram {
  /** `http://127.0.0.1:PORT`: grammY's `client.apiRoot`. */
  readonly apiRoot: string;
  readonly token: string;
  /** The bot's User object, as getMe returns it. */
  readonly me: UserFromGetMe;
  readonly sent: SentMessage[];
  readonly actions: ChatAction[];
  /** Every sendMessage attempt with the status it got (0: reset or held by a step). */
  readonly sendAttempts: Array<{ chatId: string; status: number; at: number }>;
  /** Every webhook POST with the receiver's status (0: connection error). */
  readonly webhookDeliveries: Array<{ updateId: number; status: number }>;
  /** Update ids returned by getUpdates, in order (a redelivered update appears again). */
  readonly polledUpdates: number[];
  /** Highest `offset` a getUpdates call passed (0 before any). */
  readonly confirmedOffset: number;
  /** True while a getUpdates long poll is waiting for updates. */
  readonly polling: boolean;
  /** Updates not yet confirmed (polling) or not yet accepted (webhook). */
  readonly pendingCount: number;
  /** The webhook, or null while none is set. */
  readonly webhook: { url: string; secretToken?: string } | null;
  /** Bot commands by `JSON.stringify(scope ?? {type:'default'}) + '|' + (language_code ?? '')`. */
  readonly commands: Map<string, BotCommand[]>;
  /** sendMessage rate limits; null (the default) for none. */
  rateLimit: RateLimit | null;
  /** Delay before a failed webhook delivery is retried, ms. Default 200. */
  webhookRetryMs: number;
  /** Queues one-shot behaviours for the next sendMessage calls, in order. */
  script(...steps: SendStep[]): void;
  /** Every sendMessage (not consumed by a `script` step) gets `step` until `failSends(null)`: e.g. 502 for minutes. */
  failSends(step: SendStep | null): void;
  /**
   * Every sendMessage and sendChatAction to `chatId` gets `step` until `refuseChat(chatId, null)`: a
   * chat that refuses the bot, e.g. `refuseChat(42, TELEGRAM_REFUSALS.blocked)`.
   */
  refuseChat(chatId: number | string, step: SendStep | null): void;
  /** From now on every method answers 401 Unauthorized, as for a token revoked in @BotFather. */
  revokeToken(): void;
  /**
   * Holds the next `count` getUpdates requests (default: every one until released): the fake does
   * nothing with them and never answers, like a long poll on a half-open connection. Updates stay
   * queued for a later poll.
   */
  holdPolls(count?: number): Gate;
  /** getUpdates requests now held unanswered by `holdPolls` (a client that gave up closes its one). */
  readonly heldPolls: number;
  /** getUpdates requests received, held ones included. */
  readonly getUpdatesCalls: number;
  /**
   * Holds sendMessage requests unanswered until every gate is released; then they are processed (and
   * the message accepted) even if their client went away meanwhile, as a server that got the request
   * would. Contrast the `hold` step, whose request is never accepted.
   */
  gate(): Gate;
  /** sendMessage requests now held unanswered by a gate or a `hold` step. */
  readonly held: number;
  /** Builds a realistic user message update and enqueues it. */
  userMessage(input: UserMessageInput): { updateId: number; messageId: number };
  /** Enqueues a raw update (assigning update_id if missing); like Telegram, drops types not in allowed_updates. */
  pushUpdate(update: object): number;
  /** Enqueues an earlier update again, same id and content, even if it was confirmed. */
  redeliver(updateId: number): void;
  /** Texts sent to a chat, in order. */
  sentTo(chatId: number | string): string[];
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Closes the server, destroys open sockets, stops webhook delivery, releases held requests. */
  close(): Promise<void>;
}

type Method = (p: Params, req: IncomingMessage, res: ServerResponse) => unknown;

/** Starts a fake Telegram Bot API on 127.0.0.1 (random port). */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456:TEST-token';
  const me = botUser(options.botId ?? 123456, options.botUsername ?? 'aksita_test_bot');
  const gates = new Gates();
  const feed = new UpdateFeed(() => ({ server, webhookRetryMs: fake.webhookRetryMs }));
  const steps: SendStep[] = [];
  let held = 0;
  let failing: SendStep | null = null;
  const refused = new Map<string, SendStep>();
  let revoked = false;
  const lastMessageId = new Map<string, number>(); // users' and the bot's messages share one sequence
  const lastBotMessage = new Map<string, Record<string, unknown>>();
  const chats = new Map<string, Record<string, unknown>>();
  const windows = new Map<string, number[]>();
  const globalWindow: number[] = [];

  function nextMessageId(chat: string): number {
    const id = (lastMessageId.get(chat) ?? 0) + 1;
    lastMessageId.set(chat, id);
    return id;
  }

  const chatObject = (chat: string): Record<string, unknown> => chats.get(chat) ?? defaultChat(chat);

  function setMyCommands(p: Params): unknown {
    const list = botCommands(p);
    fake.commands.set(commandsKey(p), list);
    return true;
  }

  async function sendMessage(p: Params, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const chatId = str(p, 'chat_id') ?? '';
    const step = steps.shift() ?? failing ?? refused.get(chatId);
    const attempt = { chatId, status: 0, at: Date.now() };
    if (step && 'hold' in step) {
      fake.sendAttempts.push(attempt);
      held++;
      res.on('close', () => held--);
      return HANDLED;
    }
    if (gates.closed) {
      held++;
      await gates.hold();
      held--;
    }
    if (server.closed) return HANDLED;
    attempt.status = 200;
    attempt.at = Date.now();
    fake.sendAttempts.push(attempt);
    if (step && 'reset' in step) {
      attempt.status = 0;
      req.socket.destroy();
      return HANDLED;
    }
    if (step && 'html' in step && step.html) {
      attempt.status = step.status;
      sendRaw(res, step.status, 'text/html', htmlErrorPage(step.status));
      return HANDLED;
    }
    try {
      if (step && 'status' in step) throw stepError(step);
      return accept(p);
    } catch (err) {
      attempt.status = err instanceof ApiError ? err.code : 500;
      throw err;
    }
  }

  function stepError(step: Extract<SendStep, { status: number }>): ApiError {
    if (step.status === 429) return tooMany(step.retryAfter);
    const description = step.description ?? STEP_TEXT[step.status] ?? 'Error';
    return new ApiError(step.status, description, 'parameters' in step ? step.parameters : undefined);
  }

  function sendChatAction(p: Params): unknown {
    const step = refused.get(str(p, 'chat_id') ?? '');
    if (step && 'status' in step) throw stepError(step);
    return fake.actions.push(chatAction(p)) > 0;
  }

  function accept(p: Params): unknown {
    const chat = chatIdOf(p);
    const { text, parseMode, plain } = messageText(p);
    const reply = json<{ message_id?: number; allow_sending_without_reply?: boolean }>(p, 'reply_parameters');
    const replyTo = reply?.message_id ?? int(p, 'reply_to_message_id');
    const lenient = reply?.allow_sending_without_reply ?? bool(p, 'allow_sending_without_reply');
    if (replyTo !== undefined && !lenient && (replyTo < 1 || replyTo > (lastMessageId.get(chat) ?? 0))) {
      throw badRequest('message to be replied not found');
    }
    const threadId = int(p, 'message_thread_id');
    const now = Date.now();
    if (fake.rateLimit) {
      const window = windows.get(chat) ?? [];
      if (window.length === 0) windows.set(chat, window);
      const { perChatPerSecond: perChat, globalPerSecond: global } = fake.rateLimit;
      const seconds = Math.max(rateWait(window, perChat, now), rateWait(globalWindow, global, now));
      if (seconds > 0) throw tooMany(seconds);
      window.push(now);
      globalWindow.push(now);
    }
    const messageId = nextMessageId(chat);
    const record: SentMessage = { chatId: chat, text, at: now, messageId };
    if (threadId !== undefined) record.threadId = String(threadId);
    if (replyTo !== undefined) record.replyTo = String(replyTo);
    if (parseMode !== undefined) record.parseMode = parseMode;
    fake.sent.push(record);
    const message = botMessage({ messageId, me, chat: chatObject(chat), now, text: plain, threadId });
    lastBotMessage.set(chat, message);
    return message;
  }

  const methods: Record<string, Method> = {
    getme: () => me,
    getupdates: (p, _req, res) => feed.getUpdates(p, res),
    sendmessage: sendMessage,
    sendchataction: sendChatAction,
    setmycommands: setMyCommands,
    deletemycommands: (p) => fake.commands.delete(commandsKey(p)) || true,
    getmycommands: (p) => fake.commands.get(commandsKey(p)) ?? [],
    setwebhook: (p) => feed.setWebhook(p),
    deletewebhook: (p) => feed.deleteWebhook(p),
    getwebhookinfo: () => ({
      url: feed.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: fake.pendingCount,
    }),
  };

  const server = await listen(async (req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const match = /^\/bot([^/]*)\/([^/]+)$/.exec(q < 0 ? raw : raw.slice(0, q));
    const method = match && methods[(match[2] as string).toLowerCase()];
    try {
      if (!match) throw new ApiError(404, 'Not Found');
      if (match[1] !== token || revoked) throw new ApiError(401, 'Unauthorized');
      if (!method) throw new ApiError(404, 'Not Found: method not found');
      const result = await method(await botParams(req, q < 0 ? '' : raw.slice(q + 1)), req, res);
      if (result !== HANDLED) sendJson(res, 200, { ok: true, result });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const { code, description, parameters } = err;
      sendJson(res, code, { ok: false, error_code: code, description, ...(parameters && { parameters }) });
    }
  });

  const fake: FakeTelegram = {
    apiRoot: server.url,
    token,
    me,
    sent: [],
    actions: [],
    sendAttempts: [],
    webhookDeliveries: feed.webhookDeliveries,
    polledUpdates: feed.polledUpdates,
    get confirmedOffset() {
      return feed.queue.confirmedOffset;
    },
    get polling() {
      return feed.polling;
    },
    get pendingCount() {
      return feed.queue.entries.length;
    },
    get webhook() {
      return feed.webhook;
    },
    commands: new Map(),
    rateLimit: null,
    webhookRetryMs: 200,
    script: (...more) => void steps.push(...more),
    failSends: (step) => {
      failing = step;
    },
    refuseChat: (chatId, step) => {
      if (step) refused.set(String(chatId), step);
      else refused.delete(String(chatId));
    },
    revokeToken: () => {
      revoked = true;
    },
    holdPolls: (count = Number.POSITIVE_INFINITY) => feed.holdPolls(count),
    get heldPolls() {
      return feed.heldPolls;
    },
    get getUpdatesCalls() {
      return feed.getUpdatesCalls;
    },
    gate: () => gates.gate(),
    get held() {
      return held;
    },
    userMessage(input) {
      const chat = String(input.chatId);
      const { chat: chatObj, message } = buildUserMessage(input, {
        me: me as unknown as Record<string, unknown>,
        nextMessageId: () => nextMessageId(chat),
        lastBotMessage: lastBotMessage.get(chat),
      });
      chats.set(chat, chatObj);
      return { updateId: fake.pushUpdate({ message }), messageId: message.message_id as number };
    },
    pushUpdate: (raw) => feed.pushUpdate(raw),
    redeliver: (updateId) => feed.redeliver(updateId),
    sentTo(chatId) {
      const key = String(chatId);
      return fake.sent.filter((s) => s.chatId === key).map((s) => s.text);
    },
    waitFor,
    async close() {
      const closed = server.close();
      feed.close();
      gates.releaseAll();
      await closed;
    },
  };
  return fake;
}
