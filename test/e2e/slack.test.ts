/**
 * What a Slack user and operator see, end to end: the real Bolt against the Slack fake (Web API,
 * signed Events API requests, Socket Mode), the real BullMQ worker against a real Redis, the real
 * Aksita client against the fake agent. What every platform does alike (order, text-only notice,
 * splitting, 429s) is in `platforms.test.ts`; here is what only Slack does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import type { Inbound, IncomingMessage, Receiver } from '../../src/core/contract.ts';
import { createLogger } from '../../src/logger.ts';
import { type FakeSlack, slackSignature, startFakeSlack } from '../fakes/slack.ts';
import { eventually, monitor, spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });
let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack();
  fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
});

const slackEnv = (overrides: Record<string, string> = {}) => ({
  SLACK_BOT_TOKEN: slack.token,
  SLACK_SIGNING_SECRET: slack.signingSecret,
  SLACK_API_URL: `${slack.url}/api`,
  ...overrides,
});

/** Slack in Socket Mode: an app-level token and no signing secret. */
const socketEnv = () => ({
  SLACK_BOT_TOKEN: slack.token,
  SLACK_APP_TOKEN: slack.appToken,
  SLACK_API_URL: `${slack.url}/api`,
});

/** Starts a bridge with Slack over HTTP; `events` is its Events API request URL. */
async function start(overrides: Record<string, string> = {}) {
  const started = await fx.start(slackEnv(overrides));
  return { ...started, events: `http://127.0.0.1:${started.bridge.port}/slack/events` };
}

/** What the bridge hands an adapter that receives, around a message receiver of the test's own. */
const inbound = (message: Receiver): Inbound => ({
  message,
  command: async () => 'not used here',
  menu: [],
  adminIds: [],
});

const DM = 'D0DM00001';
const CHANNEL = 'C0CHAN001';

describe('direct messages', () => {
  it('posts each response element as its own message, in order, and tells the agent it is Slack', async () => {
    // Markdown from the agent, mrkdwn in Slack: **bold** is *bold* there.
    fx.aksita.reply = (message) => [`Hello! You said: **${message}**`, 'What else can I do for you?'];
    const { events } = await start();
    expect(await slack.sendEvent(events, slack.dm({ text: 'hi there' }))).toBe(200);
    await slack.waitFor(() => slack.postedTo(DM).length === 2, 10_000, 'two replies');
    expect(slack.postedTo(DM)).toEqual(['Hello! You said: *hi there*', 'What else can I do for you?']);
    expect(slack.posted.every((p) => p.threadTs === undefined && p.mrkdwn === true)).toBe(true);
    expect(fx.aksita.chats[0]?.additionalContext).toBe(
      'Platform: Slack; Chat type: private chat; User: "ana"',
    );
  });
});

