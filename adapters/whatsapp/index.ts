/**
 * The WhatsApp adapter, on Meta's official Cloud API (no SDK: four Graph API calls, `api.ts`).
 * Receives Meta's signed webhook on the bridge's HTTP server (`GET`/`POST /whatsapp/webhook`,
 * `webhook.ts`), answering 200 only once each message is stored. Sends one text message per chunk,
 * paced ahead of Meta's limits (one message every 6 s to a user, with bursts; the number's
 * throughput), shows the working sign by marking the question read with a typing indicator, and
 * maps Graph API refusals to `PlatformError` kinds (`errors.ts`). A send that the API accepted but
 * WhatsApp later reports `failed` (the `statuses` of the webhook) is logged and handed to the core's
 * `Inbound.deliveryFailed`, which counts and remembers it like a refused send. Health is the phone number's own `GET` ("who am I").
 */
import type {
  Adapter,
  Address,
  Capabilities,
  Health,
  HttpRoute,
  Inbound,
  SendOptions,
  SendPacing,
} from '../../src/core/contract.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { Logger } from '../../src/logger.ts';
import { connectWithRetry } from '../shared/connect.ts';
import { GraphClient, type PhoneNumberInfo } from './api.ts';
import { describe, toPlatformError, whatsappErrorKind } from './errors.ts';
import { WHATSAPP_MAX_MESSAGE, type WhatsAppSourceFormat, whatsappDialect } from './format.ts';
import { WHATSAPP } from './normalize.ts';
import type { DeliveryFailure } from './statuses.ts';
import { WHATSAPP_MAX_BODY_BYTES, WhatsAppWebhook } from './webhook.ts';

export type { DeliveryFailure } from './statuses.ts';

/** The path of the webhook's callback URL (`https://<host>/whatsapp/webhook`). */
export const WHATSAPP_WEBHOOK_PATH = '/whatsapp/webhook';
/** A current Graph API version, the default of `WHATSAPP_API_VERSION`. */
export const WHATSAPP_DEFAULT_API_VERSION = 'v23.0';
/** A typing indicator lasts 25 s (or until the answer); renew it a little before. */
const TYPING_RENEW_MS = 20_000;
/** How long one health probe's answer is reused, ms: `/healthz` must not spend the hourly call budget. */
const HEALTH_CACHE_MS = 60_000;
/** Chats whose question's id is remembered for the typing indicator (the oldest is forgotten first). */
const MAX_WORKING = 10_000;

/**
 * Meta's send limits (developers.facebook.com/docs/whatsapp/throughput): a number sends 80 messages
 * a second (inbound, read marks and outbound together), and one message every 6 s to one user, with
 * bursts of up to 45 borrowed from later. Paced at 50 a second, and per user a burst of 10 (an
 * answer of several chunks goes out at once) then one every 6.3 s. There are no group chats.
 */
export const WHATSAPP_PACING: SendPacing = {
  global: { intervalMs: 20, burst: 20 },
  direct: { intervalMs: 6_300, burst: 10 },
  group: { intervalMs: 6_300, burst: 10 },
};

export interface WhatsAppAdapterOptions {
  /** A System User access token with `whatsapp_business_messaging` (`WHATSAPP_ACCESS_TOKEN`). Secret. */
  accessToken: string;
  /** The business phone number's id (`WHATSAPP_PHONE_NUMBER_ID`), not the number itself. */
  phoneNumberId: string;
  /** The Meta app's secret, which signs webhooks (`WHATSAPP_APP_SECRET`). Secret. */
  appSecret: string;
  /** The verify token of the webhook handshake (`WHATSAPP_VERIFY_TOKEN`). Secret. */
  verifyToken: string;
  /** Graph API root without a trailing slash (`WHATSAPP_API_ROOT`). Default `https://graph.facebook.com`. */
  apiRoot?: string;
  /** Graph API version (`WHATSAPP_API_VERSION`). Default `WHATSAPP_DEFAULT_API_VERSION`. */
  apiVersion?: string;
  /** What the agent answers in (`WHATSAPP_FORMAT`): `markdown` (default, rendered) or `whatsapp` (split only). */
  format?: WhatsAppSourceFormat;
  /** Logger (a child with `platform: 'whatsapp'` is made). */
  log: Logger;
  /** How long one Graph API call may take before it fails as `transient`, ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Pace sends before Meta's limits (default true); off for a number upgraded to 1,000 messages/s. */
  pacing?: boolean;
  /** The fetch the Graph API is called with. Default: the global fetch. */
  fetch?: typeof fetch;
}

