/**
 * Bolt receivers that acknowledge an event to Slack only once the bridge has stored it (and a slash
 * command once its listener acked, with the answer as the HTTP response body or the ack's payload).
 * Bolt's own `App.processEvent` calls `ack()` for Events API envelopes *before* it runs the
 * listeners, and its receivers answer Slack on that call; here `ack()` only records the answer, which
 * goes out after `processEvent` resolved (the listeners, and so the router, are done). A listener
 * failure answers non-2xx (HTTP) or leaves the envelope unacknowledged (Socket Mode), and Slack
 * delivers it again. The Socket Mode receiver also reconnects by itself, for as long as it runs.
 */
import {
  type App,
  isValidSlackRequest,
  type Receiver,
  type ReceiverEvent,
  SocketModeReceiver,
} from '@slack/bolt';
import { MemoryClaims } from '../../src/core/claims.ts';
import type { Claims } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';

/** Longest wait between two tries to open a Socket Mode connection again, ms. */
const MAX_RECONNECT_DELAY_MS = 30_000;
/** The SDK's default ping timeout, which is also its delay before reconnecting, ms. */
const DEFAULT_PING_TIMEOUT_MS = 5_000;

/**
 * Largest request body read, bytes. Slack's events and slash commands are a few kilobytes (a message
 * holds at most 40,000 characters); Bolt's HTTPReceiver allows 4 MiB.
 */
export const SLACK_MAX_BODY_BYTES = 1024 * 1024;
/** Requests signed longer ago (or further ahead) than this are refused as replays, s. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/**
 * How long a signature is remembered, s: a request is accepted from 5 minutes before its timestamp
 * to 5 minutes after it, so a signature first seen at either end stays valid for up to 10 minutes.
 */
export const SLACK_REPLAY_WINDOW_SECONDS = 2 * MAX_CLOCK_SKEW_SECONDS;

/** What the listeners answered: `acked` false when nothing called `ack()` (no listener for the payload). */
export type HeldAck = { acked: false } | { acked: true; response: unknown };

/** Runs one event through Bolt, holding its `ack()` back; rejects when a listener failed. */
export async function processHoldingAck(app: App, event: Omit<ReceiverEvent, 'ack'>): Promise<HeldAck> {
  let held: HeldAck = { acked: false };
  await app.processEvent({
    ...event,
    ack: async (response?: unknown) => {
      if (held.acked) throw new Error('ack() was called more than once');
      held = { acked: true, response };
    },
  });
  return held;
}

export interface EventsApiReceiverOptions {
  /** The app's signing secret. Secret. */
  signingSecret: string;
  log: Logger;
  /**
   * The claims shared by every process of the bridge (`Inbound.claims`); undefined (not receiving,
   * or none given): the receiver keeps its claims in its own memory.
   */
  claims?: () => Claims | undefined;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * The Events API over the bridge's own HTTP server: `handle` takes the web-standard request of
 * `POST /slack/events` (JSON events, form-encoded slash commands), does what Bolt's HTTPReceiver does
 * (ssl_check, signature and staleness check, url_verification, retry headers) and answers once the
 * event was processed: 200 with the body the listener acked with, 404 when no listener acked.
 * `screen` refuses a request without fresh signature headers before its body is read (the HTTP
 * server calls it), and an exact replay of a signed request (its signature seen within
 * `SLACK_REPLAY_WINDOW_SECONDS`) is answered 200 and not processed again: Slack signs each delivery
 * anew, its retries included, so only a copy of a request can carry a signature seen before.
 */
export class EventsApiReceiver implements Receiver {
  #app: App | undefined;
  readonly #o: EventsApiReceiverOptions;
  readonly #now: () => number;
  /** The claims used when no shared ones are given. */
  readonly #ownClaims: Claims;

  constructor(options: EventsApiReceiverOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#ownClaims = new MemoryClaims(this.#now);
  }

  init(app: App): void {
    this.#app = app;
  }