describe('channels', () => {
  it('answers a mention in a thread under it, and continues that thread without a new mention', async () => {
    const { events } = await start();
    const { appMention, message } = slack.mention({ text: 'what is the weather?' });
    // Slack sends both events of a mention; neither order may cause a second agent call.
    expect(await slack.sendEvent(events, message)).toBe(200);
    expect(await slack.sendEvent(events, appMention)).toBe(200);
    const thread = appMention.ts as string;
    await slack.waitFor(() => slack.postedTo(CHANNEL, thread).length === 1, 10_000, 'reply in the thread');
    expect(slack.postedTo(CHANNEL, thread)).toEqual(['echo: what is the weather?']);

    await slack.sendEvent(events, slack.threadReply({ threadTs: thread, text: 'and tomorrow?' }));
    await slack.waitFor(() => slack.postedTo(CHANNEL, thread).length === 2, 10_000, 'second reply');
    expect(slack.postedTo(CHANNEL)).toEqual(['echo: what is the weather?', 'echo: and tomorrow?']);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['what is the weather?', 'and tomorrow?']);
    expect(fx.aksita.sessions).toHaveLength(1);
    expect(fx.aksita.chats[1]?.conversationId).toBe(fx.aksita.sessions[0]);
    expect(fx.aksita.chats[0]?.additionalContext).toContain('Chat type: group chat');
  });

  it('answers a mention written inside a thread in that thread', async () => {
    const { events } = await start();
    const parent = slack.channelMessage({ text: 'we have a problem' });
    const { appMention } = slack.mention({ text: 'can you help?', threadTs: parent.ts as string });
    await slack.sendEvent(events, appMention);
    await slack.waitFor(() => slack.posted.length === 1, 10_000, 'reply');
    expect(slack.posted[0]).toMatchObject({
      channel: CHANNEL,
      threadTs: parent.ts,
      text: 'echo: can you help?',
    });
  });

  it('ignores channel chatter and replies in threads the bot is not part of', async () => {
    const { events, logs } = await start();
    const chatter = slack.channelMessage({ text: 'just talking among ourselves' });
    const reply = slack.threadReply({ threadTs: chatter.ts as string, text: 'indeed' });
    const other = slack.botMessage({ text: 'I am another bot' });
    for (const event of [chatter, reply, other]) expect(await slack.sendEvent(events, event)).toBe(200);
    // Answered 200 only after the router decided: it had already ignored the two human messages.
    const ignored = logs.find('message ignored').map((e) => e.id);
    expect(ignored).toEqual([
      `slack:${slack.teamId}:${CHANNEL}:${chatter.ts}`,
      `slack:${slack.teamId}:${CHANNEL}:${reply.ts}`,
    ]);
    const { appMention } = slack.mention({ text: 'now you', threadTs: chatter.ts as string });
    await slack.sendEvent(events, appMention);
    await slack.waitFor(() => slack.posted.length === 1, 10_000, 'reply to the mention');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['now you']);
  });
});

describe('delivery', () => {
  it('never asks the agent twice for an event Slack retries, even while the first is in flight', async () => {
    const { events } = await start();
    const gate = fx.aksita.gate();
    const first = slack.dm({ text: 'first' });
    expect(await slack.sendEvent(events, first)).toBe(200);
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 10_000, 'agent call');
    expect(await slack.sendEvent(events, first, { retryNum: 1 })).toBe(200);
    expect(await slack.sendEvent(events, first, { retryNum: 2 })).toBe(200);
    gate.release();
    await slack.sendEvent(events, slack.dm({ text: 'second' }));
    await slack.waitFor(() => slack.postedTo(DM).length === 2, 10_000, 'two replies');
    expect(slack.postedTo(DM)).toEqual(['echo: first', 'echo: second']);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['first', 'second']);
  });

  it('acknowledges within 3 s while the agent is still thinking', async () => {
    const { events } = await start();
    const gate = fx.aksita.gate();
    const started = Date.now();
    expect(await slack.sendEvent(events, slack.dm({ text: 'a slow question' }))).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(slack.posted).toHaveLength(0);
    gate.release();
    await slack.waitFor(() => slack.postedTo(DM).length === 1, 10_000, 'the reply');
  });

  it('skips a reply Slack refuses and answers the next message', async () => {
    slack.script({ error: 'no_text' });
    const { events, logs } = await start();
    await slack.sendEvent(events, slack.dm({ text: 'one' }));
    await slack.sendEvent(events, slack.dm({ text: 'two' }));
    await slack.waitFor(() => slack.postedTo(DM).length === 1, 10_000, 'the second reply');
    expect(slack.postedTo(DM)).toEqual(['echo: two']);
    expect(slack.postAttempts).toHaveLength(2);
    expect(logs.find('platform refused the reply; message skipped')).toHaveLength(1);
  });
});

