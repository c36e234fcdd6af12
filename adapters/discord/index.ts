/**
 * The Discord adapter (discord.js). `init` checks the token over REST and learns the bot's id;
 * `start` connects the gateway and hands every MESSAGE_CREATE to the router, retrying until it is
 * stored (the gateway never delivers a message twice), one channel at a time so order holds; it also
 * registers the slash commands and answers them (`commands.ts`). Sending, direct messages, typing and
 * thread starts go over REST only, so a worker-only process never opens the gateway. REST failures
 * map to `PlatformError` kinds (`rest.ts`); short rate limits discord.js waits out itself. Every REST
 * call has a timeout; a gateway connection whose heartbeats go unacknowledged is closed and resumed
 * by discord.js, and health is red from the first missed acknowledgement until it is resumed.
 */
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  Options,
  Partials,
  REST,
  Routes,
  Status,
} from 'discord.js';
import type {
  Adapter,
  Address,
  Capabilities,
  Health,
  HttpRoute,
  Inbound,
  IncomingMessage,
  Receiver,
  SendOptions,
} from '../../src/core/contract.ts';
import { ConfigError, type PlatformError } from '../../src/core/errors.ts';
import { retryUntilStored, sleep } from '../../src/core/retry.ts';
import type { Logger } from '../../src/logger.ts';
import { loadNotices, type Notices } from '../../src/notices.ts';
import { connectWithRetry } from '../shared/connect.ts';
import { OrderedHandIn } from '../shared/hand-in.ts';
import { DiscordCommands, registerCommands } from './commands.ts';
import { DISCORD_MAX_MESSAGE, discordMarkdown, renderDiscord } from './format.ts';
import {
  type DiscordBotContext,
  type DiscordChannelInfo,
  type DiscordGuildInfo,
  inspectDiscordMessage,
} from './normalize.ts';
import { describe, discordErrorKind, NO_PINGS, toPlatformError } from './rest.ts';

/** Discord shows "typing…" for 10 s; renew a little before. */
const DISCORD_TYPING_RENEW_MS = 8_000;
/** How long one REST call may take before it fails as `transient`, ms. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The gateway's heartbeat interval until its HELLO says otherwise, ms (Discord's, for years). */
const HEARTBEAT_INTERVAL_MS = 41_250;
/** Unhealthy once no heartbeat was acknowledged for this many intervals (discord.js closes at two). */
const STALE_HEARTBEATS = 1.5;
/** Tries of a thread start before answering in the channel instead. */
const THREAD_ATTEMPTS = 3;
/** Discord: "A thread has already been created for this message". */
const THREAD_ALREADY_EXISTS = 160004;
/** Gateway close code for intents the application may not use. */
const DISALLOWED_INTENTS = 4014;
const AUTHENTICATION_FAILED = 4004;
/** Users and guild members discord.js keeps in memory, each. */
const CACHED_PEOPLE = 1_000;
/** DM channel ids remembered for `sendDirect`, by user. */
const CACHED_DM_CHANNELS = 1_000;

export const MESSAGE_CONTENT_HELP =
  'Discord refused the Message Content intent (gateway close 4014 "Disallowed intent(s)"): enable the Message Content intent in the Discord developer portal → your application → Bot → Privileged Gateway Intents, then start again (a bot in 100 or more servers also needs Discord to approve it)';
const TOKEN_HELP =
  'copy the token from the Discord developer portal (your application → Bot → Reset Token) again';

export interface DiscordAdapterOptions {
  /** Bot token. */
  token: string;
  /** REST base URL, e.g. `https://discord.com/api`. */
  apiUrl: string;
  /** Role ids whose mention addresses the bot. */
  mentionRoles: string[];
  /** Channel ids where every message is answered. */
  respondChannels: string[];
  /** Start a thread on a mentioning message. */
  autoThread: boolean;
  /** Logger. */
  log: Logger;
  /** The bridge's notices, for what the slash commands write themselves. Default: the English ones. */
  notices?: Notices;
  /** Longest rate-limit wait discord.js may do inside a send, ms; longer ones become `retryAfterMs`. Default 10 000. */
  maxRateLimitWaitMs?: number;
  /** How long `start` waits for the gateway to be ready, ms. Default 30 000. */
  readyTimeoutMs?: number;
  /** How long one REST call may take before it fails as `transient`, ms. Default 10 000. */
  requestTimeoutMs?: number;
}

