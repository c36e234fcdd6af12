/**
 * A local fake of Slack for the real Bolt: a Web API server reached through the WebClient's
 * `slackApiUrl` (`POST <apiUrl><method>`, form or JSON parameters, `Authorization: Bearer <token>`,
 * answers `{ok:true,…}` or `{ok:false,error}` with HTTP 200, and 429 + `Retry-After` for
 * `ratelimited`), an Events API sender that builds real `event_callback` envelopes and signs them
 * with the signing secret, slash commands sent the same way (form-encoded) with a `response_url`
 * endpoint that records the late answers, and a Socket Mode endpoint (`apps.connections.open` + a
 * WebSocket that says hello, delivers envelopes and takes acks). `chat.postMessage` to a user id posts
 * into that user's DM with the app, as Slack does. No logging; O(1) work per request.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Gate, Gates, listen, readBody, sendJson, sendRaw, waitFor } from './http.ts';

/** One-shot behaviour for the next `chat.postMessage` calls (see `FakeSlack.script`). */
export type PostStep =
  /** HTTP 429, `Retry-After: <seconds>`, `{ok:false, error:'ratelimited'}`; nothing is posted. */
  | { ratelimited: number }
  /** `{ok:false, error}` with HTTP 200, as Slack answers refusals. */
  | { error: string }
  /** This HTTP status with a plain body (a 5xx of Slack's edge). */
  | { status: number }
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

/** A Slack event as it sits inside an envelope's `event` field. */
export type SlackEvent = Record<string, unknown> & { type: string };

/** A POST to a slash command's `response_url`. */
export interface CommandResponse {
  /** The `response_url` it went to. */
  url: string;
  /** The JSON body (`{ response_type, text }`). */
  body: Record<string, unknown>;
  at: number;
}

/** A slash command invocation, as `slashCommand` and `socketCommand` send it. */
export interface SlashCommandInput {
  /** The command, e.g. `/aksita`. */
  command: string;
  /** What the user typed after it. */
  text: string;
  userId: string;
  channelId: string;
  /** Default: `directmessage` for a `D…` channel, else `general`. */
  channelName?: string;
  /** Default: the fake's team. */
  teamId?: string;
  /** Default: a fresh URL on the fake (see `responses`). */
  responseUrl?: string;
}

export interface SendOptions {
  /** Sets `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason: http_timeout`). */
  retryNum?: number;
  /** Signs with this secret instead of the fake's. */
  signingSecret?: string;
  /** `X-Slack-Request-Timestamp`, epoch seconds. Default now. */
  timestamp?: number;
  /** Sends a signature that does not match the body. */
  badSignature?: boolean;
}

export interface FakeSlackOptions {
  token: string;
  signingSecret: string;
  appToken: string;
  teamId: string;
  botUserId: string;
  botId: string;
}

export interface FakeSlack extends FakeSlackOptions {
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
  /** Number of calls per Web API method. */
  readonly calls: Map<string, number>;
  /** Socket Mode envelope ids the client acknowledged. */
  readonly socketAcks: string[];
  /** The payload of each Socket Mode ack by envelope id (`{}` for a plain ack; a command's answer). */
  readonly socketAckPayloads: Map<string, unknown>;
  /** Every POST to a `response_url` of this fake, in order. */
  readonly responses: CommandResponse[];
  /** The DM channel (`D…`) between the app and `userId`: the same one `dm` defaults to. */
  imChannel(userId: string): string;
  /** Texts posted into the DM of `userId`, whether addressed by user id or by DM channel id. */
  dmsTo(userId: string): string[];
  /** Texts posted in `channel` (and, when given, in the thread `threadTs`). */
  postedTo(channel: string, threadTs?: string): string[];
  /** The bot's reactions currently on a message. */
  reactionsOn(channel: string, ts: string): string[];
  /** Queues one-shot behaviours for the next chat.postMessage calls, in order. */
  script(...steps: PostStep[]): void;
  /** Holds every chat.postMessage until all gates are released. */
  gate(): Gate;
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** A DM (`channel_type: 'im'`); `files` without text makes a `file_share` with empty text. */
  dm(input: {
    user?: string;
    text: string;
    channel?: string;
    threadTs?: string;
    files?: boolean;
  }): SlackEvent;
  /** A mention of the bot in a channel: both events Slack sends for it (same ts). */
  mention(input: { channel?: string; user?: string; text: string; threadTs?: string }): {
    appMention: SlackEvent;
    message: SlackEvent;
  };
  /** A reply in a channel thread that does not mention the bot. */
  threadReply(input: { channel?: string; threadTs: string; user?: string; text: string }): SlackEvent;
  /** A top-level channel message that does not mention the bot. */
  channelMessage(input: { channel?: string; user?: string; text: string }): SlackEvent;
  /** A message from a bot (another one by default, or this bot with `self: true`). */
  botMessage(input: { channel?: string; text: string; self?: boolean }): SlackEvent;
  /** The `event_callback` envelope Slack wraps `event` in; the same event always gets the same event_id. */
  envelope(event: SlackEvent): Record<string, unknown>;
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
  /** Whether a Socket Mode client is connected (hello sent). */
  readonly socketConnected: boolean;
  /** Delivers `event` over Socket Mode to every connected client; returns its envelope id (see `socketAcks`). */
  socketEvent(event: SlackEvent, options?: { retryNum?: number }): string;
  /** Drops every Socket Mode connection (the client reconnects through apps.connections.open). */
  dropSockets(): void;
  close(): Promise<void>;
}

