/**
 * The Slack adapter (Bolt). Receives the Events API over the bridge's HTTP server (`POST
 * /slack/events`, signed with the signing secret) or over Socket Mode (with an app-level token), and
 * acknowledges an event to Slack only after the router has stored it. Serves the slash command
 * (`commands.ts`). Posts each chunk with `chat.postMessage` into the message's thread (or, for admin
 * alerts, into the user's DM), marks the user's message with a reaction while the agent works, and
 * maps Web API failures to `PlatformError` kinds (`errors.ts`). Every Web API call has a timeout; a
 * Socket Mode connection that stops answering pings is closed by the SDK and opened again by the
 * receiver (`receiver.ts`), and health is red from the moment it stops being open until a new one is.
 */
import { App, type Logger as BoltLogger, LogLevel, webApi } from '@slack/bolt';
import type { Adapter, Address, Capabilities, Health, HttpRoute, Inbound } from '../../src/core/contract.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { Logger } from '../../src/logger.ts';
import { loadNotices, type Notices } from '../../src/notices.ts';
import { connectWithRetry } from '../shared/connect.ts';
import { registerSlashCommand, SLACK_COMMAND_ACK_MS, SLACK_DEFAULT_COMMAND } from './commands.ts';
import { describe, slackErrorKind, toPlatformError } from './errors.ts';
import { renderSlack, SLACK_MAX_MESSAGE, slackMrkdwn } from './format.ts';
import { SlackNameCache } from './names.ts';
import { normalizeSlackEvent, type SlackBotIdentity, slackReferences } from './normalize.ts';
import { EventsApiReceiver, HeldAckSocketModeReceiver, SLACK_MAX_BODY_BYTES } from './receiver.ts';

/** Timeout of one Web API call, ms. */
const API_TIMEOUT_MS = 10_000;
/** How long a Socket Mode connection may leave the client's pings unanswered, ms (the SDK's default). */
const SOCKET_PING_TIMEOUT_MS = 5_000;
/** undici's `WebSocket.OPEN`. */
const WEBSOCKET_OPEN = 1;
/** The path Slack's Event Subscriptions Request URL must point at. */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAdapterOptions {
  /** Bot token (`xoxb-`). */
  botToken: string;
  /** Signing secret (HTTP mode). */
  signingSecret?: string;
  /** App-level token (`xapp-`): Socket Mode. */
  appToken?: string;
  /** Web API base URL with trailing slash. */
  apiUrl: string;
  /** Reaction shown while the agent works; null: none. */
  workingReaction: string | null;
  /** The slash command as created in the app settings (`SLACK_COMMAND`). Default `/aksita`. */
  command?: string;
  /** How long a command's answer may take before `commandWorking` is sent instead, ms. Default 2 500. */
  commandAckMs?: number;
  /** The fetch that posts late command answers to Slack's `response_url`. Default: global fetch. */
  fetch?: typeof fetch;
  /** Logger. */
  log: Logger;
  /** The bridge's notices, for what the slash command writes itself. Default: the English ones. */
  notices?: Notices;
  /** How long one Web API call may take before it fails as `transient`, ms. Default 10 000. */
  requestTimeoutMs?: number;
  /**
   * Socket Mode: how long the connection may leave the client's pings (sent every third of this)
   * unanswered before the SDK closes it, ms; also the first delay before connecting again. Default
   * 5 000.
   */
  socketPingTimeoutMs?: number;
}

/** Whether a failed `auth.test` or `apps.connections.open` may pass on a later try. */
const mayPass = (err: unknown) => ['transient', 'rate_limited'].includes(slackErrorKind(err));

export function createSlackAdapter(options: SlackAdapterOptions): Adapter {
  return new SlackAdapter(options);
}

class SlackAdapter implements Adapter {
  readonly platform = 'slack' as const;
  readonly capabilities: Capabilities = {
    // Slack shows no typing indicator for bots; the working reaction stands in for it.
    typing: false,
    typingRenewMs: 0,
    format: slackMrkdwn,
    maxMessageLength: SLACK_MAX_MESSAGE,
  };
  readonly routes: HttpRoute[] = [];
  readonly #o: SlackAdapterOptions;
  readonly #log: Logger;
  /** The one Web API client of this adapter: `auth.test`, posting, reactions. */
  readonly #web: webApi.WebClient;
  readonly #app: App;
  readonly #socket: HeldAckSocketModeReceiver | undefined;
  /** Names of the people and channels messages mention by id. */
  readonly #names: SlackNameCache;
  #identity: SlackBotIdentity | undefined;
  #inbound: Inbound | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #mode: 'idle' | 'events' | 'socket' = 'idle';
  #socketConnected = false;