export function createDiscordAdapter(options: DiscordAdapterOptions): Adapter {
  return new DiscordAdapter(options);
}

class DiscordAdapter implements Adapter {
  readonly platform = 'discord' as const;
  readonly capabilities: Capabilities = {
    typing: true,
    typingRenewMs: DISCORD_TYPING_RENEW_MS,
    format: discordMarkdown,
    maxMessageLength: DISCORD_MAX_MESSAGE,
  };
  readonly routes: HttpRoute[] = [];
  readonly #o: DiscordAdapterOptions;
  readonly #log: Logger;
  readonly #notices: Notices;
  /** Sends, typing, thread starts: independent of the gateway client, which may never exist. */
  readonly #rest: REST;
  #bot: DiscordBotContext | undefined;
  #client: Client | undefined;
  #receive: Receiver | undefined;
  #commands: DiscordCommands | undefined;
  /** DM channel id by user id, oldest first (a DM channel never changes). */
  readonly #dmChannels = new Map<string, string>();
  #stop = new AbortController();
  /** Each channel's messages, handed in one after another. */
  readonly #handIn = new OrderedHandIn();
  #lastClose: number | undefined;
  /** The gateway's heartbeat interval, from discord.js's debug line about its HELLO, ms. */
  #heartbeatMs = HEARTBEAT_INTERVAL_MS;
  /** When each shard last became ready or resumed, epoch ms. */
  readonly #connectedAt = new Map<number, number>();

