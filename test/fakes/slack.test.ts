/**
 * The Slack fake behaves like Slack through the real Bolt: its WebClient against the Web API fake,
 * Bolt's own signature check against the events the fake signs, Bolt's Socket Mode client against
 * the fake's WebSocket.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBody } from './http.ts';
import { type FakeSlack, slackSignature, startFakeSlack } from './slack.ts';

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

/** A WebClient configured like the adapter's: no hidden retries, rate limits rejected. */
const client = (token = slack.token) =>
  new webApi.WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: webApi.LogLevel.ERROR,
  });

const failure = async (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );

describe('fake Slack Web API', () => {
  it('answers auth.test with the bot identity, and invalid_auth for a wrong token', async () => {
    const auth = await client().auth.test();
    expect(auth).toMatchObject({
      ok: true,
      team_id: slack.teamId,
      user_id: slack.botUserId,
      bot_id: slack.botId,
    });
    const err = await failure(client('xoxb-wrong').auth.test());
    expect(err).toBeInstanceOf(webApi.WebAPIPlatformError);
    expect((err as webApi.WebAPIPlatformError).data.error).toBe('invalid_auth');
  });

  it('records chat.postMessage with a fresh ts per message, and refuses what Slack refuses', async () => {
    const web = client();
    const first = await web.chat.postMessage({
      channel: 'C0CHAN001',
      text: 'hi',
      thread_ts: '1.000001',
      mrkdwn: true,
    });
    const second = await web.chat.postMessage({ channel: 'D0DM00001', text: 'there' });
    expect(first.ts).not.toBe(second.ts);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message).toMatchObject({ text: 'hi', bot_id: slack.botId, thread_ts: '1.000001' });
    expect(slack.posted).toMatchObject([
      { channel: 'C0CHAN001', text: 'hi', threadTs: '1.000001', mrkdwn: true, ts: first.ts },
      { channel: 'D0DM00001', text: 'there', ts: second.ts },
    ]);
    expect(slack.postedTo('C0CHAN001', '1.000001')).toEqual(['hi']);
    const code = async (args: { channel: string; text: string }) =>
      ((await failure(web.chat.postMessage(args))) as webApi.WebAPIPlatformError).data.error;
    expect(await code({ channel: 'nope', text: 'x' })).toBe('channel_not_found');
    expect(await code({ channel: 'C0CHAN001', text: 'x'.repeat(40_001) })).toBe('msg_too_long');
    expect(slack.posted).toHaveLength(2);
  });

  it("posts to a user id into that user's DM, answering with the DM channel id as Slack does", async () => {
    const web = client();
    const sent = await web.chat.postMessage({ channel: 'U0ADMIN01', text: 'alert', mrkdwn: true });
    expect(sent.channel).toBe('D0ADMIN01');
    await web.chat.postMessage({ channel: 'D0ADMIN01', text: 'in the same DM' });
    expect(slack.posted).toMatchObject([
      { channel: 'D0ADMIN01', toUser: 'U0ADMIN01', text: 'alert', mrkdwn: true },
      { channel: 'D0ADMIN01', text: 'in the same DM' },
    ]);
    expect(slack.dmsTo('U0ADMIN01')).toEqual(['alert', 'in the same DM']);
    expect(slack.imChannel('U0USER001')).toBe(slack.dm({ text: 'x' }).channel);
    expect(slack.dmsTo('U0USER001')).toEqual([]);
  });

  it('plays scripted failures: ratelimited with Retry-After, error codes, 5xx', async () => {
    const web = client();
    slack.script({ ratelimited: 7 }, { error: 'is_archived' }, { status: 503 });
    const limited = await failure(web.chat.postMessage({ channel: 'C0CHAN001', text: 'a' }));
    expect(limited).toBeInstanceOf(webApi.WebAPIRateLimitedError);
    expect((limited as webApi.WebAPIRateLimitedError).retryAfter).toBe(7);
    const archived = await failure(web.chat.postMessage({ channel: 'C0CHAN001', text: 'b' }));
    expect((archived as webApi.WebAPIPlatformError).data.error).toBe('is_archived');
    const down = await failure(web.chat.postMessage({ channel: 'C0CHAN001', text: 'c' }));
    expect(down).toBeInstanceOf(webApi.WebAPIHTTPError);
    expect((down as webApi.WebAPIHTTPError).statusCode).toBe(503);
    await web.chat.postMessage({ channel: 'C0CHAN001', text: 'd' });
    expect(slack.postedTo('C0CHAN001')).toEqual(['d']);
    expect(slack.postAttempts.map((a) => a.status)).toEqual([429, 200, 503, 200]);
  });

  it('holds posts while gated', async () => {
    const gate = slack.gate();
    const posting = client().chat.postMessage({ channel: 'C0CHAN001', text: 'held' });
    await slack.waitFor(() => slack.calls.get('chat.postMessage') === 1, 2_000, 'the request');
    expect(slack.posted).toHaveLength(0);
    gate.release();
    await posting;
    expect(slack.postedTo('C0CHAN001')).toEqual(['held']);
  });

  it('adds and removes reactions, answering already_reacted and no_reaction like Slack', async () => {
    const web = client();
    const args = { channel: 'C0CHAN001', timestamp: '1700000000.000100', name: 'eyes' };
    await web.reactions.add(args);
    expect(slack.reactionsOn('C0CHAN001', '1700000000.000100')).toEqual(['eyes']);
    const again = (await failure(web.reactions.add(args))) as webApi.WebAPIPlatformError;
    expect(again.data.error).toBe('already_reacted');
    await web.reactions.remove(args);
    const gone = (await failure(web.reactions.remove(args))) as webApi.WebAPIPlatformError;
    expect(gone.data.error).toBe('no_reaction');
    expect(slack.reactions.map((r) => [r.action, r.outcome])).toEqual([
      ['add', 'ok'],
      ['add', 'already_reacted'],
      ['remove', 'ok'],
      ['remove', 'no_reaction'],
    ]);
  });
});