describe('the working reaction', () => {
  it('puts eyes on the message while the agent works and takes them off once the answer is posted', async () => {
    const { events } = await start();
    const gate = fx.aksita.gate();
    const dm = slack.dm({ text: 'hello' });
    await slack.sendEvent(events, dm);
    await slack.waitFor(() => slack.reactionsOn(DM, dm.ts as string).includes('eyes'), 10_000, 'eyes');
    expect(slack.posted).toHaveLength(0);
    gate.release();
    await slack.waitFor(() => slack.reactions.length === 2, 10_000, 'eyes removed');
    expect(slack.reactionsOn(DM, dm.ts as string)).toEqual([]);
    const [added, removed] = slack.reactions;
    const post = slack.posted[0];
    expect(added).toMatchObject({
      action: 'add',
      channel: DM,
      timestamp: dm.ts,
      name: 'eyes',
      outcome: 'ok',
    });
    expect(removed).toMatchObject({ action: 'remove', timestamp: dm.ts, name: 'eyes', outcome: 'ok' });
    expect((added?.seq ?? 0) < (post?.seq ?? 0) && (post?.seq ?? 0) < (removed?.seq ?? 0)).toBe(true);
  });

  it('uses the configured reaction, and none when SLACK_WORKING_REACTION is empty', async () => {
    fx.aksita.latencyMs = 800;
    const custom = await start({ SLACK_WORKING_REACTION: ':hourglass:' });
    await slack.sendEvent(custom.events, slack.dm({ text: 'one' }));
    await slack.waitFor(() => slack.reactions.length === 2, 10_000, 'reaction added and removed');
    expect(slack.reactions.map((r) => r.name)).toEqual(['hourglass', 'hourglass']);
    await custom.bridge.stop();

    const off = await start({ SLACK_WORKING_REACTION: '' });
    await slack.sendEvent(off.events, slack.dm({ text: 'two' }));
    await slack.sendEvent(off.events, slack.dm({ text: 'three' }));
    await slack.waitFor(() => slack.postedTo(DM).length === 3, 10_000, 'replies');
    expect(slack.reactions).toHaveLength(2);
  });
});

describe('request verification', () => {
  it('refuses bad signatures, other secrets and stale timestamps with 401, reaching no agent', async () => {
    const { events } = await start();
    const forged = slack.dm({ text: 'forged' });
    expect(await slack.sendEvent(events, forged, { badSignature: true })).toBe(401);
    expect(await slack.sendEvent(events, forged, { signingSecret: 'not-the-secret' })).toBe(401);
    const staleAt = Math.floor(Date.now() / 1000) - 6 * 60;
    expect(await slack.sendEvent(events, forged, { timestamp: staleAt })).toBe(401);
    const unsigned = await fetch(events, { method: 'POST', body: JSON.stringify(slack.envelope(forged)) });
    expect(unsigned.status).toBe(401);
    // The same message, genuinely signed, is then answered: nothing of the refused ones was stored.
    expect(await slack.sendEvent(events, forged)).toBe(200);
    await slack.waitFor(() => slack.postedTo(DM).length === 1, 10_000, 'the reply');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['forged']);
  });

  it("answers Slack's url_verification challenge", async () => {
    const { events } = await start();
    const result = await slack.urlVerification(
      events,
      '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    );
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });
});

describe('operations', () => {
  it('reports Slack on /healthz and never logs the bot token or signing secret, even at trace level', async () => {
    const { bridge, events, logs } = await start({ LOG_LEVEL: 'trace' });
    slack.script({ status: 500 });
    await slack.sendEvent(events, slack.dm({ text: 'hello' }));
    await slack.sendEvent(events, slack.dm({ text: 'x' }), { badSignature: true });
    await slack.waitFor(() => slack.postedTo(DM).length === 1, 10_000, 'the reply after a 500');
    const health = await monitor(bridge.port, '/healthz');
    expect(await health.json()).toMatchObject({
      status: 'ok',
      checks: { slack: { ok: true, detail: 'events API' } },
    });
    // Bolt's WebClient logged its requests at trace, headers (Authorization: Bearer <token>) included.
    expect(logs.text).toContain('chat.postMessage');
    expect(logs.text).toContain('Authorization');
    expect(logs.text).not.toContain(slack.token);
    expect(logs.text).not.toContain(slack.signingSecret);
  });

  it('stops start-up with one clear line when Slack refuses the bot token', async () => {
    const child = spawnBridge(fx.env(slackEnv({ SLACK_BOT_TOKEN: 'xoxb-0000-wrong-token' })));
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    const out = child.output().trim();
    expect(out).toMatch(/^Slack refused SLACK_BOT_TOKEN \(invalid_auth\): /);
    expect(out).not.toContain('xoxb-0000-wrong-token');
  });

  it('answers 503 when the message cannot be stored, so that Slack retries, and takes the retry', async () => {
    const log = createLogger({ level: 'silent', secrets: [] });
    const adapter = createSlackAdapter({
      botToken: slack.token,
      signingSecret: slack.signingSecret,
      apiUrl: slack.apiUrl,
      workingReaction: 'eyes',
      log,
    });
    await adapter.init();
    const stored: IncomingMessage[] = [];
    let failing = true;
    await adapter.start(
      inbound(async (message) => {
        if (failing) throw new Error('redis is down');
        stored.push(message);
      }),
    );
    const route = adapter.routes.find((r) => r.path === '/slack/events');
    if (!route) throw new Error('no events route');
    const body = JSON.stringify(slack.envelope(slack.dm({ text: 'store me' })));
    const send = async (retryNum?: number) => {
      const timestamp = Math.floor(Date.now() / 1000);
      const request = new Request('http://bridge.test/slack/events', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Slack-Request-Timestamp': String(timestamp),
          'X-Slack-Signature': slackSignature(slack.signingSecret, timestamp, body),
          ...(retryNum !== undefined && { 'X-Slack-Retry-Num': String(retryNum) }),
        },
        body,
      });
      return (await route.handle(request)).status;
    };
    try {
      expect(await send()).toBe(503);
      expect(stored).toHaveLength(0);
      failing = false;
      expect(await send(1)).toBe(200);
      expect(stored.map((m) => m.text)).toEqual(['store me']);
    } finally {
      await adapter.stop();
    }
  });
});

