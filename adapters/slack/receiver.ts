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
import type { Logger } from '../../src/logger.ts';

/** Longest wait between two tries to open a Socket Mode connection again, ms. */
const MAX_RECONNECT_DELAY_MS = 30_000;
/** The SDK's default ping timeout, which is also its delay before reconnecting, ms. */
const DEFAULT_PING_TIMEOUT_MS = 5_000;

/** Largest request body accepted (Bolt's HTTPReceiver default). */
const BODY_LIMIT = 4 * 1024 * 1024;
/** Requests signed longer ago (or further ahead) than this are refused as replays, s. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

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
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * The Events API over the bridge's own HTTP server: `handle` takes the web-standard request of
 * `POST /slack/events` (JSON events, form-encoded slash commands), does what Bolt's HTTPReceiver does
 * (ssl_check, signature and staleness check, url_verification, retry headers) and answers once the
 * event was processed: 200 with the body the listener acked with, 404 when no listener acked.
 */
export class EventsApiReceiver implements Receiver {
  #app: App | undefined;
  readonly #o: EventsApiReceiverOptions;
  readonly #now: () => number;

  constructor(options: EventsApiReceiverOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.#app = app;
  }

  /** The bridge's HTTP server is already listening; nothing to start. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async handle(request: Request): Promise<Response> {
    if (Number(request.headers.get('content-length') ?? 0) > BODY_LIMIT) return empty(413);
    const raw = await request.text();
    if (raw.length > BODY_LIMIT) return empty(413);
    const form = (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    const params = form ? new URLSearchParams(raw) : undefined;
    // Slack's SSL check for slash commands carries no signature.
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
      // Not stored (the app's error handler logged why): a non-2xx answer makes Slack send it again.
      this.#o.log.debug({ err }, 'slack event not acknowledged');
      return empty(503);
    }
  }

  /** `v0=HMAC-SHA256(secret, "v0:<ts>:<body>")`, with a timestamp within five minutes of now. */
  #signed(raw: string, headers: Headers): boolean {
    const signature = headers.get('x-slack-signature');
    const timestamp = Number(headers.get('x-slack-request-timestamp') ?? Number.NaN);
    const nowMs = this.#now();
    if (!signature || !Number.isSafeInteger(timestamp)) return false;
    // Bolt refuses stale timestamps; refuse ones from the future too.
    if (Math.abs(nowMs / 1000 - timestamp) > MAX_CLOCK_SKEW_SECONDS) return false;
    return isValidSlackRequest({
      signingSecret: this.#o.signingSecret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
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
