/**
 * A local fake of Discord that the real discord.js talks to: a REST API under `<url>/api/v10` (reach
 * it with the client's `rest.api` option, `fake.apiUrl`) whose `GET /gateway/bot` points at the
 * WebSocket gateway on the same port (`discord-gateway.ts`). Real envelopes: `Authorization: Bot
 * <token>` or 401; errors as `{message, code}` with Discord's codes (10003, 50006, 50013, 50035,
 * 160004); 429 with `retry_after` in the body and `Retry-After`/`X-RateLimit-*` headers, and a repeat
 * 429 for a request that comes back too early. `userMessage` dispatches realistic MESSAGE_CREATEs;
 * `slashCommand` an INTERACTION_CREATE, answered through the routes of `discord-interactions.ts`
 * (commands, interaction callbacks and edits, DM channels). Faults: scripted or lasting refusals with
 * Discord's status and JSON codes (`DISCORD_REFUSALS`), a revoked token, posts that are never
 * answered, zombie gateway connections. No logging; O(1) work per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildUserMessage,
  type Channel,
  channelPayload,
  FakeGateway,
  type Guild,
  guildCreate,
  type Identify,
  Intent,
  messagePayload,
  PRIVILEGED_INTENTS,
  type Registry,
  Snowflakes,
  type UserMessageInput,
  userPayload,
} from './discord-gateway.ts';
import {
  ApiError,
  FakeInteractions,
  formError,
  type InteractionCallback,
  type InteractionEdit,
  type RegisteredCommand,
  readJson,
  type SlashCommandInput,
  writeJson,
} from './discord-interactions.ts';
import { type Gate, Gates, listen, waitFor } from './http.ts';

export { Intent, PRIVILEGED_INTENTS, type SlashCommandInput, type UserMessageInput };

/** What a `POST /channels/:id/messages` gets (see `FakeDiscord.script`, `failSends`, `refuseChannel`). */
export type DiscordSendStep =
  /** 429 with `retry_after` (seconds, may be fractional); `global` sets `X-RateLimit-Global`. */
  | { status: 429; retryAfter: number; global?: boolean }
  /** A server error (discord.js: `HTTPError`). */
  | { status: 500 | 502 | 503 }
  /** `{message: '401: Unauthorized', code: 0}`, as for a token reset in the developer portal. */
  | { status: 401 }
  /**
   * A refusal `{message, code}` with a Discord JSON error code (default 50035 for 400, 50013 for 403,
   * 10003 for 404) and its message (default: Discord's for that code).
   */
  | { status: 400 | 403 | 404; code?: number; message?: string }
  /** 400 Invalid Form Body (50035) with `content` over 2000 characters (`BASE_TYPE_MAX_LENGTH`). */
  | { contentTooLong: true }
  /** Never answered; the request is dropped when the client goes away. Nothing is posted. */
  | { hold: true }
  /** Destroy the socket without answering (the message is not sent). */
  | { reset: true }
  /** Process normally. */
  | { pass: true };

/** Refusals as Discord answers them, for `script`, `refuseChannel` and `failSends`. */
export const DISCORD_REFUSALS = {
  /** A user who accepts no DMs from the bot (or shares no server with it). */
  cannotDm: { status: 403, code: 50007 },
  missingPermissions: { status: 403, code: 50013 },
  missingAccess: { status: 403, code: 50001 },
  unknownChannel: { status: 404, code: 10003 },
  archivedThread: { status: 400, code: 50083 },
  threadLocked: { status: 403, code: 160005 },
  tooLong: { contentTooLong: true },
  emptyMessage: { status: 400, code: 50006 },
  unauthorized: { status: 401 },
  serverError: { status: 502 },
} as const satisfies Record<string, DiscordSendStep>;

export interface FakeDiscordOptions {
  /** Default `fake-discord-bot-token.Abc123`. */
  token?: string;
  /** Heartbeat interval sent in HELLO, ms. Default 41 250 (Discord's). */
  heartbeatIntervalMs?: number;
  /** Resume window of a dropped session, ms. Default 60 000. */
  resumeWindowMs?: number;
  /** How long an interaction may wait for its first response, ms. Default 3 000 (Discord's). */
  interactionTimeoutMs?: number;
}