  constructor(options: SlackAdapterOptions) {
    this.#o = options;
    this.#log = options.log.child({ platform: 'slack' });
    const logger = boltLogger(this.#log);
    // The core retries posts with backoff and waits out rate limits itself: no hidden retries here.
    const clientOptions: webApi.WebClientOptions = {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.requestTimeoutMs ?? API_TIMEOUT_MS,
      logger,
    };
    this.#web = new webApi.WebClient(options.botToken, clientOptions);
    this.#names = new SlackNameCache({ api: this.#web, log: this.#log });
    let receiver: EventsApiReceiver | HeldAckSocketModeReceiver;
    if (options.appToken) {
      this.#socket = new HeldAckSocketModeReceiver({
        appToken: options.appToken,
        logger,
        clientPingTimeout: options.socketPingTimeoutMs ?? SOCKET_PING_TIMEOUT_MS,
        log: this.#log,
        // The receiver reconnects with backoff; `apps.connections.open` may retry a little.
        installerOptions: { clientOptions: { ...clientOptions, retryConfig: { retries: 2, factor: 1.3 } } },
      });
      this.#socket.client.on('connected', () => {
        this.#socketConnected = true;
      });
      this.#socket.client.on('close', () => {
        if (this.#socketConnected && this.#inbound)
          this.#log.warn('slack socket mode connection lost; reconnecting');
        this.#socketConnected = false;
      });
      receiver = this.#socket;
    } else if (options.signingSecret) {
      const events = new EventsApiReceiver({
        signingSecret: options.signingSecret,
        log: this.#log,
        claims: () => this.#inbound?.claims,
      });
      this.routes.push({
        method: 'POST',
        path: SLACK_EVENTS_PATH,
        handle: (request) => events.handle(request),
        maxBodyBytes: SLACK_MAX_BODY_BYTES,
        screen: (headers) => events.screen(headers),
      });
      receiver = events;
    } else {
      throw new ConfigError('SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) is required');
    }
    this.#app = new App({
      receiver,
      // The identity learned by `init`'s auth.test; Bolt then never calls auth.test itself.
      authorize: async () => {
        if (!this.#identity) throw new Error('the Slack adapter is not initialized');
        const { userId, botId, teamId } = this.#identity;
        return { botToken: options.botToken, botUserId: userId, botId, teamId };
      },
      clientOptions,
      logger,
      convoStore: false,
    });
    const onEvent = async ({ body }: { body: unknown }) => this.#onEvent(body);
    this.#app.event('message', onEvent);
    this.#app.event('app_mention', onEvent);
    registerSlashCommand(this.#app, {
      name: options.command ?? SLACK_DEFAULT_COMMAND,
      ackWithinMs: options.commandAckMs ?? SLACK_COMMAND_ACK_MS,
      notices: options.notices ?? loadNotices('en'),
      handler: () => this.#inbound?.command,
      render: (markdown) => renderSlack(markdown),
      teamId: () => this.#identity?.teamId ?? '',
      track: (work) => {
        this.#track(work).catch((err: unknown) => this.#log.warn({ err }, 'slack background work failed'));
      },
      log: this.#log,
      ...(options.fetch && { fetch: options.fetch }),
    });
    this.#app.error(async (error) => {
      this.#log.error({ err: error }, 'slack event not stored; Slack will deliver it again');
      throw error;
    });
  }

  async init(): Promise<void> {
    const auth = await connectWithRetry({
      call: () => this.#web.auth.test(),
      refused: (err) =>
        err instanceof webApi.WebAPIPlatformError && !mayPass(err)
          ? new ConfigError(
              `Slack refused SLACK_BOT_TOKEN (${describe(err)}): copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page again`,
            )
          : undefined,
      unreachable: (err) =>
        new ConfigError(`Cannot reach the Slack Web API at ${this.#o.apiUrl} (${describe(err)})`),
      log: this.#log,
      retrying: 'slack auth.test failed; retrying',
    });
    this.#identity = { userId: auth.user_id ?? '', botId: auth.bot_id ?? '', teamId: auth.team_id ?? '' };
    this.#log.info({ team: this.#identity.teamId, botUserId: this.#identity.userId }, 'slack bot ready');
  }

  /** Starts receiving messages (to `inbound.message`) and slash commands (to `inbound.command`). */
  async start(inbound: Inbound): Promise<void> {
    this.#inbound = inbound;
    if (!this.#socket) {
      this.#mode = 'events';
      this.#log.info({ path: SLACK_EVENTS_PATH }, 'slack events API receiving');
      return;
    }
    try {
      await this.#app.start();
    } catch (err) {
      this.#inbound = undefined;
      throw new ConfigError(
        err instanceof webApi.WebAPIPlatformError && !mayPass(err)
          ? `Slack refused SLACK_APP_TOKEN (${describe(err)}): create an app-level token with connections:write again`
          : `Cannot open a Slack Socket Mode connection (${describe(err)})`,
      );
    }
    this.#mode = 'socket';
    this.#log.info('slack socket mode connected');
  }

  async stop(): Promise<void> {
    this.#inbound = undefined;
    await this.#socket?.stop();
    await Promise.allSettled([...this.#inFlight]);
    this.#mode = 'idle';
  }

  /** One `message` or `app_mention` event: normalized and handed to the router; resolves once stored. */
  async #onEvent(body: unknown): Promise<void> {
    const inbound = this.#inbound;
    if (!this.#identity || !inbound) throw new Error('the Slack adapter is not receiving');
    const identity = this.#identity;
    const message = normalizeSlackEvent(
      body,
      identity,
      await this.#names.names(slackReferences(body, identity)),
    );
    if (!message) return;
    await this.#track(inbound.message(message));
  }

  /** Work `stop` waits for: messages being stored, command answers being posted. */
  async #track(work: Promise<void>): Promise<void> {
    this.#inFlight.add(work);
    try {
      await work;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  /** Posts one chunk into the thread of the message it answers (`replyTo` is not needed for that). */
  async send(address: Address, text: string): Promise<void> {
    try {
      await this.#web.chat.postMessage({
        channel: address.channel,
        text,
        mrkdwn: true,
        ...(address.thread && { thread_ts: address.thread }),
      });
    } catch (err) {
      throw toPlatformError(err, 'chat.postMessage');
    }
  }

  /**
   * Posts into the user's DM with the app: `chat.postMessage` to a user id opens it (Slack answers
   * with the DM's `D…` channel id).
   */
  async sendDirect(userId: string, text: string): Promise<void> {
    await this.send({ channel: userId }, text);
  }

  /** Slack has no typing indicator for bots. */
  async typing(): Promise<void> {}

  async setWorking(address: Address, messageId: string, working: boolean): Promise<void> {
    const name = this.#o.workingReaction;
    if (name === null) return;
    const args = { channel: address.channel, timestamp: messageId, name };
    try {
      await (working ? this.#web.reactions.add(args) : this.#web.reactions.remove(args));
    } catch (err) {
      const code = err instanceof webApi.WebAPIPlatformError ? err.data.error : undefined;
      if (code === 'already_reacted' || code === 'no_reaction') return;
      throw toPlatformError(err, working ? 'reactions.add' : 'reactions.remove');
    }
  }

  async health(): Promise<Health> {
    if (!this.#identity) return { ok: false, detail: 'not connected' };
    switch (this.#mode) {
      case 'events':
        return { ok: true, detail: 'events API' };
      case 'socket':
        // Open, not only "not yet closed": the SDK closes a connection that stopped answering its
        // pings with a close handshake that can itself wait 30 s for a peer that is gone.
        return this.#socketConnected && this.#socket?.client.websocket?.readyState === WEBSOCKET_OPEN
          ? { ok: true, detail: 'socket mode' }
          : { ok: false, detail: 'socket mode disconnected' };
      default:
        return { ok: true, detail: 'sending only' };
    }
  }
}

/**
 * Bolt's logger interface over pino: Bolt's debug (every HTTP request of its WebClient) goes to
 * trace, its info to debug; warnings and errors stay what they are. Secrets are scrubbed by the root
 * logger like everywhere else.
 */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const write =
    (target: 'trace' | 'debug' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const err = parts.find((part) => part instanceof Error);
      const detail = parts
        .filter((part) => part !== err)
        .map((part) => (typeof part === 'string' ? part : safeStringify(part)))
        .join(' ');
      log[target]({ detail, ...(err !== undefined && { err }) }, 'slack sdk');
    };
  return {
    debug: write('trace'),
    info: write('debug'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
