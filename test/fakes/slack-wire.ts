/**
 * The pure Slack wire helpers of the fake Slack (`slack.ts`): realistic events and their
 * `event_callback` envelopes, request signing, slash command payloads, Socket Mode messages and Web API
 * parameter parsing. They keep `slack.ts` to the server's state; nothing here listens or logs.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

/** A Slack event as it sits inside an envelope's `event` field. */
export type SlackEvent = Record<string, unknown> & { type: string };

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

/** The event builders of a fake Slack (part of `FakeSlack`). */
export interface SlackEventBuilders {
  /** The DM channel (`D…`) between the app and `userId`: the same one `dm` defaults to. */
  imChannel(userId: string): string;
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
}

export type Params = Record<string, string>;

export const defaultSlackOptions: FakeSlackOptions = {
  token: 'xoxb-1111-2222-FAKEbottoken',
  signingSecret: 'fake-signing-secret-8f2c1d',
  appToken: 'xapp-1-A111-2222-FAKEapptoken',
  teamId: 'T0FAKE001',
  botUserId: 'U0BOT0001',
  botId: 'B0BOT0001',
};

/** `v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")`, hex. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The headers of a request Slack signs with `secret` (or `opts.signingSecret`). */
export function signedHeaders(
  secret: string,
  body: string,
  opts: SendOptions,
  contentType = 'application/json',
): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = slackSignature(opts.signingSecret ?? secret, timestamp, body);
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
}

/** A clock of fresh, strictly increasing Slack timestamps. */
export function slackClock(): () => string {
  let lastTs = 0;
  return () => {
    lastTs = Math.max(lastTs + 1, Date.now() * 1000);
    return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
  };
}

/** The event builders of a fake with options `o`, stamping events with `nextTs`. */
export function eventBuilders(o: FakeSlackOptions, nextTs: () => string): SlackEventBuilders {
  const event = (fields: Record<string, unknown>, type = 'message'): SlackEvent => {
    const ts = nextTs();
    return { type, ts, event_ts: ts, team: o.teamId, client_msg_id: randomUUID(), ...fields };
  };
  const imChannel = (userId: string) => (userId === 'U0USER001' ? 'D0DM00001' : `D${userId.slice(1)}`);
  return {
    imChannel,
    dm: ({ user = 'U0USER001', text, channel = imChannel(user), threadTs, files }) =>
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
  };
}

/** The form fields of a slash command request; `responseUrl` makes the default `response_url`. */
export function slashPayload(
  o: FakeSlackOptions,
  input: SlashCommandInput,
  responseUrl: () => string,
): Record<string, string> {
  return {
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
    response_url: input.responseUrl ?? responseUrl(),
    trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
  };
}

/** The Socket Mode message that delivers a slash command. */
export function slashCommandsMessage(envelopeId: string, payload: Record<string, string>): string {
  return JSON.stringify({
    envelope_id: envelopeId,
    payload,
    type: 'slash_commands',
    accepts_response_payload: true,
  });
}

/** The Socket Mode message that delivers an event envelope (`retryNum` > 0: a retry). */
export function eventsApiMessage(envelopeId: string, payload: unknown, retryNum = 0): string {
  return JSON.stringify({
    envelope_id: envelopeId,
    payload,
    type: 'events_api',
    accepts_response_payload: false,
    retry_attempt: retryNum,
    retry_reason: retryNum ? 'timeout' : '',
  });
}

/** The body of Slack's `url_verification` challenge. */
export function urlVerificationBody(challenge: string): string {
  return JSON.stringify({
    token: 'verification-token-unused',
    challenge,
    type: 'url_verification',
  });
}

/** Web API parameters from a JSON (values stringified) or form body. */
export function parseParams(raw: string, contentType: string): Params {
  if (contentType.startsWith('application/json')) {
    const parsed = safeJson(raw) ?? {};
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** The JSON object in `raw`, or undefined when it is not one. */
export function safeJson(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