/** An accepted message from the bot. */
export interface SentDiscordMessage {
  id: string;
  channelId: string;
  content: string;
  /** The `message_reference` as sent. */
  messageReference?: { message_id?: string; fail_if_not_exists?: boolean };
  /** The message it replies to, when the reference resolved. */
  replyTo?: string;
  /** The `allowed_mentions` as sent. */
  allowedMentions?: { parse?: string[]; replied_user?: boolean };
  /** Whether Discord would ping @everyone/@here for this message (`mention_everyone`). */
  mentionEveryone: boolean;
  at: number;
}

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api`: discord.js's `rest.api`. */
  readonly apiUrl: string;
  /** `ws://127.0.0.1:PORT`: what `GET /gateway/bot` names. */
  readonly gatewayUrl: string;
  readonly token: string;
  /** The bot user (`GET /users/@me`, READY). */
  readonly bot: { id: string; username: string };
  /** The one guild: its id, text channel ids and role ids. */
  readonly guild: { id: string; channels: { general: string; support: string; random: string } };
  /** Role ids: two ordinary roles and the bot's managed role. */
  readonly roles: { helpers: string; other: string; bot: string };
  readonly sent: SentDiscordMessage[];
  /** Every message POST with the status it got (0: reset). */
  readonly sendAttempts: Array<{ channelId: string; status: number; at: number }>;
  /** Sends that came back while their channel was still rate limited (got another 429). */
  readonly earlyRetries: number;
  readonly typing: Array<{ channelId: string; at: number }>;
  readonly threads: Array<{ id: string; parentId: string; name: string; at: number }>;
  readonly identifies: Identify[];
  readonly resumes: Array<{ sessionId: string; replayed: number; at: number }>;
  readonly closes: Array<{ code: number; by: 'server' | 'client' }>;
  /** HEARTBEATs the gateway acknowledged. */
  readonly heartbeatAcks: number;
  /** The application's global commands, as last registered (`PUT /applications/:id/commands`). */
  readonly commands: readonly RegisteredCommand[];
  /** Every interaction callback request, with the status it got (204 accepted). */
  readonly interactionCallbacks: readonly InteractionCallback[];
  /** Accepted edits of interactions' original responses. */
  readonly interactionEdits: readonly InteractionEdit[];
  /** Every `POST /users/@me/channels`, with the DM channel it returned. */
  readonly dmChannels: ReadonlyArray<{ userId: string; channelId: string; at: number }>;
  /** How long an interaction may wait for its first response, ms; later ones get 404 (10062). */
  interactionTimeoutMs: number;
  /** Users who accept no DMs from the bot: posting to their DM channel gets 403 (50007). */
  readonly dmsClosed: Set<string>;
  /** Message POSTs now held unanswered by a `hold` step. */
  readonly heldPosts: number;
  /** REST routes the fake does not implement that a client called (`GET /foo`). */
  readonly unknownRoutes: string[];
  /** True while a gateway connection is identified and open. */
  readonly connected: boolean;
  /** The portal's Message Content switch is off: flags lack it and IDENTIFY with it gets 4014. */
  denyMessageContent: boolean;
  /** False: IDENTIFY with any privileged intent gets 4014 (e.g. a bot in 100+ servers, not approved). */
  privilegedIntentsAllowed: boolean;
  /** Queues one-shot behaviours for the next message POSTs, in order. */
  script(...steps: DiscordSendStep[]): void;
  /** Every message POST (not consumed by a `script` step) gets `step` until `failSends(null)`. */
  failSends(step: DiscordSendStep | null): void;
  /**
   * Every message POST and typing in `channelId` gets `step` until `refuseChannel(channelId, null)`,
   * e.g. `refuseChannel(id, DISCORD_REFUSALS.missingPermissions)`.
   */
  refuseChannel(channelId: string, step: DiscordSendStep | null): void;
  /** From now on every REST call answers 401 `{message: '401: Unauthorized', code: 0}` (the gateway is untouched). */
  revokeToken(): void;
  /**
   * Makes the open gateway connections zombies: no HEARTBEAT_ACK, no dispatches (kept for RESUME).
   * `silent` (default) still answers the client's close frame, so discord.js's zombie check closes and
   * resumes at once; `half-open` reads nothing, as a dead connection, until `dropConnection` cuts it.
   */
  stallGateway(mode?: 'silent' | 'half-open'): void;
  /** Holds message POSTs unanswered until every gate is released. */
  gate(): Gate;
  /** Dispatches a MESSAGE_CREATE from a user; returns its ids. */
  userMessage(input: UserMessageInput): { id: string; channelId: string; guildId?: string };
  /** Dispatches INTERACTION_CREATE for a user's slash command; returns its id and token. */
  slashCommand(input: SlashCommandInput): { id: string; token: string };
  /** A thread a user opened in a guild channel (THREAD_CREATE). */
  createThread(parentId: string, name?: string): string;
  /** Closes the gateway connections from the server side (resumable). */
  dropConnection(code?: number): void;
  /** Contents sent to a channel, in order. */
  sentTo(channelId: string): string[];
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