describe('fake Slack Web API faults', () => {
  it('refuses one channel, or every post, with an error code until told otherwise', async () => {
    const web = client();
    slack.refuseChannel('C0CHAN001', { error: 'not_in_channel' });
    const refused = await failure(web.chat.postMessage({ channel: 'C0CHAN001', text: 'a' }));
    expect((refused as webApi.WebAPIPlatformError).data).toMatchObject({
      ok: false,
      error: 'not_in_channel',
    });
    await web.chat.postMessage({ channel: 'C0CHAN002', text: 'b' });
    slack.refuseChannel('C0CHAN001', null);
    slack.failSends({ error: 'is_archived' });
    const archived = await failure(web.chat.postMessage({ channel: 'C0CHAN002', text: 'c' }));
    expect((archived as webApi.WebAPIPlatformError).data.error).toBe('is_archived');
    slack.failSends({ status: 503 });
    expect(await failure(web.chat.postMessage({ channel: 'C0CHAN002', text: 'd' }))).toBeInstanceOf(
      webApi.WebAPIHTTPError,
    );
    slack.failSends(null);
    await web.chat.postMessage({ channel: 'C0CHAN001', text: 'e' });
    expect(slack.posted.map((p) => p.text)).toEqual(['b', 'e']);
    expect(slack.postAttempts.map((a) => a.error ?? a.status)).toEqual([
      'not_in_channel',
      200,
      'is_archived',
      503,
      200,
    ]);
  });

  it('answers msg_too_long above maxTextLength, and a revoked token on every call', async () => {
    const web = client();
    slack.maxTextLength = 10;
    const long = await failure(web.chat.postMessage({ channel: 'C0CHAN001', text: 'x'.repeat(11) }));
    expect((long as webApi.WebAPIPlatformError).data.error).toBe('msg_too_long');
    await web.chat.postMessage({ channel: 'C0CHAN001', text: 'x'.repeat(10) });
    slack.revokeToken();
    for (const call of [
      () => web.auth.test(),
      () => web.chat.postMessage({ channel: 'C0CHAN001', text: 'y' }),
    ]) {
      const revoked = await failure(call());
      expect((revoked as webApi.WebAPIPlatformError).data).toMatchObject({
        ok: false,
        error: 'token_revoked',
      });
    }
    slack.revokeToken('account_inactive');
    const inactive = await failure(web.auth.test());
    expect((inactive as webApi.WebAPIPlatformError).data.error).toBe('account_inactive');
  });

  it('holds a post unanswered until the client gives up, and posts nothing', async () => {
    const web = new webApi.WebClient(slack.token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 200,
      logLevel: webApi.LogLevel.ERROR,
    });
    slack.script({ hold: true });
    const held = await failure(web.chat.postMessage({ channel: 'C0CHAN001', text: 'lost' }));
    expect(held).toBeInstanceOf(webApi.WebAPIRequestError);
    await slack.waitFor(() => slack.heldPosts === 0, 2_000, 'the held post dropped');
    expect(slack.posted).toHaveLength(0);
  });
});

