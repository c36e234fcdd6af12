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
 * answered, zombie gateway connections. This file holds the fake's surface (`FakeDiscord`) and its
 * REST routing; the refusals and 429s are in `discord-refusals.ts`, what becomes of a post that passes
 * and of threads in `discord-messages.ts`, Discord's objects in `discord-objects.ts`. No logging; O(1)
 * work per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeGateway, type Identify, Intent, PRIVILEGED_INTENTS } from './discord-gateway.ts';
import {
  ApiError,
  FakeInteractions,
  type InteractionCallback,
  type InteractionEdit,
  type RegisteredCommand,
  readJson,
  type SlashCommandInput,
  writeJson,
} from './discord-interactions.ts';
import {
  ChannelMessages,
  type ChannelRecords,
  type SentDiscordMessage,
  wantsMessage,
  withoutContent,
} from './discord-messages.ts';
import {
  buildUserMessage,
  type Channel,
  channelPayload,
  type Guild,
  guildCreate,
  type Registry,
  Snowflakes,
  type UserMessageInput,
  userPayload,
} from './discord-objects.ts';
import {
  DISCORD_REFUSALS,
  type DiscordSendStep,
  rateHeaders,
  stepError,
  tooLong,
  tooMany,
  unauthorized,
} from './discord-refusals.ts';
import { type Gate, Gates, listen, waitFor } from './http.ts';

export {
  DISCORD_REFUSALS,
  type DiscordSendStep,
  Intent,
  PRIVILEGED_INTENTS,
  type SentDiscordMessage,
  type SlashCommandInput,
  type UserMessageInput,
};

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
  const records: ChannelRecords = { sent: [], threads: [], dmsClosed: new Set() };
  const channelMessages = new ChannelMessages(registry, gateway, records);

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
    if (m) return channelPayload(channelMessages.channelOf(m[1] as string));
    m = /^POST \/channels\/(\d+)\/typing$/.exec(route);
    if (m) {
      channelMessages.channelOf(m[1] as string);
      const refusal = refused.get(m[1] as string);
      if (refusal && 'status' in refusal && refusal.status !== 429) throw stepError(refusal);
      fake.typing.push({ channelId: m[1] as string, at: Date.now() });
      return undefined;
    }
    m = /^POST \/channels\/(\d+)\/messages$/.exec(route);
    if (m) return postMessage(m[1] as string, body, req, res);
    m = /^POST \/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(route);
    if (m) return channelMessages.startThread(m[1] as string, m[2] as string, body);
    fake.unknownRoutes.push(route);
    throw new ApiError(404, 0, '404: Not Found');
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
      tooMany(res, channelId, (until - Date.now()) / 1000, false);
      return HANDLED;
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
        tooMany(res, channelId, step.retryAfter, step.global ?? false);
        return HANDLED;
      }
      throw stepError(step);
    }
    try {
      const message = channelMessages.accept(channelId, body);
      attempt.status = 200;
      return message;
    } catch (err) {
      attempt.status = err instanceof ApiError ? err.status : 500;
      throw err;
    }
  }

  let earlyRetries = 0;
  const fake: FakeDiscord = {
    apiUrl: `${base}/api`,
    gatewayUrl: gateway.url,
    token,
    bot: { id: bot.id, username: bot.username },
    guild: { id: guild.id, channels: named },
    roles,
    sent: records.sent,
    sendAttempts: [],
    get earlyRetries() {
      return earlyRetries;
    },
    typing: [],
    threads: records.threads,
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
    dmsClosed: records.dmsClosed,
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
      channelMessages.openThread(id, channelMessages.channelOf(parentId), name, ids.next());
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