type Params = Record<string, string>;

/** `v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")`, hex. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

const defaults: FakeSlackOptions = {
  token: 'xoxb-1111-2222-FAKEbottoken',
  signingSecret: 'fake-signing-secret-8f2c1d',
  appToken: 'xapp-1-A111-2222-FAKEapptoken',
  teamId: 'T0FAKE001',
  botUserId: 'U0BOT0001',
  botId: 'B0BOT0001',
};

/** Starts a fake Slack on 127.0.0.1 (random port). */
export async function startFakeSlack(options: Partial<FakeSlackOptions> = {}): Promise<FakeSlack> {
  const o = { ...defaults, ...options };
  const steps: PostStep[] = [];
  const gates = new Gates();
  const onMessage = new Map<string, Set<string>>();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  let seq = 0;
  let lastTs = 0;
  let responseUrls = 0;

  /** A fresh, strictly increasing Slack timestamp. */
  const nextTs = (): string => {
    lastTs = Math.max(lastTs + 1, Date.now() * 1000);
    return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
  };

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
    'apps.connections.open': () => ({ url: `${fake.url.replace('http', 'ws')}/link?ticket=${randomUUID()}` }),
  };

  async function postMessage(p: Params, res: ServerResponse): Promise<unknown> {
    const step = steps.shift();
    if (gates.closed) await gates.hold();
    const attempt: FakeSlack['postAttempts'][number] = { status: 200, at: Date.now() };
    fake.postAttempts.push(attempt);
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
            : (p.text ?? '').length > 40_000
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
    const handler = methods[method];
    if (!handler) return sendJson(res, 200, { ok: false, error: 'unknown_method' });
    const params = parseParams(raw, req.headers['content-type'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? params.token;
    const expected = method === 'apps.connections.open' ? o.appToken : o.token;
    if (!bearer) return sendJson(res, 200, { ok: false, error: 'not_authed' });
    if (bearer !== expected) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
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
      ws.on('close', () => sockets.delete(ws));
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

  const event = (fields: Record<string, unknown>, type = 'message'): SlackEvent => {
    const ts = nextTs();
    return { type, ts, event_ts: ts, team: o.teamId, client_msg_id: randomUUID(), ...fields };
  };

  const sign = (
    body: string,
    opts: SendOptions,
    contentType = 'application/json',
  ): Record<string, string> => {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = slackSignature(opts.signingSecret ?? o.signingSecret, timestamp, body);
    return {
      'Content-Type': contentType,
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': opts.badSignature
        ? signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
        : signature,
      ...(opts.retryNum !== undefined && {
        'X-Slack-Retry-Num': String(opts.retryNum),
        'X-Slack-Retry-Reason': 'http_timeout',
      }),
    };
  };

  const fake: FakeSlack = {
    ...o,
    url: server.url,
    apiUrl: `${server.url}/api/`,
    posted: [],
    postAttempts: [],
    reactions: [],
    calls: new Map(),
    socketAcks: [],
    socketAckPayloads: new Map(),
    responses: [],
    imChannel: (userId) => (userId === 'U0USER001' ? 'D0DM00001' : `D${userId.slice(1)}`),
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
    gate: () => gates.gate(),
    waitFor,
    dm: ({ user = 'U0USER001', text, channel = fake.imChannel(user), threadTs, files }) =>
      event({
        channel,
        user,
        text,
        channel_type: 'im',
        user_profile: { display_name: 'ana', real_name: 'Ana Lim', name: 'ana' },
        ...(threadTs && { thread_ts: threadTs }),
        ...(files && { subtype: 'file_share', files: [{ id: 'F0FILE001', name: 'photo.png' }] }),
      }),
    mention: ({ channel = 'C0CHAN001', user = 'U0USER001', text, threadTs }) => {
      const appMention = event(
        {
          channel,
          user,
          text: `<@${o.botUserId}> ${text}`,
          ...(threadTs && { thread_ts: threadTs }),
        },
        'app_mention',
      );
      const { type: _type, ...same } = appMention;
      return { appMention, message: { type: 'message', ...same, channel_type: 'channel' } };
    },
    threadReply: ({ channel = 'C0CHAN001', threadTs, user = 'U0USER002', text }) =>
      event({
        channel,
        user,
        text,
        thread_ts: threadTs,
        parent_user_id: 'U0USER001',
        channel_type: 'channel',
      }),
    channelMessage: ({ channel = 'C0CHAN001', user = 'U0USER002', text }) =>
      event({ channel, user, text, channel_type: 'channel' }),
    botMessage: ({ channel = 'C0CHAN001', text, self }) =>
      self
        ? event({ channel, text, user: o.botUserId, bot_id: o.botId, channel_type: 'channel' })
        : event({ channel, text, subtype: 'bot_message', bot_id: 'B0OTHER01', channel_type: 'channel' }),
    envelope: (e) => ({
      token: 'verification-token-unused',
      team_id: o.teamId,
      context_team_id: o.teamId,
      api_app_id: 'A0FAKE001',
      event: e,
      type: 'event_callback',
      event_id: `Ev${createHash('sha1').update(`${e.type}:${e.channel}:${e.ts}`).digest('hex').slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Number(e.event_ts ?? e.ts ?? 0)),
      authorizations: [
        {
          enterprise_id: null,
          team_id: o.teamId,
          user_id: o.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    }),
    post: (url, body, opts = {}) => fetch(url, { method: 'POST', headers: sign(body, opts), body }),
    sendEvent: async (url, e, opts = {}) => {
      const res = await fake.post(url, JSON.stringify(fake.envelope(e)), opts);
      await res.arrayBuffer();
      return res.status;
    },
    slashPayload: (input) => ({
      token: 'verification-token-unused',
      team_id: input.teamId ?? o.teamId,
      team_domain: 'fake-team',
      channel_id: input.channelId,
      channel_name: input.channelName ?? (input.channelId.startsWith('D') ? 'directmessage' : 'general'),
      user_id: input.userId,
      user_name: 'ana',
      command: input.command,
      text: input.text,
      api_app_id: 'A0FAKE001',
      is_enterprise_install: 'false',
      response_url: input.responseUrl ?? `${fake.url}/commands/${o.teamId}/${++responseUrls}/${randomUUID()}`,
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
    }),
    slashCommand: async (url, input, opts = {}) => {
      const payload = fake.slashPayload(input);
      const body = new URLSearchParams(payload).toString();
      const res = await fetch(url, {
        method: 'POST',
        headers: sign(body, opts, 'application/x-www-form-urlencoded'),
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
      const message = {
        envelope_id: envelopeId,
        payload,
        type: 'slash_commands',
        accepts_response_payload: true,
      };
      for (const ws of sockets) ws.send(JSON.stringify(message));
      return { envelopeId, responseUrl: payload.response_url as string };
    },
    urlVerification: async (url, challenge) => {
      const body = JSON.stringify({
        token: 'verification-token-unused',
        challenge,
        type: 'url_verification',
      });
      const res = await fake.post(url, body);
      return { status: res.status, body: await res.text() };
    },
    get socketConnected() {
      return sockets.size > 0;
    },
    socketEvent: (e, opts = {}) => {
      const envelopeId = randomUUID();
      const message = {
        envelope_id: envelopeId,
        payload: fake.envelope(e),
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: opts.retryNum ?? 0,
        retry_reason: opts.retryNum ? 'timeout' : '',
      };
      for (const ws of sockets) ws.send(JSON.stringify(message));
      return envelopeId;
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

function parseParams(raw: string, contentType: string): Params {
  if (contentType.startsWith('application/json')) {
    const parsed = safeJson(raw) ?? {};
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function safeJson(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