const unknownChannel = () => new ApiError(404, 10003, 'Unknown Channel');
/** The default JSON error code of a scripted refusal, by status. */
const STEP_CODES: Record<number, number> = { 400: 50035, 403: 50013, 404: 10003 };
/** Discord's messages for the JSON error codes a send may get. */
const CODE_MESSAGES: Record<number, string> = {
  10003: 'Unknown Channel',
  10013: 'Unknown User',
  50001: 'Missing Access',
  50006: 'Cannot send an empty message',
  50007: 'Cannot send messages to this user',
  50013: 'Missing Permissions',
  50035: 'Invalid Form Body',
  50083: 'Thread is archived',
  160005: 'Thread is locked',
};
const MAX_CONTENT = 2000;
const ApplicationFlags = { GatewayMessageContent: 1 << 19, GatewayMessageContentLimited: 1 << 18 };

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-discord-bot-token.Abc123';
  const ids = new Snowflakes();
  const bot = userPayload(ids.next(), 'aksita_bot', 'Aksita', true);
  const guildId = ids.next();
  const roles = { helpers: ids.next(), other: ids.next(), bot: ids.next() };
  const guild: Guild = {
    id: guildId,
    name: 'Test guild',
    roles: new Map([
      [guildId, '@everyone'],
      [roles.helpers, 'Helpers'],
      [roles.other, 'Other'],
      [roles.bot, 'Aksita'],
    ]),
    botRole: roles.bot,
  };
  const named = { general: ids.next(), support: ids.next(), random: ids.next() };
  const channels = new Map<string, Channel>();
  for (const [name, id] of Object.entries(named)) channels.set(id, { id, type: 0, name, guildId });
  const registry: Registry = { ids, bot, guild, channels, messages: new Map(), lastBotMessage: new Map() };
  const gates = new Gates();
  const steps: DiscordSendStep[] = [];
  const limitedUntil = new Map<string, number>();
  let failing: DiscordSendStep | null = null;
  const refused = new Map<string, DiscordSendStep>();
  let revoked = false;
  let heldPosts = 0;

  const server = await listen((req, res) => handle(req, res));
  const base = server.url;
  const gateway = new FakeGateway(server.server, base.replace('http://', 'ws://'), {
    token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    resumeWindowMs: options.resumeWindowMs ?? 60_000,
    ready: () => ({ user: bot, application: { id: bot.id, flags: appFlags() }, guildIds: [guild.id] }),
    guildCreates: () => [guildCreate(registry)],
    disallowedIntents: () =>
      (fake.denyMessageContent ? Intent.MessageContent : 0) |
      (fake.privilegedIntentsAllowed ? 0 : PRIVILEGED_INTENTS),
  });

  const interactions = new FakeInteractions(registry, gateway, () => fake.interactionTimeoutMs);

  function appFlags(): number {
    return fake.denyMessageContent ? 0 : ApplicationFlags.GatewayMessageContentLimited;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const match = /^\/api\/v(?:9|10)(\/.*)$/.exec(url.pathname);
    const route = `${req.method} ${decodeURIComponent(match?.[1] ?? url.pathname)}`;
    try {
      if ((revoked || req.headers.authorization !== `Bot ${token}`) && !FakeInteractions.open(route)) {
        throw unauthorized();
      }
      const body = await readJson(req);
      const result = await dispatch(route, body, req, res);
      if (result === HANDLED) return;
      if (result === undefined) {
        res.writeHead(204, rateHeaders(route)).end();
        return;
      }
      writeJson(
        res,
        req.method === 'POST' && route.endsWith('/threads') ? 201 : 200,
        result,
        rateHeaders(route),
      );
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      writeJson(res, err.status, { message: err.message, code: err.code, ...err.extra });
    }
  }

  const HANDLED = Symbol('handled');

  async function dispatch(
    route: string,
    body: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<unknown> {
    if (route === 'GET /gateway/bot') {
      return {
        url: gateway.url,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      };
    }
    if (route === 'GET /gateway') return { url: gateway.url };
    if (route === 'GET /users/@me') return bot;
    if (route === 'GET /applications/@me' || route === 'GET /oauth2/applications/@me') {
      return { id: bot.id, name: 'Aksita', flags: appFlags(), bot };
    }
    const answered = interactions.route(route, body);
    if (answered) return answered.result;
    let m = /^GET \/channels\/(\d+)$/.exec(route);
    if (m) return channelPayload(channelOf(m[1] as string));
    m = /^POST \/channels\/(\d+)\/typing$/.exec(route);
    if (m) {
      channelOf(m[1] as string);
      const refusal = refused.get(m[1] as string);
      if (refusal && 'status' in refusal && refusal.status !== 429) throw stepError(refusal);
      fake.typing.push({ channelId: m[1] as string, at: Date.now() });
      return undefined;
    }
    m = /^POST \/channels\/(\d+)\/messages$/.exec(route);
    if (m) return postMessage(m[1] as string, body, req, res);
    m = /^POST \/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(route);
    if (m) return startThread(m[1] as string, m[2] as string, body);
    fake.unknownRoutes.push(route);
    throw new ApiError(404, 0, '404: Not Found');
  }

  function channelOf(id: string): Channel {
    const channel = registry.channels.get(id);
    if (!channel) throw unknownChannel();
    return channel;
  }

  async function postMessage(
    channelId: string,
    body: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<unknown> {
    const attempt = { channelId, status: 0, at: Date.now() };
    fake.sendAttempts.push(attempt);
    if (gates.closed) await gates.hold();
    if (server.closed) return HANDLED;
    const until = limitedUntil.get(channelId) ?? 0;
    if (until > Date.now()) {
      earlyRetries++;
      attempt.status = 429;
      return tooMany(res, channelId, (until - Date.now()) / 1000, false);
    }
    const step = steps.shift() ?? failing ?? refused.get(channelId);
    if (step && 'reset' in step) {
      req.socket.destroy();
      return HANDLED;
    }
    if (step && 'hold' in step) {
      heldPosts++;
      res.on('close', () => heldPosts--);
      return HANDLED;
    }
    if (step && 'contentTooLong' in step) {
      attempt.status = 400;
      throw tooLong();
    }
    if (step && 'status' in step) {
      attempt.status = step.status;
      if (step.status === 429) {
        limitedUntil.set(channelId, Date.now() + step.retryAfter * 1000);
        return tooMany(res, channelId, step.retryAfter, step.global ?? false);
      }
      throw stepError(step);
    }
    try {
      const message = acceptMessage(channelId, body);
      attempt.status = 200;
      return message;
    } catch (err) {
      attempt.status = err instanceof ApiError ? err.status : 500;
      throw err;
    }
  }

  function acceptMessage(channelId: string, body: Record<string, unknown>): unknown {
    const channel = channelOf(channelId);
    if (channel.type === 1 && fake.dmsClosed.has(String(channel.recipient?.id))) {
      throw new ApiError(403, 50007, 'Cannot send messages to this user');
    }
    const content = typeof body.content === 'string' ? body.content : '';
    if (content === '') throw new ApiError(400, 50006, 'Cannot send an empty message');
    if (content.length > MAX_CONTENT) throw tooLong();
    const reference = body.message_reference as SentDiscordMessage['messageReference'] | undefined;
    const allowed = body.allowed_mentions as SentDiscordMessage['allowedMentions'] | undefined;
    let replyTo: string | undefined;
    if (reference?.message_id !== undefined) {
      const target = registry.messages.get(String(reference.message_id));
      if (target?.channelId === channelId) replyTo = String(reference.message_id);
      else if (reference.fail_if_not_exists !== false) {
        throw formError('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
      }
    }
    const payload = messagePayload(registry, channel, bot, content);
    const everyone = /@(everyone|here)\b/.test(content);
    const sent: SentDiscordMessage = {
      id: payload.id as string,
      channelId,
      content,
      mentionEveryone: everyone && (allowed === undefined || (allowed.parse ?? []).includes('everyone')),
      at: Date.now(),
      ...(reference && { messageReference: reference }),
      ...(replyTo && { replyTo }),
      ...(allowed && { allowedMentions: allowed }),
    };
    fake.sent.push(sent);
    Object.assign(payload, {
      mention_everyone: sent.mentionEveryone,
      ...(replyTo && {
        type: 19,
        message_reference: { type: 0, message_id: replyTo, channel_id: channelId },
      }),
    });
    registry.lastBotMessage.set(channelId, payload);
    gateway.dispatch('MESSAGE_CREATE', (intents) => (wantsMessage(intents, channel) ? payload : null));
    return payload;
  }

  function stepError(step: Exclude<Extract<DiscordSendStep, { status: number }>, { status: 429 }>): ApiError {
    if (step.status === 401) return unauthorized();
    if (step.status >= 500) return new ApiError(step.status, 0, `${step.status}: Server Error`);
    const refusal: { status: number; code?: number; message?: string } = step;
    const code = refusal.code ?? STEP_CODES[refusal.status] ?? 0;
    return new ApiError(refusal.status, code, refusal.message ?? CODE_MESSAGES[code] ?? 'Error');
  }

  function startThread(channelId: string, messageId: string, body: Record<string, unknown>): unknown {
    const parent = channelOf(channelId);
    if (parent.type !== 0 && parent.type !== 5) {
      throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    }
    if (registry.messages.get(messageId)?.channelId !== channelId)
      throw new ApiError(404, 10008, 'Unknown Message');
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.length < 1 || name.length > 100) {
      throw formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (registry.channels.has(messageId)) {
      throw new ApiError(400, 160004, 'A thread has already been created for this message');
    }
    // A thread started from a message has the message's id.
    return openThread(messageId, parent, name, bot.id);
  }

  function openThread(id: string, parent: Channel, name: string, ownerId: string): unknown {
    const thread: Channel = { id, type: 11, name, guildId: parent.guildId, parentId: parent.id, ownerId };
    registry.channels.set(id, thread);
    fake.threads.push({ id, parentId: parent.id, name, at: Date.now() });
    const payload = channelPayload(thread);
    gateway.dispatch('THREAD_CREATE', (intents) =>
      intents & Intent.Guilds ? { ...payload, newly_created: true } : null,
    );
    return payload;
  }

  function tooMany(res: ServerResponse, channelId: string, retryAfter: number, global: boolean): symbol {
    const seconds = Math.max(0, Math.round(retryAfter * 1000) / 1000);
    const headers: Record<string, string> = {
      'Retry-After': String(Math.max(1, Math.ceil(seconds))),
      'X-RateLimit-Limit': '5',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String((Date.now() + seconds * 1000) / 1000),
      'X-RateLimit-Reset-After': String(seconds),
      'X-RateLimit-Bucket': bucketOf(`POST /channels/${channelId}/messages`),
      'X-RateLimit-Scope': global ? 'global' : 'user',
      ...(global && { 'X-RateLimit-Global': 'true' }),
    };
    writeJson(res, 429, { message: 'You are being rate limited.', retry_after: seconds, global }, headers);
    return HANDLED;
  }

  let earlyRetries = 0;
  const fake: FakeDiscord = {
    apiUrl: `${base}/api`,
    gatewayUrl: gateway.url,
    token,
    bot: { id: bot.id, username: bot.username },
    guild: { id: guild.id, channels: named },
    roles,
    sent: [],
    sendAttempts: [],
    get earlyRetries() {
      return earlyRetries;
    },
    typing: [],
    threads: [],
    identifies: gateway.identifies,
    resumes: gateway.resumes,
    closes: gateway.closes,
    get heartbeatAcks() {
      return gateway.heartbeatAcks;
    },
    commands: interactions.commands,
    interactionCallbacks: interactions.callbacks,
    interactionEdits: interactions.edits,
    dmChannels: interactions.dmChannels,
    interactionTimeoutMs: options.interactionTimeoutMs ?? 3_000,
    dmsClosed: new Set(),
    get heldPosts() {
      return heldPosts;
    },
    unknownRoutes: [],
    get connected() {
      return gateway.connected;
    },
    denyMessageContent: false,
    privilegedIntentsAllowed: true,
    script: (...more) => {
      steps.push(...more);
    },
    failSends: (step) => {
      failing = step;
    },
    refuseChannel: (channelId, step) => {
      if (step) refused.set(channelId, step);
      else refused.delete(channelId);
    },
    revokeToken: () => {
      revoked = true;
    },
    stallGateway: (mode = 'silent') => gateway.stall(mode),
    gate: () => gates.gate(),
    userMessage(input) {
      const { payload, channel } = buildUserMessage(registry, input);
      gateway.dispatch('MESSAGE_CREATE', (intents) => {
        if (!wantsMessage(intents, channel)) return null;
        return intents & Intent.MessageContent ? payload : withoutContent(payload, channel, bot.id);
      });
      const id = payload.id as string;
      return { id, channelId: channel.id, ...(channel.guildId && { guildId: channel.guildId }) };
    },
    slashCommand: (input) => interactions.slashCommand(input),
    createThread(parentId, name = 'A user thread') {
      const id = ids.next();
      openThread(id, channelOf(parentId), name, ids.next());
      return id;
    },
    dropConnection: (code) => gateway.drop(code),
    sentTo: (channelId) => fake.sent.filter((s) => s.channelId === channelId).map((s) => s.content),
    waitFor,
    async close() {
      gates.releaseAll();
      await gateway.close();
      await server.close();
    },
  };
  return fake;
}

const unauthorized = () => new ApiError(401, 0, '401: Unauthorized');
const tooLong = () =>
  formError('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);

/** The intent a session needs to get a message in this channel. */
function wantsMessage(intents: number, channel: Channel): boolean {
  return (intents & (channel.guildId ? Intent.GuildMessages : Intent.DirectMessages)) !== 0;
}

/** What a bot without the Message Content intent gets: no content unless it is a DM or mentions it. */
function withoutContent(payload: Record<string, unknown>, channel: Channel, botId: string) {
  const mentions = payload.mentions as Array<{ id: string }>;
  if (!channel.guildId || mentions.some((u) => u.id === botId)) return payload;
  return { ...payload, content: '', attachments: [], embeds: [] };
}

function rateHeaders(route: string): Record<string, string> {
  return {
    'X-RateLimit-Limit': '50',
    'X-RateLimit-Remaining': '49',
    'X-RateLimit-Reset-After': '1',
    'X-RateLimit-Bucket': bucketOf(route),
  };
}

/** Like Discord, one bucket hash per route shape (the channel is the major parameter, not the hash). */
function bucketOf(route: string): string {
  return `fake-${route.replace(/\d+/g, 'id').replace(/\W+/g, '-')}`;
}
