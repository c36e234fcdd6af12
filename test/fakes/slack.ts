/**
 * A local fake of Slack for the real Bolt: a Web API server reached through the WebClient's
 * `slackApiUrl` (`POST <apiUrl><method>`, form or JSON parameters, `Authorization: Bearer <token>`,
 * answers `{ok:true,…}` or `{ok:false,error}` with HTTP 200, and 429 + `Retry-After` for
 * `ratelimited`), an Events API sender that builds real `event_callback` envelopes and signs them
 * with the signing secret, slash commands sent the same way (form-encoded) with a `response_url`
 * endpoint that records the late answers, and a Socket Mode endpoint (`apps.connections.open` + a
 * WebSocket that says hello, delivers envelopes and takes acks). `chat.postMessage` to a user id posts
 * into that user's DM with the app, as Slack does. Faults: scripted or lasting refusals with Slack's
 * error codes, `msg_too_long` above `maxTextLength`, a revoked token, posts that are never answered,
 * Socket Mode connections that go silent or half-open. No logging; O(1) work per request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Gate, Gates, listen, readBody, sendJson, sendRaw, waitFor } from './http.ts';
import {
  defaultSlackOptions,
  eventBuilders,
  eventsApiMessage,
  type FakeSlackOptions,
  type Params,
  parseParams,
  type SendOptions,
  type SlackEvent,
  type SlackEventBuilders,
  type SlashCommandInput,
  safeJson,
  signedHeaders,
  slackClock,
  slashCommandsMessage,
  slashPayload,
  urlVerificationBody,
} from './slack-wire.ts';

export { slackSignature } from './slack-wire.ts';
export type { FakeSlackOptions, SendOptions, SlackEvent, SlackEventBuilders, SlashCommandInput };

/** What a `chat.postMessage` call gets (see `FakeSlack.script`, `failSends`, `refuseChannel`). */
export type PostStep =
  /** HTTP 429, `Retry-After: <seconds>`, `{ok:false, error:'ratelimited'}`; nothing is posted. */
  | { ratelimited: number }
  /** `{ok:false, error}` with HTTP 200, as Slack answers refusals. */
  | { error: string }
  /** This HTTP status with a plain body (a 5xx of Slack's edge). */
  | { status: number }
  /** Never answered; the request is dropped when the client goes away. Nothing is posted. */
  | { hold: true }
  /** Destroy the socket without answering (the message is not posted). */
  | { reset: true }
  /** Process normally. */
  | { pass: true };

/** A message the bot posted. */
export interface Posted {
  /** The channel it landed in: a user's DM channel (`D…`) when it was posted to a user id. */
  channel: string;
  /** The user id it was posted to (`chat.postMessage` with `channel: U…`), when it was. */
  toUser?: string;
  text: string;
  threadTs?: string;
  mrkdwn?: boolean;
  ts: string;
  /** Order among every recorded post and reaction. */
  seq: number;
  at: number;
}

/** A reactions.add / reactions.remove call and what Slack answered (`ok` or the error code). */
export interface ReactionCall {
  action: 'add' | 'remove';
  channel: string;
  timestamp: string;
  name: string;
  outcome: string;
  seq: number;
  at: number;
}

/** A POST to a slash command's `response_url`. */
export interface CommandResponse {
  /** The `response_url` it went to. */
  url: string;
  /** The JSON body (`{ response_type, text }`). */
  body: Record<string, unknown>;
  at: number;
}