describe('socket mode', () => {
  it('answers over Socket Mode, acknowledging each envelope once stored, and drops redeliveries', async () => {
    const { bridge } = await fx.start(socketEnv());
    expect(slack.socketConnected).toBe(true);
    const first = slack.dm({ text: 'over the socket' });
    const envelope = slack.socketEvent(first);
    await slack.waitFor(() => slack.socketAcks.includes(envelope), 5_000, 'the ack');
    const again = slack.socketEvent(first, { retryNum: 1 });
    await slack.waitFor(() => slack.socketAcks.includes(again), 5_000, 'the ack of the redelivery');
    slack.socketEvent(slack.dm({ text: 'second' }));
    await slack.waitFor(() => slack.postedTo(DM).length === 2, 10_000, 'two replies');
    expect(slack.postedTo(DM)).toEqual(['echo: over the socket', 'echo: second']);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['over the socket', 'second']);
    const health = await monitor(bridge.port, '/healthz');
    expect(await health.json()).toMatchObject({ checks: { slack: { ok: true, detail: 'socket mode' } } });
    const noRoute = await fetch(`http://127.0.0.1:${bridge.port}/slack/events`, {
      method: 'POST',
      body: '{}',
    });
    expect(noRoute.status).toBe(404);
  });

  it('leaves an envelope unacknowledged when storing fails, so that Slack redelivers it', async () => {
    const adapter = createSlackAdapter({
      botToken: slack.token,
      appToken: slack.appToken,
      apiUrl: slack.apiUrl,
      workingReaction: 'eyes',
      log: createLogger({ level: 'silent', secrets: [] }),
    });
    await adapter.init();
    const stored: string[] = [];
    let calls = 0;
    await adapter.start(
      inbound(async (message) => {
        calls++;
        if (calls === 1) throw new Error('redis is down');
        stored.push(message.text ?? '');
      }),
    );
    try {
      const lost = slack.dm({ text: 'not stored' });
      const failed = slack.socketEvent(lost);
      await slack.waitFor(() => calls === 1, 5_000, 'the first hand-in');
      // Acks travel in order on the one socket: once the next one arrived, the first would have too.
      const next = slack.socketEvent(slack.dm({ text: 'stored' }));
      await slack.waitFor(() => slack.socketAcks.includes(next), 5_000, 'the second ack');
      expect(slack.socketAcks).not.toContain(failed);
      const redelivered = slack.socketEvent(lost, { retryNum: 1 });
      await slack.waitFor(() => slack.socketAcks.includes(redelivered), 5_000, 'the redelivery ack');
      expect(stored).toEqual(['stored', 'not stored']);
    } finally {
      await adapter.stop();
    }
    await slack.waitFor(() => !slack.socketConnected, 5_000, 'the socket to close on stop');
  });

  it('reports the socket on /healthz: unhealthy while it is down, healthy again once Slack reconnects it', async () => {
    const { bridge } = await fx.start(socketEnv());
    const health = async () => {
      const res = await monitor(bridge.port, '/healthz');
      return ((await res.json()) as { checks: Record<string, { ok: boolean; detail: string }> }).checks.slack;
    };
    expect(await health()).toEqual({ ok: true, detail: 'socket mode' });
    slack.dropSockets();
    await eventually(async () => (await health())?.ok === false, 10_000, 'health to turn unhealthy');
    expect(await health()).toEqual({ ok: false, detail: 'socket mode disconnected' });
    await eventually(async () => (await health())?.ok === true, 15_000, 'the reconnect');
    expect(slack.calls.get('apps.connections.open')).toBe(2);
    slack.socketEvent(slack.dm({ text: 'still there?' }));
    await slack.waitFor(() => slack.postedTo(DM).length === 1, 10_000, 'the reply after reconnecting');
  });

  describe('a connection that stops answering', () => {
    /** A Socket Mode receiver that pings every 200 ms and gives a connection 600 ms to answer. */
    async function receiving(received: string[]) {
      const adapter = createSlackAdapter({
        botToken: slack.token,
        appToken: slack.appToken,
        apiUrl: slack.apiUrl,
        workingReaction: 'eyes',
        log: createLogger({ level: 'silent', secrets: [] }),
        socketPingTimeoutMs: 600,
      });
      await adapter.init();
      await adapter.start(
        inbound(async (message) => {
          received.push(message.text ?? '');
        }),
      );
      expect(await adapter.health()).toEqual({ ok: true, detail: 'socket mode' });
      return adapter;
    }

    it('is closed by the SDK and opened again, unhealthy meanwhile', async () => {
      const received: string[] = [];
      const adapter = await receiving(received);
      try {
        slack.stallSockets('silent');
        await eventually(async () => !(await adapter.health()).ok, 3_000, 'health to turn red');
        await slack.waitFor(() => slack.socketConnected, 5_000, 'a new connection');
        expect(slack.calls.get('apps.connections.open')).toBe(2);
        await eventually(async () => (await adapter.health()).ok, 3_000, 'health to turn green');
        slack.socketEvent(slack.dm({ text: 'after the stall' }));
        await slack.waitFor(() => received.length === 1, 5_000, 'the event on the new connection');
        expect(received).toEqual(['after the stall']);
      } finally {
        await adapter.stop();
      }
    });

    it('keeps trying to connect again while Slack cannot be reached', async () => {
      const adapter = await receiving([]);
      try {
        // One try is three apps.connections.open requests (two retries); left to itself, the SDK
        // would give up for good after the first failed try.
        slack.resetCalls('apps.connections.open', 3);
        slack.stallSockets('silent');
        await slack.waitFor(() => slack.calls.get('apps.connections.open') === 4, 10_000, 'the attempts');
        await slack.waitFor(() => slack.socketConnected, 10_000, 'a new connection');
        await eventually(async () => (await adapter.health()).ok, 3_000, 'health to turn green');
      } finally {
        await adapter.stop();
      }
    });

    it('reports unhealthy while a dead connection waits for its close handshake', async () => {
      const adapter = await receiving([]);
      try {
        slack.stallSockets('half-open');
        await eventually(async () => !(await adapter.health()).ok, 3_000, 'health to turn red');
        expect(await adapter.health()).toEqual({ ok: false, detail: 'socket mode disconnected' });
        // The SDK waits up to 30 s for the close handshake of a dead connection; cut it sooner.
        expect(slack.calls.get('apps.connections.open')).toBe(1);
        slack.dropSockets();
        await slack.waitFor(() => slack.socketConnected, 5_000, 'a new connection');
        await eventually(async () => (await adapter.health()).ok, 3_000, 'health to turn green');
      } finally {
        await adapter.stop();
      }
    });
  });

  it('fails start-up with a clear error when Slack refuses the app-level token', async () => {
    const adapter = createSlackAdapter({
      botToken: slack.token,
      appToken: 'xapp-1-A000-0000-wrong',
      apiUrl: slack.apiUrl,
      workingReaction: 'eyes',
      log: createLogger({ level: 'silent', secrets: [] }),
    });
    await adapter.init();
    await expect(adapter.start(inbound(async () => {}))).rejects.toThrow(
      /^Slack refused SLACK_APP_TOKEN \(invalid_auth\): /,
    );
    await adapter.stop();
  });
});