  constructor(options: DiscordAdapterOptions) {
    this.#o = options;
    this.#log = options.log.child({ platform: 'discord' });
    this.#notices = options.notices ?? loadNotices('en');
    const maxWait = options.maxRateLimitWaitMs ?? 10_000;
    // retries: 0 — the core retries failed sends with backoff; an immediate resend could post twice.
    this.#rest = new REST({
      api: options.apiUrl,
      retries: 0,
      timeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      rejectOnRateLimit: (limit) => limit.retryAfter > maxWait,
    }).setToken(options.token);
  }

  async init(): Promise<void> {
    const me = await connectWithRetry({
      call: async () => (await this.#rest.get(Routes.user())) as { id: string; username: string },
      refused: (err) =>
        err instanceof DiscordAPIError && err.status === 401
          ? new ConfigError(`Discord refused DISCORD_BOT_TOKEN (401 ${err.message}): ${TOKEN_HELP}`)
          : undefined,
      unreachable: (err) =>
        new ConfigError(`Cannot reach the Discord API at ${this.#o.apiUrl} (${describe(err)})`),
      log: this.#log,
      retrying: 'discord GET /users/@me failed; retrying',
    });
    this.#bot = {
      id: me.id,
      mentionRoles: this.#o.mentionRoles,
      respondChannels: this.#o.respondChannels,
    };
    this.#log.info({ botId: me.id, username: me.username }, 'discord bot ready');
  }

  async start(inbound: Inbound): Promise<void> {
    this.#receive = inbound.message;
    const commands = new DiscordCommands({
      rest: this.#rest,
      command: inbound.command,
      render: (markdown) => renderDiscord(markdown),
      log: this.#log,
      failed: this.#notices.commandFailed,
    });
    this.#commands = commands;
    this.#stop = new AbortController();
    this.#lastClose = undefined;
    this.#connectedAt.clear();
    const client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.MessageContent,
      ],
      partials: [Partials.Channel],
      rest: { api: this.#o.apiUrl, timeout: this.#o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS },
      // Messages are read from the raw payload: cache none, and only a bounded set of their authors.
      makeCache: Options.cacheWithLimits({
        MessageManager: 0,
        UserManager: { maxSize: CACHED_PEOPLE, keepOverLimit: (user) => user.id === user.client.user.id },
        GuildMemberManager: { maxSize: CACHED_PEOPLE, keepOverLimit: (m) => m.id === m.client.user.id },
      }),
      allowedMentions: { parse: [], repliedUser: false },
    });
    client.on(Events.Raw, (packet: { t?: string; d?: unknown }) => {
      if (packet.t === 'MESSAGE_CREATE') this.#onMessage(packet.d);
      else if (packet.t === 'INTERACTION_CREATE') commands.onInteraction(packet.d);
    });
    // While `start` runs, a failure is its rejection (one clear message), not a log line.
    let connected = false;
    client.on(Events.Error, (err) => this.#log.error({ err }, 'discord client error'));
    client.on(Events.ShardError, (err) => {
      if (connected) this.#log.warn({ err }, 'discord gateway connection error');
    });
    client.on(Events.ShardDisconnect, ({ code }) => {
      this.#lastClose = code;
      if (connected) this.#log.error({ code }, 'discord gateway closed and will not reconnect');
    });
    client.on(Events.ShardReconnecting, () => this.#log.warn('discord gateway reconnecting'));
    client.on(Events.ShardResume, (id, replayed) => {
      this.#connectedAt.set(id, Date.now());
      this.#log.info({ replayed }, 'discord gateway resumed');
    });
    client.on(Events.ShardReady, (id) => this.#connectedAt.set(id, Date.now()));
    client.on(Events.Debug, (line) => {
      const interval = /starting to beat every (\d+)ms/.exec(line)?.[1];
      if (interval) this.#heartbeatMs = Number(interval);
    });
    this.#client = client;
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const timeoutMs = this.#o.readyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no READY within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([client.login(this.#o.token), ready]), timeout]);
    } catch (err) {
      this.#client = undefined;
      await client.destroy();
      throw this.#startError(err);
    } finally {
      clearTimeout(timer);
    }
    connected = true;
    this.#log.info({ guilds: client.guilds.cache.size }, 'discord gateway connected');
    // A bot's application id is its user id; READY says so too.
    const applicationId = client.application?.id ?? this.#bot?.id;
    if (applicationId) await registerCommands(this.#rest, applicationId, inbound.menu, this.#log);
  }

  #startError(err: unknown): ConfigError {
    if (this.#lastClose === DISALLOWED_INTENTS) return new ConfigError(MESSAGE_CONTENT_HELP);
    const code = (err as { code?: unknown }).code;
    if (this.#lastClose === AUTHENTICATION_FAILED || code === 'TokenInvalid') {
      return new ConfigError(`Discord refused DISCORD_BOT_TOKEN at the gateway: ${TOKEN_HELP}`);
    }
    return new ConfigError(`Cannot connect to the Discord gateway via ${this.#o.apiUrl} (${describe(err)})`);
  }

  /** Queues one raw MESSAGE_CREATE behind the earlier ones of its channel. */
  #onMessage(raw: unknown): void {
    const d = raw as { channel_id?: unknown; author?: { bot?: unknown } } | undefined;
    if (d?.author?.bot === true) return; // includes our own answers: skip the channel lookup
    const key = typeof d?.channel_id === 'string' ? d.channel_id : '';
    void this.#handIn.push(key, () => this.#handle(raw));
  }

  async #handle(raw: unknown): Promise<void> {
    try {
      const bot = this.#bot;
      if (!bot) throw new Error('discord adapter received a message before init');
      const channel = await this.#channelInfo(raw);
      const inspected = inspectDiscordMessage(raw, bot, channel, this.#guildInfo(raw, bot.id));
      if (!inspected) return;
      let { message } = inspected;
      const explicit = inspected.addressedBy !== null && inspected.addressedBy !== 'channel';
      if (this.#o.autoThread && message.chatType === 'group' && explicit && !inspected.inThread) {
        message = await this.#intoThread(message);
      }
      await this.#deliver(message);
    } catch (err) {
      this.#log.error({ err }, 'discord message could not be handled');
    }
  }

  /** Thread or not, and the parent: from the client's cache, fetched when the channel is unknown. */
  async #channelInfo(raw: unknown): Promise<DiscordChannelInfo | undefined> {
    const d = raw as { channel_id?: unknown; guild_id?: unknown } | undefined;
    const client = this.#client;
    if (typeof d?.guild_id !== 'string' || typeof d.channel_id !== 'string' || !client) return undefined;
    let channel = client.channels.cache.get(d.channel_id) ?? null;
    if (!channel) {
      channel = await client.channels.fetch(d.channel_id).catch((err: unknown) => {
        this.#log.warn({ err, channel: d.channel_id }, 'discord channel lookup failed');
        return null;
      });
    }
    if (!channel) return undefined;
    return channel.isThread()
      ? { isThread: true, parentId: channel.parentId }
      : { isThread: false, parentId: null };
  }

  /** The bot's managed roles in the message's guild, and the cached names of what its text mentions. */
  #guildInfo(raw: unknown, botId: string): DiscordGuildInfo {
    const d = raw as { guild_id?: unknown; content?: unknown; message_snapshots?: unknown } | undefined;
    const client = this.#client;
    if (!client) return {};
    const snapshots = Array.isArray(d?.message_snapshots) ? d.message_snapshots : [];
    const text = [
      d?.content,
      ...snapshots.map((s) => (s as { message?: { content?: unknown } })?.message?.content),
    ]
      .filter((t): t is string => typeof t === 'string')
      .join('\n');
    const channels: Record<string, string> = {};
    for (const [, id = ''] of text.matchAll(/<#(\d{1,20})>/g)) {
      const name = (client.channels.cache.get(id) as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string' && name !== '') channels[id] = name;
    }
    const guild = typeof d?.guild_id === 'string' ? client.guilds.cache.get(d.guild_id) : undefined;
    if (!guild) return { channels };
    const roles: Record<string, string> = {};
    for (const [, id = ''] of text.matchAll(/<@&(\d{1,20})>/g)) {
      const role = guild.roles.cache.get(id);
      if (role) roles[id] = role.name;
    }
    const botRoles = guild.roles.cache.filter((role) => role.tags?.botId === botId).map((role) => role.id);
    return { channels, roles, botRoles };
  }

  /**
   * Starts a thread on the message and moves the conversation there. A thread started from a message
   * has the message's id, so a retry that finds the thread already made (160004) uses that id.
   */
  async #intoThread(message: IncomingMessage): Promise<IncomingMessage> {
    const name = threadName(message);
    for (let attempt = 1; ; attempt++) {
      let threadId: string | undefined;
      try {
        const thread = (await this.#rest.post(Routes.threads(message.address.channel, message.messageId), {
          body: { name, auto_archive_duration: 1440 },
        })) as { id: string };
        threadId = thread.id;
      } catch (err) {
        if (err instanceof DiscordAPIError && err.code === THREAD_ALREADY_EXISTS)
          threadId = message.messageId;
        else if (
          !['transient', 'rate_limited'].includes(discordErrorKind(err)) ||
          attempt === THREAD_ATTEMPTS
        ) {
          this.#log.warn(
            { err, thread: message.thread },
            'discord thread not started; answering in the channel',
          );
          return message;
        } else {
          await sleep(500 * attempt, this.#stop.signal);
          continue;
        }
      }
      return { ...message, thread: `discord:${threadId}`, address: { channel: threadId } };
    }
  }

  /** Hands a message to the router until it is stored; after `stop` only one more try. */
  async #deliver(message: IncomingMessage): Promise<void> {
    const stored = await retryUntilStored(
      async () => {
        if (!this.#receive) throw new Error('discord adapter is not receiving');
        await this.#receive(message);
      },
      this.#stop.signal,
      (err, attempt) =>
        this.#log.error({ err, id: message.id, attempt }, 'discord message not stored; retrying'),
    );
    if (stored) return;
    this.#log.error(
      { id: message.id, thread: message.thread },
      'discord message not stored before stop: lost',
    );
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    client?.removeAllListeners(Events.Raw);
    this.#stop.abort();
    await client?.destroy();
    await this.#handIn.idle();
    await this.#commands?.settle();
    this.#receive = undefined;
    this.#commands = undefined;
  }

  async send(address: Address, text: string, options: SendOptions = {}): Promise<void> {
    // In a thread started from the user's message the thread has that message's id; the message
    // itself lives in the parent channel and cannot be referenced from inside.
    const replyTo = options.replyTo && options.replyTo !== address.channel ? options.replyTo : undefined;
    try {
      await this.#rest.post(Routes.channelMessages(address.channel), {
        body: {
          content: text,
          allowed_mentions: NO_PINGS,
          ...(replyTo && { message_reference: { message_id: replyTo, fail_if_not_exists: false } }),
        },
      });
    } catch (err) {
      throw this.#toPlatformError(err, 'send message');
    }
  }

  async sendDirect(userId: string, text: string): Promise<void> {
    await this.send({ channel: await this.#dmChannel(userId) }, text);
  }

  /** The DM channel with a user, opened once (`POST /users/@me/channels`) and remembered. */
  async #dmChannel(userId: string): Promise<string> {
    const known = this.#dmChannels.get(userId);
    if (known) return known;
    let channel: { id: string };
    try {
      channel = (await this.#rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
        id: string;
      };
    } catch (err) {
      throw this.#toPlatformError(err, 'open DM');
    }
    this.#dmChannels.set(userId, channel.id);
    const oldest = this.#dmChannels.keys().next().value;
    if (this.#dmChannels.size > CACHED_DM_CHANNELS && oldest !== undefined) this.#dmChannels.delete(oldest);
    return channel.id;
  }

  async typing(address: Address): Promise<void> {
    try {
      await this.#rest.post(Routes.channelTyping(address.channel));
    } catch (err) {
      throw this.#toPlatformError(err, 'typing');
    }
  }

  /** Discord has no per-message progress mark; the typing indicator says it all. */
  async setWorking(): Promise<void> {}

  async health(): Promise<Health> {
    const client = this.#client;
    if (!client) {
      return this.#bot ? { ok: true, detail: 'sending only' } : { ok: false, detail: 'not connected' };
    }
    const shards = [...client.ws.shards.values()];
    const waiting = shards.find((shard) => shard.status !== Status.Ready);
    if (shards.length === 0 || waiting) {
      const status = Status[waiting?.status ?? Status.Idle] ?? 'NotReady';
      return { ok: false, detail: `gateway ${status.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase()}` };
    }
    // Ready, but a gateway that stopped acknowledging heartbeats is a zombie until discord.js closes it,
    // which can take its close handshake's 30 s on a dead connection.
    const now = Date.now();
    for (const shard of shards) {
      const since = now - Math.max(shard.lastPingTimestamp, this.#connectedAt.get(shard.id) ?? 0);
      if (since > STALE_HEARTBEATS * this.#heartbeatMs) {
        return { ok: false, detail: `no heartbeat acknowledged for ${Math.round(since / 1000)} s` };
      }
    }
    return { ok: true, detail: 'connected' };
  }

  /** Maps a REST failure; the message never holds the token. */
  #toPlatformError(err: unknown, what: string): PlatformError {
    // discord.js forgets the token after a 401; keep it, so a later send says 401 again.
    if (err instanceof DiscordAPIError && err.status === 401) this.#rest.setToken(this.#o.token);
    return toPlatformError(err, what);
  }
}

/** A thread name from the question: its first line, at most 80 characters. */
function threadName(message: IncomingMessage): string {
  const line = (message.text ?? '').split('\n', 1)[0]?.trim() ?? '';
  const name = line.length > 80 ? `${line.slice(0, 79)}…` : line;
  return name || `Chat with ${message.user.displayName}`.slice(0, 100);
}