export interface FakeSlack extends FakeSlackOptions, SlackEventBuilders {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The Web API base for `slackApiUrl` / `SLACK_API_URL`, with a trailing slash. */
  readonly apiUrl: string;
  /** Messages the bot posted, in order. */
  readonly posted: Posted[];
  /** Every chat.postMessage request: the HTTP status and Slack error answered. */
  readonly postAttempts: Array<{ status: number; error?: string; at: number }>;
  /** Every reactions call, in order. */
  readonly reactions: ReactionCall[];
  /** Display names `users.info` answers with, by user id; any other id gets `user_not_found`. */
  readonly users: Map<string, string>;
  /** Names `conversations.info` answers with, by channel id; any other id gets `channel_not_found`. */
  readonly channels: Map<string, string>;
  /** Number of calls per Web API method. */
  readonly calls: Map<string, number>;
  /** Socket Mode envelope ids the client acknowledged. */
  readonly socketAcks: string[];
  /** The payload of each Socket Mode ack by envelope id (`{}` for a plain ack; a command's answer). */
  readonly socketAckPayloads: Map<string, unknown>;
  /** Every POST to a `response_url` of this fake, in order. */
  readonly responses: CommandResponse[];
  /** Texts posted into the DM of `userId`, whether addressed by user id or by DM channel id. */
  dmsTo(userId: string): string[];
  /** Texts posted in `channel` (and, when given, in the thread `threadTs`). */
  postedTo(channel: string, threadTs?: string): string[];
  /** The bot's reactions currently on a message. */
  reactionsOn(channel: string, ts: string): string[];
  /** Queues one-shot behaviours for the next chat.postMessage calls, in order. */
  script(...steps: PostStep[]): void;
  /**
   * Every chat.postMessage (not consumed by a `script` step) gets `step` until `failSends(null)`:
   * e.g. `{ error: 'is_archived' }` for all, `{ status: 503 }` for an outage.
   */
  failSends(step: PostStep | null): void;
  /**
   * Every chat.postMessage to `channel` (as the client names it: a channel id, or a user id for a DM)
   * gets `step` until `refuseChannel(channel, null)`, e.g. `{ error: 'not_in_channel' }`.
   */
  refuseChannel(channel: string, step: PostStep | null): void;
  /**
   * From now on every Web API call with the bot token answers `{ok: false, error}`
   * (`token_revoked`, `invalid_auth`, `account_inactive`, `token_expired`); `null` accepts it again.
   */
  revokeToken(error?: string | null): void;
  /** Cuts the connection of the next `count` calls of Web API `method` without an answer (a network failure). */
  resetCalls(method: string, count?: number): void;
  /** Longest `text` chat.postMessage accepts; longer gets `msg_too_long`. Default 40 000 (Slack's). */
  maxTextLength: number;
  /** chat.postMessage requests now held unanswered by a `hold` step. */
  readonly heldPosts: number;
  /** Holds every chat.postMessage until all gates are released. */
  gate(): Gate;
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Signs and POSTs the envelope of `event` to `url`; resolves with the HTTP status. */
  sendEvent(url: string, event: SlackEvent, options?: SendOptions): Promise<number>;
  /** Signs and POSTs any raw body as JSON to `url`. */
  post(url: string, body: string, options?: SendOptions): Promise<Response>;
  /** The form fields of a slash command request (also the Socket Mode payload). */
  slashPayload(input: SlashCommandInput): Record<string, string>;
  /**
   * Signs and POSTs a slash command to `url` as Slack does (form-encoded); resolves with the HTTP
   * status and the parsed JSON body (`null` when empty or not JSON).
   */
  slashCommand(
    url: string,
    input: SlashCommandInput,
    options?: SendOptions,
  ): Promise<{ status: number; body: Record<string, unknown> | null; responseUrl: string }>;
  /** Delivers a slash command over Socket Mode (`slash_commands`); returns its envelope id. */
  socketCommand(input: SlashCommandInput): { envelopeId: string; responseUrl: string };
  /** Sends Slack's `url_verification` challenge. */
  urlVerification(url: string, challenge: string): Promise<{ status: number; body: string }>;
  /** Whether a Socket Mode client is connected (hello sent) on a connection that is not stalled. */
  readonly socketConnected: boolean;
  /**
   * Stalls the open Socket Mode connections: nothing more is delivered over them and the client's
   * pings get no pong. `silent` still answers the client's close frame, as a server that stopped
   * serving the connection; `half-open` (default) reads nothing at all, as a connection that died
   * without a FIN. `dropSockets` ends them; new connections work normally.
   */
  stallSockets(mode?: 'silent' | 'half-open'): void;
  /** Delivers `event` over Socket Mode to every connected client; returns its envelope id (see `socketAcks`). */
  socketEvent(event: SlackEvent, options?: { retryNum?: number }): string;
  /** Drops every Socket Mode connection (the client reconnects through apps.connections.open). */
  dropSockets(): void;
  close(): Promise<void>;
}