describe('fake Slack Events API sender', () => {
  let received: Array<{ headers: IncomingMessage['headers']; body: string }>;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    received = [];
    const server = createServer((req, res) => {
      void readBody(req).then((body) => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterEach(async () => {
    await close();
  });

  const valid = (r: { headers: IncomingMessage['headers']; body: string }, secret = slack.signingSecret) =>
    isValidSlackRequest({
      signingSecret: secret,
      body: r.body,
      headers: {
        'x-slack-signature': String(r.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(r.headers['x-slack-request-timestamp']),
      },
    });

  it('signs real envelopes so that Bolt accepts them, and can forge bad or stale ones', async () => {
    const dm = slack.dm({ text: 'hello' });
    expect(await slack.sendEvent(url, dm)).toBe(200);
    await slack.sendEvent(url, dm, { badSignature: true });
    await slack.sendEvent(url, dm, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    await slack.sendEvent(url, dm, { signingSecret: 'another-secret' });
    expect(received.map((r) => valid(r))).toEqual([true, false, false, false]);
    const [first] = received;
    if (!first) throw new Error('nothing received');
    expect(JSON.parse(first.body)).toMatchObject({
      type: 'event_callback',
      team_id: slack.teamId,
      event: { type: 'message', channel_type: 'im', text: 'hello', ts: dm.ts },
      event_id: expect.stringMatching(/^Ev/),
      authorizations: [{ team_id: slack.teamId, user_id: slack.botUserId, is_bot: true }],
    });
    const ts = Number(first.headers['x-slack-request-timestamp']);
    expect(first.headers['x-slack-signature']).toBe(slackSignature(slack.signingSecret, ts, first.body));
  });

  it('resends the same envelope with retry headers, and sends both events of a mention with one ts', async () => {
    const { appMention, message } = slack.mention({ text: 'help' });
    await slack.sendEvent(url, appMention);
    await slack.sendEvent(url, appMention, { retryNum: 1 });
    await slack.sendEvent(url, message);
    const [a, retry, b] = received.map((r) => ({ ...r, json: JSON.parse(r.body) }));
    expect(retry?.json.event_id).toBe(a?.json.event_id);
    expect(retry?.headers['x-slack-retry-num']).toBe('1');
    expect(retry?.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(a?.headers['x-slack-retry-num']).toBeUndefined();
    expect(b?.json.event_id).not.toBe(a?.json.event_id);
    expect(a?.json.event).toMatchObject({ type: 'app_mention', text: `<@${slack.botUserId}> help` });
    expect(b?.json.event).toMatchObject({ type: 'message', channel_type: 'channel', ts: appMention.ts });
  });

  it('sends slash commands form-encoded and signed like Slack, and returns the JSON answer', async () => {
    const input = { command: '/aksita', text: 'credits', userId: 'U0USER001', channelId: 'C0CHAN001' };
    const sent = await slack.slashCommand(url, input);
    expect(sent).toMatchObject({ status: 200, body: null });
    await slack.slashCommand(url, input, { badSignature: true });
    expect(received.map((r) => valid(r))).toEqual([true, false]);
    const [first] = received;
    expect(first?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(first?.body))).toMatchObject({
      command: '/aksita',
      text: 'credits',
      user_id: 'U0USER001',
      channel_id: 'C0CHAN001',
      channel_name: 'general',
      team_id: slack.teamId,
      response_url: sent.responseUrl,
      trigger_id: expect.any(String),
    });
    expect(sent.responseUrl.startsWith(`${slack.url}/commands/`)).toBe(true);
    expect(slack.slashPayload({ ...input, channelId: 'D0DM00001' }).channel_name).toBe('directmessage');
  });

  it('records what is posted to a response_url, and refuses a post without text', async () => {
    const { responseUrl } = await slack.slashCommand(url, {
      command: '/aksita',
      text: '',
      userId: 'U0USER001',
      channelId: 'D0DM00001',
    });
    const post = (body: unknown) =>
      fetch(responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ response_type: 'ephemeral', text: 'late answer' })).status).toBe(200);
    expect((await post({ response_type: 'ephemeral' })).status).toBe(400);
    expect(slack.responses).toEqual([
      { url: responseUrl, body: { response_type: 'ephemeral', text: 'late answer' }, at: expect.any(Number) },
    ]);
  });

  it('sends the url_verification challenge', async () => {
    const result = await slack.urlVerification(url, 'challenge-123');
    expect(result.status).toBe(200);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({
      token: expect.any(String),
      challenge: 'challenge-123',
      type: 'url_verification',
    });
    expect(valid(received[0] as (typeof received)[number])).toBe(true);
  });
});

describe('fake Slack Socket Mode', () => {
  it('lets Bolt connect through apps.connections.open, delivers envelopes and records acks', async () => {
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logLevel: webApi.LogLevel.ERROR,
      installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
    });
    const seen: string[] = [];
    receiver.client.on('slack_event', async ({ ack, body }) => {
      seen.push(body.event.text);
      await ack();
    });
    await receiver.client.start();
    try {
      expect(slack.socketConnected).toBe(true);
      const id = slack.socketEvent(slack.dm({ text: 'over the socket' }));
      await slack.waitFor(() => slack.socketAcks.includes(id), 5_000, 'the ack');
      expect(seen).toEqual(['over the socket']);
      // A plain ack carries an empty payload.
      expect(slack.socketAckPayloads.get(id)).toEqual({});
    } finally {
      await receiver.client.disconnect();
    }
  });

  it('stalls a connection: no pongs, nothing delivered; the client closes it and connects anew', async () => {
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logLevel: webApi.LogLevel.ERROR,
      clientPingTimeout: 300,
      installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
    });
    const seen: string[] = [];
    receiver.client.on('slack_event', async ({ ack, body }) => {
      seen.push(body.event.text);
      await ack();
    });
    await receiver.client.start();
    try {
      slack.stallSockets('silent');
      expect(slack.socketConnected).toBe(false);
      slack.socketEvent(slack.dm({ text: 'lost on the stalled connection' }));
      await slack.waitFor(() => slack.socketConnected, 5_000, 'a new connection');
      expect(slack.calls.get('apps.connections.open')).toBe(2);
      const id = slack.socketEvent(slack.dm({ text: 'on the new one' }));
      await slack.waitFor(() => slack.socketAcks.includes(id), 5_000, 'the ack');
      expect(seen).toEqual(['on the new one']);
    } finally {
      await receiver.client.disconnect();
    }
  });
});

describe('fake Slack Socket Mode slash commands', () => {
  it('delivers slash_commands envelopes and records the payload of their ack', async () => {
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logLevel: webApi.LogLevel.ERROR,
      installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
    });
    receiver.client.on('slash_commands', async ({ ack, body }) => {
      await ack({ response_type: 'ephemeral', text: `you said ${body.text}` });
    });
    await receiver.client.start();
    try {
      const { envelopeId } = slack.socketCommand({
        command: '/aksita',
        text: 'help',
        userId: 'U0USER001',
        channelId: 'D0DM00001',
      });
      await slack.waitFor(() => slack.socketAcks.includes(envelopeId), 5_000, 'the ack');
      expect(slack.socketAckPayloads.get(envelopeId)).toEqual({
        response_type: 'ephemeral',
        text: 'you said help',
      });
    } finally {
      await receiver.client.disconnect();
    }
  });
});
