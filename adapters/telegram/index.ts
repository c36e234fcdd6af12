/**
 * The Telegram adapter (grammY). Receives by long polling or by webhook, and confirms an update to
 * Telegram only after the router has stored it: the polling loop advances its offset past an update
 * only once `receive` resolved, and the webhook answers 2xx only then. Sends one chunk per call and
 * maps Bot API failures to `PlatformError` kinds (`errors.ts`). A group upgraded to a supergroup is
 * followed: sends go to its new chat id, and the core is told the thread moved (`Inbound.moved`). Every call has a timeout (`fetch.ts`):
 * a `getUpdates` that is not answered within its long poll plus `requestTimeoutMs` is abandoned and
 * the next one started, and health turns red when none completed for two such spans.
 */
import { timingSafeEqual } from 'node:crypto';
import { Bot, GrammyError, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import type {
  Adapter,
  Address,
  Capabilities,
  Health,
  HttpRoute,
  Inbound,
  MenuCommand,
  Receiver,
  SendOptions,
  SendPacing,
} from '../../src/core/contract.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { retryUntilStored, sleep } from '../../src/core/retry.ts';
import type { Logger } from '../../src/logger.ts';
import { connectWithRetry } from '../shared/connect.ts';
import { OrderedHandIn } from '../shared/hand-in.ts';
import { describe, isTimeout, migratedTo, refusedFormatting, toPlatformError } from './errors.ts';
import { botApiFetch, botApiPool } from './fetch.ts';
import { plainTelegram, TELEGRAM_MAX_MESSAGE, telegramHtml } from './format.ts';
import { normalizeTelegramUpdate, type TelegramMigration, telegramMigration } from './normalize.ts';

/** A typing indicator lasts 5 s on Telegram; renew a little before. */
const TELEGRAM_TYPING_RENEW_MS = 4_000;

/**
 * Telegram's send limits (core.telegram.org/bots/faq): about one message per second to a chat, 20 a
 * minute to a group, about 30 a second overall. Spaced 5 % wider than that, so that the jitter of the
 * network never makes two paced sends count as one too many.
 */
export const TELEGRAM_PACING: SendPacing = {
  global: { intervalMs: 35, burst: 1 },
  direct: { intervalMs: 1_050, burst: 1 },
  group: { intervalMs: 3_150, burst: 3 },
};
/**
 * Largest webhook request read, bytes: an update is a few kilobytes (a message holds at most 4,096
 * characters, a caption 1,024; files come as ids, never inline).
 */
export const TELEGRAM_MAX_UPDATE_BYTES = 1024 * 1024;
/** The header carrying the webhook's secret (`secret_token` of `setWebhook`). */
const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Long-poll duration of one `getUpdates`, s. */
const POLL_TIMEOUT_SECONDS = 30;
/** How long any Bot API call may take, ms; a `getUpdates` gets its long poll on top. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Polling is unhealthy once no `getUpdates` completed for this many poll spans (long poll + margin). */
const STALE_POLL_SPANS = 2;
/** Group → supergroup moves this process remembers (the oldest is forgotten first). */
const MAX_REMEMBERED_MOVES = 10_000;

export interface TelegramAdapterOptions {
  /** Bot token from @BotFather. */
  token: string;
  /** Bot API root (self-hosted Bot API server, tests). */
  apiRoot: string;
  /** Webhook mode: the public URL and the secret Telegram must send; absent for long polling. */
  webhook?: { url: string; secret: string };
  /** Logger (a child with `platform: 'telegram'` is made). */
  log: Logger;
  /** Long-poll duration, s. Default 30. */
  pollTimeoutSeconds?: number;
  /**
   * How long a Bot API call may take before it fails as `transient` (a send) or is abandoned (a
   * `getUpdates`, which gets its long poll on top), ms. Default 10 000.
   */
  requestTimeoutMs?: number;
  /** Pace sends before Telegram's limits (default true); off for raised limits or a fake without them. */
  pacing?: boolean;
}

export function createTelegramAdapter(options: TelegramAdapterOptions): Adapter {
  return new TelegramAdapter(options);
}

class TelegramAdapter implements Adapter {
  readonly platform = 'telegram' as const;
  readonly capabilities: Capabilities = {
    typing: true,
    typingRenewMs: TELEGRAM_TYPING_RENEW_MS,
    format: telegramHtml,
    maxMessageLength: TELEGRAM_MAX_MESSAGE,
  };
  readonly routes: HttpRoute[] = [];
  readonly #o: TelegramAdapterOptions;
  readonly #log: Logger;
  readonly #pool = botApiPool();
  readonly #bot: Bot;
  #receive: Receiver | undefined;
  #moveThread: Inbound['moved'];
  /**
   * Groups upgraded to a supergroup: old chat id → new one. Sends go to the new id at once; a process
   * that does not know a move learns it from Telegram's refusal (`migratedTo`).
   */
  readonly #moves = new Map<string, string>();
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #mode: 'idle' | 'polling' | 'webhook' = 'idle';
  /** Why the last `getUpdates` failed; empty while polling works. */
  #pollError = '';
  /** When the last `getUpdates` completed (or polling started), epoch ms. */
  #lastPoll = 0;
  /** The longest one `getUpdates` may take: its long poll plus the request timeout, ms. */
  readonly #pollSpanMs: number;

  constructor(options: TelegramAdapterOptions) {
    this.#o = options;
    if (options.pacing !== false) this.capabilities.pacing = TELEGRAM_PACING;
    this.#log = options.log.child({ platform: 'telegram' });
    const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#pollSpanMs = (options.pollTimeoutSeconds ?? POLL_TIMEOUT_SECONDS) * 1000 + requestTimeoutMs;
    const timeouts = (method: string) => (method === 'getUpdates' ? this.#pollSpanMs : requestTimeoutMs);
    this.#bot = new Bot(options.token, {
      client: {
        apiRoot: options.apiRoot,
        fetch: botApiFetch(this.#pool, timeouts),
        // grammY's own timer (default 500 s) bounds a call as a whole, body included.
        timeoutSeconds: Math.ceil((this.#pollSpanMs + requestTimeoutMs) / 1000),
      },
    });
    this.#bot.use(async (ctx) => {
      const migration = telegramMigration(ctx.update);
      if (migration) return this.#migrated(migration);
      const message = normalizeTelegramUpdate(ctx.update, ctx.me);
      if (!message) return;
      if (!this.#receive) throw new Error('telegram adapter is not receiving');
      await this.#receive(message);
    });
    this.#bot.catch((err) => this.#log.error({ err: err.error }, 'telegram update failed'));
    if (options.webhook) {
      const callback = webhookCallback(this.#bot, 'std/http', {
        secretToken: options.webhook.secret,
        onTimeout: 'throw',
        timeoutMilliseconds: 10_000,
      });
      const secret = Buffer.from(options.webhook.secret);
      this.routes.push({
        method: 'POST',
        path: new URL(options.webhook.url).pathname,
        maxBodyBytes: TELEGRAM_MAX_UPDATE_BYTES,
        // A request without the right secret is refused before its body is read.
        screen: (headers) => {
          const given = Buffer.from(headers.get(TELEGRAM_SECRET_HEADER) ?? '');
          if (given.length === secret.length && timingSafeEqual(given, secret)) return undefined;
          this.#log.warn('telegram webhook request refused unread: wrong or no secret');
          return new Response('secret token is wrong', { status: 401 });
        },
        handle: async (request) => {
          try {
            return await callback(request);
          } catch (err) {
            // Not stored: a non-2xx answer makes Telegram deliver the update again.
            this.#log.error({ err }, 'webhook update not stored; Telegram will retry');
            return new Response('not stored, retry later', { status: 503 });
          }
        },
      });
    }
  }

  async init(): Promise<void> {
    // Not `bot.init()`: it retries network errors forever, so a wrong API root would hang start-up.
    this.#bot.botInfo = await connectWithRetry({
      call: () => this.#bot.api.getMe(),
      refused: (err) =>
        err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)
          ? new ConfigError(
              `Telegram refused TELEGRAM_BOT_TOKEN (${err.error_code} ${err.description}): copy the token from @BotFather again`,
            )
          : undefined,
      unreachable: (err) =>
        new ConfigError(`Cannot reach the Telegram Bot API at ${this.#o.apiRoot} (${describe(err)})`),
      log: this.#log,
      retrying: 'telegram getMe failed; retrying',
    });
    this.#log.info({ username: this.#bot.botInfo.username }, 'telegram bot ready');
  }

  async start(inbound: Inbound): Promise<void> {
    this.#receive = inbound.message;
    this.#moveThread = inbound.moved;
    this.#stop = new AbortController();
    await this.#registerMenu(inbound);
    if (this.#o.webhook) {
      await this.#bot.api.setWebhook(this.#o.webhook.url, {
        secret_token: this.#o.webhook.secret,
        allowed_updates: ['message'],
      });
      this.#mode = 'webhook';
      this.#log.info('telegram webhook set');
      return;
    }
    await this.#bot.api.deleteWebhook();
    this.#mode = 'polling';
    this.#lastPoll = Date.now();
    this.#loop = this.#poll(this.#stop.signal);
    this.#log.info('telegram long polling started');
  }

  /**
   * The command menu: everyone sees the commands anyone may use; each admin, in their private chat
   * with the bot, sees all of them. A menu that cannot be set is logged, never fatal.
   */
  async #registerMenu({ menu, adminIds }: Inbound): Promise<void> {
    const commands = (list: readonly MenuCommand[]) =>
      list.map((c) => ({ command: c.name, description: c.description }));
    try {
      await this.#bot.api.setMyCommands(commands(menu.filter((c) => !c.adminOnly)));
    } catch (err) {
      this.#log.warn({ err }, 'telegram command menu not set');
    }
    for (const id of adminIds) {
      try {
        await this.#bot.api.setMyCommands(commands(menu), { scope: { type: 'chat', chat_id: Number(id) } });
      } catch (err) {
        // Telegram knows a private chat only once the admin has written to the bot.
        this.#log.warn(
          { err, admin: id },
          'telegram admin command menu not set (has the admin started the bot?)',
        );
      }
    }
  }

  /**
   * Long polling. The offset sent to `getUpdates` confirms every update below it, so it moves past a
   * batch only after every update in it was stored; updates not yet stored when the bridge stops are
   * delivered again on the next start (and dropped as duplicates if they had been stored).
   */
  async #poll(signal: AbortSignal): Promise<void> {
    let offset = 0;
    let failures = 0;
    const timeout = this.#o.pollTimeoutSeconds ?? POLL_TIMEOUT_SECONDS;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        // grammY types its signal parameter with the abort-controller shim; Node's signal is the same at runtime.
        const abort = signal as unknown as Parameters<Bot['api']['getUpdates']>[1];
        updates = await this.#bot.api.getUpdates({ offset, timeout, allowed_updates: ['message'] }, abort);
        this.#pollError = '';
        this.#lastPoll = Date.now();
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (isTimeout(err)) {
          // Its connection is closed; a fresh one is no load on Telegram, so poll again at once.
          // Health turns red only when polls keep going unanswered (see `health`).
          this.#log.warn(
            { timeoutMs: this.#pollSpanMs },
            'telegram getUpdates got no answer in time; polling again',
          );
          continue;
        }
        failures++;
        this.#pollError = describe(err);
        const conflict = err instanceof GrammyError && err.error_code === 409;
        this.#log.error(
          { err, attempt: failures },
          conflict
            ? 'another process is polling this bot token; only one receiver may poll'
            : 'telegram getUpdates failed',
        );
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), signal);
        continue;
      }
      if (updates.length === 0) continue;
      if (!(await this.#handleBatch(updates, signal))) return;
      offset = (updates.at(-1)?.update_id ?? offset - 1) + 1;
    }
  }

  /**
   * Stores a batch: chats concurrently, each chat's updates in order. The caller confirms the batch
   * only once every update in it is stored. False when stopped before that.
   */
  async #handleBatch(updates: Update[], signal: AbortSignal): Promise<boolean> {
    const handIn = new OrderedHandIn();
    const stored = await Promise.all(
      updates.map((update) =>
        // Once stopped, the rest of a chat's updates wait for the next poll, behind the one not stored.
        handIn.push(
          String(update.message?.chat?.id),
          async () => !signal.aborted && this.#handle(update, signal),
        ),
      ),
    );
    return stored.every(Boolean);
  }

  /** Hands one update in, retrying until it is stored; false when stopped before that. */
  #handle(update: Update, signal: AbortSignal): Promise<boolean> {
    return retryUntilStored(
      () => this.#bot.handleUpdate(update),
      signal,
      (err, attempt) =>
        this.#log.error({ err, updateId: update.update_id, attempt }, 'telegram update not stored; retrying'),
    );
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#receive = undefined;
    this.#moveThread = undefined;
    this.#mode = 'idle';
  }

  async send(address: Address, text: string, options: SendOptions = {}): Promise<void> {
    try {
      await this.#followingMoves(address, async (chat, moved) => {
        // A reply reference or topic of the old group means nothing in the supergroup.
        const params = moved
          ? {}
          : {
              ...(address.thread && { message_thread_id: Number(address.thread) }),
              ...(options.replyTo && {
                reply_parameters: { message_id: Number(options.replyTo), allow_sending_without_reply: true },
              }),
            };
        try {
          await this.#bot.api.sendMessage(chat, text, { ...params, parse_mode: 'HTML' });
        } catch (err) {
          if (!refusedFormatting(err)) throw err;
          // Better unformatted than lost: the same chunk, as the text it shows.
          this.#log.warn({ err }, 'telegram refused the formatting; sending as plain text');
          await this.#bot.api.sendMessage(chat, plainTelegram(text), params);
        }
      });
    } catch (err) {
      throw toPlatformError(err, 'sendMessage');
    }
  }

  /**
   * Runs `call` on the address's chat, or on the supergroup it was upgraded to (`moved`); when Telegram
   * refuses the group for that reason, remembers the move and runs `call` once more there.
   */
  async #followingMoves(
    address: Address,
    call: (chat: string, moved: boolean) => Promise<void>,
  ): Promise<void> {
    const known = this.#moves.get(address.channel);
    try {
      await call(known ?? address.channel, known !== undefined);
    } catch (err) {
      const to = known === undefined ? migratedTo(err) : undefined;
      if (to === undefined) throw err;
      this.#rememberMove(address.channel, to);
      this.#log.info(
        { from: address.channel, to },
        'telegram group was upgraded to a supergroup; sending there',
      );
      await call(to, true);
    }
  }

  #rememberMove(from: string, to: string): void {
    this.#moves.delete(from);
    this.#moves.set(from, to);
    if (this.#moves.size > MAX_REMEMBERED_MOVES) {
      const oldest = this.#moves.keys().next().value;
      if (oldest !== undefined) this.#moves.delete(oldest);
    }
  }

  /** A group was upgraded: sends follow it, and its conversation continues in the supergroup. */
  async #migrated({ from, to }: TelegramMigration): Promise<void> {
    this.#rememberMove(from.chat, to.chat);
    await this.#moveThread?.(from.thread, to.thread);
  }

  /** A private chat's id is the user's id. */
  sendDirect(userId: string, text: string): Promise<void> {
    return this.send({ channel: userId }, text);
  }

  async typing(address: Address): Promise<void> {
    try {
      await this.#followingMoves(address, async (chat, moved) => {
        await this.#bot.api.sendChatAction(chat, 'typing', {
          ...(address.thread && !moved && { message_thread_id: Number(address.thread) }),
        });
      });
    } catch (err) {
      throw toPlatformError(err, 'sendChatAction');
    }
  }

  /** Telegram has no per-message progress mark; the typing indicator says it all. */
  async setWorking(): Promise<void> {}

  async health(): Promise<Health> {
    switch (this.#mode) {
      case 'webhook':
        return { ok: true, detail: 'webhook' };
      case 'polling': {
        if (this.#pollError) return { ok: false, detail: `polling failing: ${this.#pollError}` };
        const since = Date.now() - this.#lastPoll;
        if (since > STALE_POLL_SPANS * this.#pollSpanMs) {
          return { ok: false, detail: `no getUpdates completed for ${Math.round(since / 1000)} s` };
        }
        return { ok: true, detail: 'polling' };
      }
      default:
        return this.#bot.isInited()
          ? { ok: true, detail: 'sending only' }
          : { ok: false, detail: 'not connected' };
    }
  }
}