export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): Adapter {
  return new WhatsAppAdapter(options);
}

class WhatsAppAdapter implements Adapter {
  readonly platform = WHATSAPP;
  readonly capabilities: Capabilities = {
    typing: true,
    typingRenewMs: TYPING_RENEW_MS,
    quoteDirect: true,
    format: whatsappDialect,
    maxMessageLength: WHATSAPP_MAX_MESSAGE,
  };
  readonly routes: HttpRoute[];
  readonly #log: Logger;
  readonly #api: GraphClient;
  #number: PhoneNumberInfo | undefined;
  #inbound: Inbound | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  /** The question being worked on, per chat (user), and when its typing indicator was last shown. */
  readonly #working = new Map<string, { messageId: string; shownAt: number }>();
  #health: { at: number; value: Health } | undefined;

  constructor(options: WhatsAppAdapterOptions) {
    for (const [name, value] of [
      ['WHATSAPP_ACCESS_TOKEN', options.accessToken],
      ['WHATSAPP_APP_SECRET', options.appSecret],
      ['WHATSAPP_VERIFY_TOKEN', options.verifyToken],
    ] as const) {
      if (value === '') throw new ConfigError(`${name} is required`);
    }
    if (!/^\d{1,32}$/.test(options.phoneNumberId)) {
      throw new ConfigError('WHATSAPP_PHONE_NUMBER_ID must be the phone number id (digits), not the number');
    }
    if (options.pacing !== false) this.capabilities.pacing = WHATSAPP_PACING;
    // Answers already in WhatsApp's format are only split.
    if (options.format === 'whatsapp') this.capabilities.format = 'verbatim';
    this.#log = options.log.child({ platform: 'whatsapp' });
    this.#api = new GraphClient({
      apiRoot: options.apiRoot ?? 'https://graph.facebook.com',
      version: options.apiVersion ?? WHATSAPP_DEFAULT_API_VERSION,
      phoneNumberId: options.phoneNumberId,
      accessToken: options.accessToken,
      ...(options.requestTimeoutMs !== undefined && { timeoutMs: options.requestTimeoutMs }),
      ...(options.fetch && { fetch: options.fetch }),
    });
    const webhook = new WhatsAppWebhook({
      appSecret: options.appSecret,
      verifyToken: options.verifyToken,
      phoneNumberId: options.phoneNumberId,
      log: this.#log,
      receiver: () => {
        const inbound = this.#inbound;
        return inbound && ((message) => this.#track(inbound.message(message)));
      },
      failed: (failure) => this.#track(this.#deliveryFailed(failure)),
      claims: () => this.#inbound?.claims,
    });
    this.routes = [
      { method: 'GET', path: WHATSAPP_WEBHOOK_PATH, handle: async (request) => webhook.verify(request) },
      {
        method: 'POST',
        path: WHATSAPP_WEBHOOK_PATH,
        handle: (request) => webhook.handle(request),
        maxBodyBytes: WHATSAPP_MAX_BODY_BYTES,
        screen: (headers) => webhook.screen(headers),
      },
    ];
  }

  async init(): Promise<void> {
    this.#number = await connectWithRetry({
      call: () => this.#api.whoAmI(),
      refused: (err) => {
        const kind = whatsappErrorKind(err);
        if (kind === 'unauthorized') {
          return new ConfigError(
            `WhatsApp refused WHATSAPP_ACCESS_TOKEN (${describe(err)}): create a permanent System User token with whatsapp_business_messaging again`,
          );
        }
        return kind === 'rejected' || kind === 'chat_refused'
          ? new ConfigError(`WhatsApp does not know WHATSAPP_PHONE_NUMBER_ID (${describe(err)})`)
          : undefined;
      },
      unreachable: (err) => new ConfigError(`Cannot reach the Graph API (${describe(err)})`),
      log: this.#log,
      retrying: 'whatsapp phone number lookup failed; retrying',
    });
    const { displayPhoneNumber, verifiedName, qualityRating } = this.#number;
    this.#log.info(
      { number: displayPhoneNumber, name: verifiedName, quality: qualityRating },
      'whatsapp number ready',
    );
  }

  async start(inbound: Inbound): Promise<void> {
    this.#inbound = inbound;
    this.#log.info({ path: WHATSAPP_WEBHOOK_PATH }, 'whatsapp webhook receiving');
  }

  async stop(): Promise<void> {
    this.#inbound = undefined;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #deliveryFailed(failure: DeliveryFailure): Promise<void> {
    const { thread, code, title, kind } = failure;
    this.#log.warn({ thread, code, title, kind }, 'whatsapp reported a sent message as failed');
    const detail = code === undefined ? title : `${code} ${title}`;
    await this.#inbound?.deliveryFailed?.({ thread, kind, detail });
  }

  /** Work `stop` waits for: messages being stored, failures being recorded. */
  async #track(work: Promise<void>): Promise<void> {
    this.#inFlight.add(work);
    try {
      await work;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  /** Sends one chunk to the user (`address.channel`), quoting `replyTo` when given. */
  async send(address: Address, text: string, options: SendOptions = {}): Promise<void> {
    try {
      await this.#api.sendText(address.channel, text, options.replyTo ? { replyTo: options.replyTo } : {});
    } catch (err) {
      throw toPlatformError(err, 'send');
    }
  }

  /** An admin alert: WhatsApp delivers it only within 24 hours of the admin's last message. */
  async sendDirect(userId: string, text: string): Promise<void> {
    await this.send({ channel: userId }, text);
  }

  /** Renews the typing indicator of the question being worked on in this chat, if any. */
  async typing(address: Address): Promise<void> {
    const working = this.#working.get(address.channel);
    if (!working || Date.now() - working.shownAt < TYPING_RENEW_MS / 2) return;
    await this.#markRead(address.channel, working.messageId);
  }

  /** Marks the question read with a typing indicator; the indicator ends with the answer by itself. */
  async setWorking(address: Address, messageId: string, working: boolean): Promise<void> {
    if (!working) {
      this.#working.delete(address.channel);
      return;
    }
    await this.#markRead(address.channel, messageId);
  }

  async #markRead(chat: string, messageId: string): Promise<void> {
    this.#working.delete(chat);
    if (this.#working.size >= MAX_WORKING) this.#working.delete(this.#working.keys().next().value ?? '');
    this.#working.set(chat, { messageId, shownAt: Date.now() });
    try {
      await this.#api.markRead(messageId, { typing: true });
    } catch (err) {
      throw toPlatformError(err, 'mark read');
    }
  }

  /** The phone number's `GET`, at most once a minute. */
  async health(): Promise<Health> {
    if (!this.#number) return { ok: false, detail: 'not connected' };
    const cached = this.#health;
    if (cached && Date.now() - cached.at < HEALTH_CACHE_MS) return cached.value;
    let value: Health;
    try {
      await this.#api.whoAmI();
      value = { ok: true, detail: this.#inbound ? 'webhook' : 'sending only' };
    } catch (err) {
      value = { ok: false, detail: `phone number lookup failed: ${describe(err)}` };
    }
    this.#health = { at: Date.now(), value };
    return value;
  }
}