/** Starts a fake Slack on 127.0.0.1 (random port). */
export async function startFakeSlack(options: Partial<FakeSlackOptions> = {}): Promise<FakeSlack> {
  const o = { ...defaultSlackOptions, ...options };
  const steps: PostStep[] = [];
  const gates = new Gates();
  const onMessage = new Map<string, Set<string>>();
  const sockets = new Set<WebSocket>();
  const rawSockets = new Map<WebSocket, Duplex>();
  const stalled = new Set<WebSocket>();
  const live = () => [...sockets].filter((ws) => !stalled.has(ws));
  // Pongs are answered by hand, so that a stalled connection can leave pings unanswered.
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  let failing: PostStep | null = null;
  const refused = new Map<string, PostStep>();
  let tokenError: string | null = null;
  let heldPosts = 0;
  const resets = new Map<string, number>();
  const nextTs = slackClock();
  let seq = 0;
  let responseUrls = 0;

  const methods: Record<string, (p: Params, res: ServerResponse) => Promise<unknown> | unknown> = {
    'auth.test': () => ({
      url: 'https://fake-team.slack.com/',
      team: 'Fake Team',
      user: 'aksita',
      team_id: o.teamId,
      user_id: o.botUserId,
      bot_id: o.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': postMessage,
    'reactions.add': (p) => react('add', p),
    'reactions.remove': (p) => react('remove', p),
    'users.info': (p) => {
      const name = fake.users.get(p.user ?? '');
      if (name === undefined) return { ok: false, error: 'user_not_found' };
      return {
        user: {
          id: p.user,
          name: name.toLowerCase(),
          real_name: name,
          profile: { display_name: name, real_name: name },
        },
      };
    },
    'conversations.info': (p) => {
      const name = fake.channels.get(p.channel ?? '');
      return name === undefined
        ? { ok: false, error: 'channel_not_found' }
        : { channel: { id: p.channel, name } };
    },
    'apps.connections.open': () => ({ url: `${fake.url.replace('http', 'ws')}/link?ticket=${randomUUID()}` }),
  };

  async function postMessage(p: Params, res: ServerResponse): Promise<unknown> {
    const step = steps.shift() ?? failing ?? refused.get(p.channel ?? '');
    if (gates.closed) await gates.hold();
    const attempt: FakeSlack['postAttempts'][number] = { status: 200, at: Date.now() };
    fake.postAttempts.push(attempt);
    if (step && 'hold' in step) {
      attempt.status = 0;
      heldPosts++;
      res.on('close', () => heldPosts--);
      return HANDLED;
    }
    if (step && 'reset' in step) {
      attempt.status = 0;
      res.destroy();
      return HANDLED;
    }
    if (step && 'ratelimited' in step) {
      attempt.status = 429;
      attempt.error = 'ratelimited';
      res.setHeader('Retry-After', String(step.ratelimited));
      sendJson(res, 429, { ok: false, error: 'ratelimited' });
      return HANDLED;
    }
    if (step && 'status' in step) {
      attempt.status = step.status;
      sendRaw(res, step.status, 'text/plain', 'upstream error');
      return HANDLED;
    }
    // A user id opens (or finds) that user's DM with the app, and the message lands there.
    const toUser = /^[UW][A-Z0-9]+$/.test(p.channel ?? '') ? p.channel : undefined;
    const error =
      step && 'error' in step
        ? step.error
        : !toUser && !/^[CDG][A-Z0-9]+$/.test(p.channel ?? '')
          ? 'channel_not_found'
          : !p.text && !p.blocks
            ? 'no_text'
            : (p.text ?? '').length > fake.maxTextLength
              ? 'msg_too_long'
              : undefined;
    if (error) {
      attempt.error = error;
      return { ok: false, error };
    }
    const channel = toUser ? fake.imChannel(toUser) : (p.channel as string);
    const text = p.text ?? '';
    const ts = nextTs();
    fake.posted.push({
      channel,
      ...(toUser && { toUser }),
      text,
      ...(p.thread_ts && { threadTs: p.thread_ts }),
      ...(p.mrkdwn !== undefined && { mrkdwn: p.mrkdwn === 'true' }),
      ts,
      seq: ++seq,
      at: Date.now(),
    });
    const message = { type: 'message', text, user: o.botUserId, bot_id: o.botId, ts, team: o.teamId };
    return { channel, ts, message: p.thread_ts ? { ...message, thread_ts: p.thread_ts } : message };
  }

  function react(action: 'add' | 'remove', p: Params): unknown {
    const channel = p.channel ?? '';
    const timestamp = p.timestamp ?? '';
    const name = p.name ?? '';
    const key = `${channel}/${timestamp}`;
    const names = onMessage.get(key) ?? new Set<string>();
    let outcome = 'ok';
    if (!channel || !timestamp) outcome = 'no_item_specified';
    else if (!/^[a-z0-9_+'-]+$/.test(name)) outcome = 'invalid_name';
    else if (action === 'add' && names.has(name)) outcome = 'already_reacted';
    else if (action === 'remove' && !names.has(name)) outcome = 'no_reaction';
    fake.reactions.push({ action, channel, timestamp, name, outcome, seq: ++seq, at: Date.now() });
    if (outcome !== 'ok') return { ok: false, error: outcome };
    if (action === 'add') onMessage.set(key, names.add(name));
    else names.delete(name);
    return {};
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST' && (req.url ?? '').startsWith('/commands/')) return commandResponse(req, res);
    const match = /^\/api\/([a-zA-Z.]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const raw = await readBody(req);
    if (req.method !== 'POST' || !match) return sendJson(res, 404, { ok: false, error: 'unknown_method' });
    const method = match[1] as string;
    fake.calls.set(method, (fake.calls.get(method) ?? 0) + 1);
    const resetsLeft = resets.get(method) ?? 0;
    if (resetsLeft > 0) {
      resets.set(method, resetsLeft - 1);
      req.socket.destroy();
      return;
    }
    const handler = methods[method];
    if (!handler) return sendJson(res, 200, { ok: false, error: 'unknown_method' });
    const params = parseParams(raw, req.headers['content-type'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? params.token;
    const expected = method === 'apps.connections.open' ? o.appToken : o.token;
    if (!bearer) return sendJson(res, 200, { ok: false, error: 'not_authed' });
    if (bearer !== expected) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
    if (tokenError && bearer === o.token) return sendJson(res, 200, { ok: false, error: tokenError });
    const result = await handler(params, res);
    if (result === HANDLED) return;
    const body = result as Record<string, unknown>;
    sendJson(res, 200, body.ok === false ? body : { ok: true, ...body });
  }

  /** A POST to a `response_url`: JSON, recorded; Slack answers `ok`. */
  async function commandResponse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = safeJson(await readBody(req));
    if (!body || typeof body.text !== 'string') return sendRaw(res, 400, 'text/plain', 'no_text');
    fake.responses.push({ url: `${fake.url}${req.url ?? ''}`, body, at: Date.now() });
    sendRaw(res, 200, 'text/plain', 'ok');
  }

  const server = await listen(handle);
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!(req.url ?? '').startsWith('/link')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      rawSockets.set(ws, socket);
      ws.on('close', () => {
        sockets.delete(ws);
        rawSockets.delete(ws);
        stalled.delete(ws);
      });
      ws.on('ping', (data) => {
        if (!stalled.has(ws)) ws.pong(data);
      });
      ws.on('message', (data) => {
        const ack = safeJson(String(data));
        if (typeof ack?.envelope_id !== 'string') return;
        fake.socketAcks.push(ack.envelope_id);
        if (ack.payload !== undefined) fake.socketAckPayloads.set(ack.envelope_id, ack.payload);
      });
      ws.send(
        JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKE001' } }),
      );
    });
  });

  const fake: FakeSlack = {
    ...o,
    ...eventBuilders(o, nextTs),
    url: server.url,
    apiUrl: `${server.url}/api/`,
    posted: [],
    postAttempts: [],
    reactions: [],
    users: new Map(),
    channels: new Map(),
    calls: new Map(),
    socketAcks: [],
    socketAckPayloads: new Map(),
    responses: [],
    dmsTo: (userId) =>
      fake.posted
        .filter((p) => p.toUser === userId || p.channel === fake.imChannel(userId))
        .map((p) => p.text),
    postedTo: (channel, threadTs) =>
      fake.posted
        .filter((p) => p.channel === channel && (threadTs === undefined || p.threadTs === threadTs))
        .map((p) => p.text),
    reactionsOn: (channel, ts) => [...(onMessage.get(`${channel}/${ts}`) ?? [])],
    script: (...more) => {
      steps.push(...more);
    },
    failSends: (step) => {
      failing = step;
    },
    refuseChannel: (channel, step) => {
      if (step) refused.set(channel, step);
      else refused.delete(channel);
    },
    revokeToken: (error = 'token_revoked') => {
      tokenError = error;
    },
    resetCalls: (method, count = 1) => {
      resets.set(method, count);
    },
    maxTextLength: 40_000,
    get heldPosts() {
      return heldPosts;
    },
    gate: () => gates.gate(),
    waitFor,
    post: (url, body, opts = {}) =>
      fetch(url, { method: 'POST', headers: signedHeaders(o.signingSecret, body, opts), body }),
    sendEvent: async (url, e, opts = {}) => {
      const res = await fake.post(url, JSON.stringify(fake.envelope(e)), opts);
      await res.arrayBuffer();
      return res.status;
    },
    slashPayload: (input) =>
      slashPayload(o, input, () => `${fake.url}/commands/${o.teamId}/${++responseUrls}/${randomUUID()}`),
    slashCommand: async (url, input, opts = {}) => {
      const payload = fake.slashPayload(input);
      const body = new URLSearchParams(payload).toString();
      const res = await fetch(url, {
        method: 'POST',
        headers: signedHeaders(o.signingSecret, body, opts, 'application/x-www-form-urlencoded'),
        body,
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? (safeJson(text) ?? null) : null,
        responseUrl: payload.response_url as string,
      };
    },
    socketCommand: (input) => {
      const envelopeId = randomUUID();
      const payload = fake.slashPayload(input);
      const message = slashCommandsMessage(envelopeId, payload);
      for (const ws of live()) ws.send(message);
      return { envelopeId, responseUrl: payload.response_url as string };
    },
    urlVerification: async (url, challenge) => {
      const res = await fake.post(url, urlVerificationBody(challenge));
      return { status: res.status, body: await res.text() };
    },
    get socketConnected() {
      return live().length > 0;
    },
    socketEvent: (e, opts = {}) => {
      const envelopeId = randomUUID();
      const message = eventsApiMessage(envelopeId, fake.envelope(e), opts.retryNum);
      for (const ws of live()) ws.send(message);
      return envelopeId;
    },
    stallSockets: (mode = 'half-open') => {
      for (const ws of sockets) {
        stalled.add(ws);
        if (mode === 'half-open') rawSockets.get(ws)?.pause();
      }
    },
    dropSockets: () => {
      for (const ws of sockets) ws.terminate();
    },
    async close() {
      gates.releaseAll();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await server.close();
    },
  };
  return fake;
}

const HANDLED = Symbol('handled');