  /** The bridge's HTTP server is already listening; nothing to start. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Refuses, before its body is read, a request without a signature or with a stale timestamp. */
  screen(headers: Headers): Response | undefined {
    const signature = headers.get('x-slack-signature');
    const timestamp = Number(headers.get('x-slack-request-timestamp') ?? Number.NaN);
    if (signature?.startsWith('v0=') && this.#fresh(timestamp)) return undefined;
    this.#o.log.warn('slack request refused unread: no signature or a stale timestamp');
    return empty(401);
  }

  /** Takes the web-standard request as the HTTP server hands it over, its body already read. */
  async handle(request: Request): Promise<Response> {
    const raw = await request.text();
    const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    const params = form ? new URLSearchParams(raw) : undefined;
    // Slack's SSL check of a slash command's URL: nothing to process.
    if (params?.get('ssl_check') === '1') return empty(200);
    if (!this.#signed(raw, request.headers)) {
      this.#o.log.warn('slack request refused: bad signature or stale timestamp');
      return empty(401);
    }
    const body = parseBody(raw, params);
    if (body === undefined) return empty(400);
    if (body.type === 'url_verification') return Response.json({ challenge: body.challenge });
    const app = this.#app;
    if (!app) return empty(503);
    const claims = this.#o.claims?.() ?? this.#ownClaims;
    const replayKey = `slack:${request.headers.get('x-slack-signature')}`;
    if (!(await claims.claim(replayKey, SLACK_REPLAY_WINDOW_SECONDS))) {
      this.#o.log.warn('slack request replayed: answered, not processed again');
      return empty(200);
    }
    const retryNum = Number.parseInt(request.headers.get('x-slack-retry-num') ?? '', 10);
    const retryReason = request.headers.get('x-slack-retry-reason');
    try {
      const held = await processHoldingAck(app, {
        body,
        ...(Number.isSafeInteger(retryNum) && { retryNum }),
        ...(retryReason && { retryReason }),
      });
      return held.acked ? ackResponse(held.response) : empty(404);
    } catch (err) {
      // Not stored (the app's error handler logged why): a non-2xx answer makes Slack send it again,
      // with the same signature when within the same second.
      this.#o.log.debug({ err }, 'slack event not acknowledged');
      await claims.release(replayKey).catch((releaseErr: unknown) => {
        this.#o.log.warn({ err: releaseErr }, 'slack replay claim not released');
      });
      return empty(503);
    }
  }

  /** `v0=HMAC-SHA256(secret, "v0:<ts>:<body>")`, with a timestamp within five minutes of now. */
  #signed(raw: string, headers: Headers): boolean {
    const signature = headers.get('x-slack-signature');
    const timestamp = Number(headers.get('x-slack-request-timestamp') ?? Number.NaN);
    const nowMs = this.#now();
    if (!signature || !this.#fresh(timestamp)) return false;
    return isValidSlackRequest({
      signingSecret: this.#o.signingSecret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
  }

  /** A whole number of seconds within five minutes of now: Bolt refuses stale ones, this future ones too. */
  #fresh(timestamp: number): boolean {
    return (
      Number.isSafeInteger(timestamp) && Math.abs(this.#now() / 1000 - timestamp) <= MAX_CLOCK_SKEW_SECONDS
    );
  }
}

/**
 * Bolt's SocketModeReceiver, with the acknowledgement of each envelope held until the listeners
 * finished; an envelope whose listener failed stays unacknowledged and Slack redelivers it.
 *
 * It reconnects a lost connection itself rather than leave that to the SDK, which gives up for good
 * (with an unhandled rejection) when `apps.connections.open` cannot reach Slack at that moment, the
 * likely case when a connection was lost to a network outage. It tries again after the ping timeout,
 * then after twice that, and so on up to 30 s, until connected or stopped.
 */
export class HeldAckSocketModeReceiver extends SocketModeReceiver {
  readonly #log: Logger;
  readonly #retryMs: number;
  #running = false;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: ConstructorParameters<typeof SocketModeReceiver>[0] & { log: Logger }) {
    const { log, ...rest } = options;
    super({ ...rest, autoReconnectEnabled: false, processEventErrorHandler: async () => false });
    this.#log = log;
    this.#retryMs = rest.clientPingTimeout ?? DEFAULT_PING_TIMEOUT_MS;
    this.client.on('connected', () => {
      this.#failures = 0;
    });
    // Without auto-reconnect, the SDK reports every closed connection as `disconnected`.
    this.client.on('disconnected', () => this.#reconnectLater());
  }

  override async start(): ReturnType<SocketModeReceiver['start']> {
    const opened = await super.start();
    this.#running = true;
    return opened;
  }

  /** Resolves once the connection is closed (Bolt's own `stop` does not wait for it). */
  override async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.client.disconnect();
  }

  #reconnectLater(): void {
    if (!this.#running || this.#retry) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, this.#retryMs * 2 ** Math.min(this.#failures, 10));
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#running) return;
      this.client.start().catch((err: unknown) => {
        this.#failures++;
        this.#log.warn({ err, attempt: this.#failures }, 'slack socket mode reconnect failed; retrying');
        this.#reconnectLater();
      });
    }, delay);
  }

  override init(app: App): void {
    // The receiver only ever calls `processEvent` on the app it is given.
    const holding = {
      processEvent: async (event: ReceiverEvent) => {
        const held = await processHoldingAck(app, event);
        if (held.acked) await event.ack(held.response);
      },
    };
    super.init(holding as unknown as App);
  }
}

/** A JSON body, or the `payload` of a form (interactivity), or the form's fields (slash commands). */
function parseBody(raw: string, params: URLSearchParams | undefined): Record<string, unknown> | undefined {
  try {
    const payload = params?.get('payload');
    const parsed: unknown =
      params === undefined || payload !== null ? JSON.parse(payload ?? raw) : Object.fromEntries(params);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function ackResponse(response: unknown): Response {
  if (response === undefined || response === null || response === '') return empty(200);
  if (typeof response === 'string') return new Response(response, { status: 200 });
  return Response.json(response);
}

function empty(status: number): Response {
  return new Response(null, { status });
}
