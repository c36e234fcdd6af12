/**
 * Meta's webhook for the Cloud API, on the bridge's HTTP server. `GET` is the verification handshake
 * (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge` echoed as plain text). `POST` carries
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`: `screen`
 * refuses a request without a well-formed one before its body is read, and `handle` checks it in
 * constant time against the raw bytes before anything in the body is trusted. Meta retries a non-200
 * answer for days, so 200 goes out only once every message of the body is stored (each one dedupes on
 * its `wamid`, so a retry of a half-stored body costs nothing twice) and its `failed` statuses are
 * reported. Meta signs no timestamp: a replayed body is stopped by that same dedupe, and a replayed
 * failure by a claim on its `wamid`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MemoryClaims } from '../../src/core/claims.ts';
import type { Claims, Receiver } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';
import { messageValues, normalizeWhatsAppValue } from './normalize.ts';
import { type DeliveryFailure, deliveryFailures } from './statuses.ts';

/** Largest webhook body read, bytes: Meta batches updates into bodies of up to 3 MB. */
export const WHATSAPP_MAX_BODY_BYTES = 3 * 1024 * 1024;
/** How long a reported failure is remembered against Meta's redeliveries (it retries up to 7 days), s. */
const FAILURE_CLAIM_SECONDS = 7 * 24 * 3600;
/** The signature header, as Fetch's `Headers` name it. */
const SIGNATURE_HEADER = 'x-hub-signature-256';
const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;
/** What a `hub.challenge` may be echoed as: Meta sends a number; nothing else is reflected. */
const CHALLENGE = /^[A-Za-z0-9._-]{1,128}$/;

export interface WebhookOptions {
  /** The Meta app's secret, which signs every POST. Secret. */
  appSecret: string;
  /** The verify token entered in the app's webhook settings. Secret. */
  verifyToken: string;
  /** The business number this bridge answers for; messages to other numbers of the account are skipped. */
  phoneNumberId: string;
  log: Logger;
  /** Where messages go; undefined while the adapter is not receiving (answered 503: Meta retries). */
  receiver: () => Receiver | undefined;
  /** Told once of each sent message that WhatsApp reports failed; resolves once it is recorded. */
  failed: (failure: DeliveryFailure) => Promise<void>;
  /** Claims shared by every process (`Inbound.claims`); undefined: this process's memory. */
  claims?: () => Claims | undefined;
}

export class WhatsAppWebhook {
  readonly #o: WebhookOptions;
  readonly #secret: Buffer;
  readonly #ownClaims = new MemoryClaims();

  constructor(options: WebhookOptions) {
    this.#o = options;
    this.#secret = Buffer.from(options.appSecret, 'utf8');
  }

  /** The `GET` handshake: the challenge back as plain text when the verify token matches, else 403. */
  verify(request: Request): Response {
    const params = new URL(request.url).searchParams;
    const challenge = params.get('hub.challenge') ?? '';
    const token = Buffer.from(params.get('hub.verify_token') ?? '', 'utf8');
    const expected = Buffer.from(this.#o.verifyToken, 'utf8');
    const tokenOk = token.length === expected.length && timingSafeEqual(token, expected);
    if (params.get('hub.mode') !== 'subscribe' || !tokenOk || !CHALLENGE.test(challenge)) {
      this.#o.log.warn('whatsapp webhook verification refused: wrong verify token or mode');
      return new Response(null, { status: 403 });
    }
    this.#o.log.info('whatsapp webhook verified');
    return new Response(challenge, { status: 200, headers: { 'Content-Type': 'text/plain' } });
  }

  /** Refuses, before its body is read, a POST without a well-formed signature header. */
  screen(headers: Headers): Response | undefined {
    if (SIGNATURE.test(headers.get(SIGNATURE_HEADER) ?? '')) return undefined;
    this.#o.log.warn('whatsapp webhook refused unread: no signature');
    return new Response(null, { status: 401 });
  }

  /** One POST, its body already read within its limit by the HTTP server. */
  async handle(request: Request): Promise<Response> {
    const raw = Buffer.from(await request.arrayBuffer());
    if (!this.#signed(raw, request.headers.get(SIGNATURE_HEADER) ?? '')) {
      this.#o.log.warn('whatsapp webhook refused: bad signature');
      return new Response(null, { status: 401 });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return new Response(null, { status: 400 });
    }
    const values = messageValues(body);
    const receive = this.#o.receiver();
    if (!receive) return new Response(null, { status: 503 });
    try {
      for (const value of values) {
        // One at a time, in order: a body may hold several messages of one user.
        for (const message of normalizeWhatsAppValue(value, { phoneNumberId: this.#o.phoneNumberId })) {
          await receive(message);
        }
        for (const failure of deliveryFailures(value)) {
          if (!failure.thread.startsWith(`whatsapp:${this.#o.phoneNumberId}:`)) continue;
          await this.#reportOnce(failure);
        }
      }
    } catch (err) {
      this.#o.log.error({ err }, 'whatsapp webhook not stored; Meta will deliver it again');
      return new Response(null, { status: 503 });
    }
    return new Response(null, { status: 200 });
  }

  /** Reports a failure unless an earlier delivery of it was reported already. */
  async #reportOnce(failure: DeliveryFailure): Promise<void> {
    const claims = this.#o.claims?.() ?? this.#ownClaims;
    const key = `whatsapp:failed:${failure.messageId}`;
    if (!(await claims.claim(key, FAILURE_CLAIM_SECONDS))) return;
    try {
      await this.#o.failed(failure);
    } catch (err) {
      await claims.release(key).catch(() => {});
      throw err;
    }
  }

  /** `sha256=` + hex HMAC-SHA256 of the raw body, compared in constant time. */
  #signed(raw: Buffer, header: string): boolean {
    if (!SIGNATURE.test(header)) return false;
    const given = Buffer.from(header.slice('sha256='.length), 'hex');
    const expected = createHmac('sha256', this.#secret).update(raw).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
