/**
 * What a Discord user and operator see, end to end: the real discord.js against the fake Discord
 * (REST and gateway), the real worker against a real Redis, the real Aksita client against the fake
 * agent. What every platform does alike (order, text-only notice, splitting, 429s) is in
 * `platforms.test.ts`; here is what only Discord does.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { createDiscordAdapter, MESSAGE_CONTENT_HELP } from '../../adapters/discord/index.ts';
import type { Inbound, IncomingMessage } from '../../src/core/contract.ts';
import { PlatformError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { deletePrefix, eventually, monitor, spawnBridge, testEnv } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });
let discord: FakeDiscord;
let general: string;
let support: string;

beforeEach(async () => {
  discord = await startFakeDiscord();
  fx.adopt(discord, [discord.token]);
  ({ general, support } = discord.guild.channels);
});

const start = (env: Record<string, string> = {}) =>
  fx.start({ DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, ...env });
const DM = '900000000000000001';
const agentHeard = () => fx.aksita.chats.map((c) => c.message);

describe('direct messages', () => {
  it('shows typing while the agent thinks, then posts each response element as its own message, in order, pinging no one', async () => {
    fx.aksita.reply = (message) => [`Hello! You said: ${message}`, 'What else can I do for you?'];
    fx.aksita.latencyMs = 1_000;
    await start();
    discord.userMessage({ channelId: DM, content: 'hi there' });
    await discord.waitFor(() => discord.sentTo(DM).length === 2, 10_000, 'two replies');
    expect(discord.sentTo(DM)).toEqual(['Hello! You said: hi there', 'What else can I do for you?']);
    const typing = discord.typing.filter((t) => t.channelId === DM);
    expect(typing.length).toBeGreaterThan(0);
    expect(typing[0]?.at).toBeLessThanOrEqual(discord.sent[0]?.at ?? 0);
    for (const sent of discord.sent) {
      expect(sent.messageReference).toBeUndefined();
      expect(sent.allowedMentions).toEqual({ parse: [], replied_user: false });
    }
    expect(fx.aksita.chats[0]?.additionalContext).toBe(
      'Platform: Discord; Chat type: private chat; User: "Ana Lim"',
    );
  });
});

describe('guild channels', () => {
  it('never pings @everyone or @here from an agent answer', async () => {
    fx.aksita.reply = () => ['Attention @everyone and @here: the shop opens at nine.'];
    await start();
    discord.userMessage({ channelId: general, content: 'when do you open?', mentionsBot: true });
    await discord.waitFor(() => discord.sent.length === 1, 10_000, 'the reply');
    expect(discord.sent[0]?.allowedMentions).toEqual({ parse: [], replied_user: false });
    expect(discord.sent[0]?.mentionEveryone).toBe(false);
  });

  it('answers a mention with a reply to the message, and ignores chatter and other bots', async () => {
    await start();
    discord.userMessage({ channelId: general, content: 'just talking among ourselves' });
    discord.userMessage({ channelId: general, content: 'I am a bot too', mentionsBot: true, bot: true });
    discord.userMessage({ channelId: general, attachments: 2 });
    const asked = discord.userMessage({ channelId: general, content: 'what is new?', mentionsBot: true });
    await discord.waitFor(() => discord.sentTo(general).length === 1, 10_000, 'one reply');
    expect(agentHeard()).toEqual(['what is new?']);
    expect(discord.sent[0]).toMatchObject({ content: 'echo: what is new?', replyTo: asked.id });
    expect(fx.aksita.chats[0]?.additionalContext).toContain('Chat type: group chat');
  });

  it('answers a reply to the bot, a listed role and everything in a respond channel, nothing else', async () => {
    const { helpers, other } = discord.roles;
    await start({ DISCORD_MENTION_ROLES: helpers, DISCORD_RESPOND_CHANNELS: support });
    discord.userMessage({ channelId: general, content: 'not for you', mentionRoles: [other] });
    discord.userMessage({ channelId: general, content: 'a question for helpers', mentionRoles: [helpers] });
    discord.userMessage({
      channelId: general,
      content: 'and a follow-up',
      replyToBot: true,
      replyPing: false,
    });
    discord.userMessage({ channelId: support, content: 'anyone here?' });
    await discord.waitFor(() => discord.sent.length === 3, 10_000, 'three replies');
    expect(agentHeard().sort()).toEqual(['a question for helpers', 'and a follow-up', 'anyone here?']);
    expect(discord.sentTo(general)).toEqual(['echo: a question for helpers', 'echo: and a follow-up']);
    expect(discord.sentTo(support)).toEqual(['echo: anyone here?']);
  });

  it('with DISCORD_AUTO_THREAD, answers in a new thread on the message and continues there without a mention', async () => {
    fx.aksita.reply = (message, { turn }) => [`${turn}: ${message}`];
    await start({ DISCORD_AUTO_THREAD: 'true' });
    const asked = discord.userMessage({
      channelId: general,
      content: 'help with my order',
      mentionsBot: true,
    });
    await discord.waitFor(() => discord.sent.length === 1, 10_000, 'the first answer');
    expect(discord.threads).toMatchObject([{ id: asked.id, parentId: general, name: 'help with my order' }]);
    expect(discord.sentTo(asked.id)).toEqual(['1: help with my order']);
    expect(discord.sentTo(general)).toEqual([]);

    discord.userMessage({ channelId: asked.id, content: 'it is order 42' });
    await discord.waitFor(() => discord.sent.length === 2, 10_000, 'the follow-up answer');
    expect(discord.sentTo(asked.id)).toEqual(['1: help with my order', '2: it is order 42']);
    expect(fx.aksita.sessions).toHaveLength(1);
    expect(discord.threads).toHaveLength(1);
  });

  it("keeps a thread's order whether its messages mention the bot or not", async () => {
    await start({ DISCORD_AUTO_THREAD: 'true' });
    const asked = discord.userMessage({ channelId: general, content: 'first', mentionsBot: true });
    await discord.waitFor(() => discord.sent.length === 1, 10_000, 'the first answer');
    // The router looks up the thread's conversation for the unaddressed one only: the adapter must
    // still hand them in one after the other.
    discord.userMessage({ channelId: asked.id, content: 'second, no mention' });
    discord.userMessage({ channelId: asked.id, content: 'third', mentionsBot: true });
    await discord.waitFor(() => discord.sent.length === 3, 10_000, 'three answers');
    expect(discord.sentTo(asked.id)).toEqual(['echo: first', 'echo: second, no mention', 'echo: third']);
  });

  it('ignores chatter in a thread that has no conversation yet', async () => {
    await start({ DISCORD_AUTO_THREAD: 'true' });
    const thread = discord.createThread(general);
    discord.userMessage({ channelId: thread, content: 'people talking' });
    discord.userMessage({ channelId: thread, content: 'now you', mentionsBot: true });
    await discord.waitFor(() => discord.sent.length === 1, 10_000, 'one reply');
    expect(agentHeard()).toEqual(['now you']);
    expect(discord.sentTo(thread)).toEqual(['echo: now you']);
    expect(discord.threads).toHaveLength(1); // no thread inside the thread
  });
});

describe('Discord failures', () => {
  it('retries a 5xx, skips a message Discord refuses, and never logs the token', async () => {
    await start();
    discord.script({ status: 502 }, { status: 400, code: 50035 });
    discord.userMessage({ channelId: DM, content: 'first' });
    discord.userMessage({ channelId: DM, content: 'second' });
    await discord.waitFor(() => discord.sent.length === 1, 15_000, 'one reply');
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 2, 10_000, 'both agent calls');
    // 502 → retried; 400 (Invalid Form Body) → that answer skipped; the next message goes on.
    expect(discord.sendAttempts.map((a) => a.status)).toEqual([502, 400, 200]);
    expect(discord.sentTo(DM)).toEqual(['echo: second']);
    expect(fx.bridges[0]?.logs.text).not.toContain(discord.token);
  });

  it('keeps receiving after the gateway connection drops, without losing a message', async () => {
    const { bridge } = await start();
    const health = async () =>
      (await (await monitor(bridge.port, '/healthz')).json()) as {
        checks: Record<string, unknown>;
      };
    expect((await health()).checks.discord).toEqual({ ok: true, detail: 'connected' });
    discord.dropConnection();
    discord.userMessage({ channelId: DM, content: 'sent while the bot was away' });
    await discord.waitFor(() => discord.sent.length === 1, 15_000, 'the reply');
    expect(discord.sentTo(DM)).toEqual(['echo: sent while the bot was away']);
    expect(discord.resumes).toHaveLength(1);
    expect((await health()).checks.discord).toEqual({ ok: true, detail: 'connected' });
  });

  it('posts from a worker-only process, which never opens the gateway', async () => {
    const receiver = await start({ BRIDGE_ROLE: 'receiver' });
    await start({ BRIDGE_ROLE: 'worker', REDIS_PREFIX: receiver.config.redisPrefix });
    discord.userMessage({ channelId: DM, content: 'split roles' });
    await discord.waitFor(() => discord.sent.length === 1, 15_000, 'the reply');
    expect(discord.identifies).toHaveLength(1);
    expect(discord.sentTo(DM)).toEqual(['echo: split roles']);
  });
});

describe('start-up', () => {
  /** A start that must fail; the keys its half-started bridge wrote are deleted afterwards. */
  async function failedStart(env: Record<string, string> = {}): Promise<Error> {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    try {
      await start({ ...env, REDIS_PREFIX: prefix });
      return new Error('the bridge started');
    } catch (err) {
      return err as Error;
    } finally {
      const redis = new Redis(inject('redisUrl'));
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }

  it('refuses to start with a clear message when the Message Content intent is off', async () => {
    discord.denyMessageContent = true;
    expect((await failedStart()).message).toBe(MESSAGE_CONTENT_HELP);
    expect(discord.closes).toContainEqual({ code: 4014, by: 'server' });
  });

  it('exits with that one line when run as a process', async () => {
    discord.denyMessageContent = true;
    const overrides = {
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      LOG_LEVEL: 'warn',
    };
    const env = testEnv({ aksita: fx.aksita }, overrides);
    const bridge = spawnBridge(env);
    expect((await bridge.exited).code).toBe(1);
    expect(bridge.output().trim()).toBe(MESSAGE_CONTENT_HELP);
    const redis = new Redis(inject('redisUrl'));
    await deletePrefix(redis, env.REDIS_PREFIX as string);
    redis.disconnect();
  });

  it('says Discord refused the token, without printing it', async () => {
    const wrong = 'wrong-discord-token.XYZ987';
    fx.secrets.push(wrong);
    const failure = await failedStart({ DISCORD_BOT_TOKEN: wrong });
    expect(failure.message).toMatch(/^Discord refused DISCORD_BOT_TOKEN \(401 /);
    expect(failure.message).not.toContain(wrong);
  });
});

describe('the adapter on its own', () => {
  const log = createLogger({ level: 'silent', secrets: [] });
  const adapterFor = (maxRateLimitWaitMs?: number) =>
    createDiscordAdapter({
      token: discord.token,
      apiUrl: discord.apiUrl,
      mentionRoles: [],
      respondChannels: [],
      autoThread: false,
      log,
      ...(maxRateLimitWaitMs !== undefined && { maxRateLimitWaitMs }),
    });
  /** What the core hands `start`: here only messages matter. */
  const inbound = (message: Inbound['message']): Inbound => ({
    message,
    command: async () => 'no commands here',
    menu: [],
    adminIds: [],
  });

  it('hands a message in again until it is stored, keeping the next one behind it', async () => {
    const adapter = adapterFor();
    await adapter.init();
    const stored: string[] = [];
    let failures = 0;
    await adapter.start(
      inbound(async (message: IncomingMessage) => {
        if (message.text === 'one' && failures < 2) {
          failures++;
          throw new Error('redis is down');
        }
        stored.push(message.text ?? '');
      }),
    );
    try {
      discord.userMessage({ channelId: DM, content: 'one' });
      discord.userMessage({ channelId: DM, content: 'two' });
      await discord.waitFor(() => stored.length === 2, 10_000, 'both stored');
      expect(stored).toEqual(['one', 'two']);
      expect(failures).toBe(2);
    } finally {
      await adapter.stop();
    }
  });

  it('reports its health: sending only before start, connected while the gateway is up', async () => {
    const adapter = adapterFor();
    expect((await adapter.health()).ok).toBe(false);
    await adapter.init();
    expect(await adapter.health()).toEqual({ ok: true, detail: 'sending only' });
    await adapter.start(inbound(async () => {}));
    expect(await adapter.health()).toEqual({ ok: true, detail: 'connected' });
    await adapter.stop();
    expect(discord.connected).toBe(false);
  });

  it('turns refusals into final kinds, server errors into transient ones, long rate limits into a wait', async () => {
    const adapter = adapterFor(100);
    await adapter.init();
    const fail = (text: string) =>
      adapter.send({ channel: DM }, text).then(
        () => undefined,
        (err: unknown) => err as PlatformError,
      );
    discord.userMessage({ channelId: DM, content: 'open the DM' });
    await adapter.send({ channel: DM }, 'welcome'); // discord.js learns the route's bucket
    discord.script({ status: 403 }, { status: 502 }, { status: 429, retryAfter: 2 });
    const forbidden = await fail('a');
    expect(forbidden).toBeInstanceOf(PlatformError);
    expect(forbidden?.kind).toBe('chat_refused');
    const serverError = await fail('b');
    expect(serverError).toBeInstanceOf(PlatformError);
    expect(serverError?.kind).toBe('transient');
    const started = Date.now();
    const limited = await fail('c');
    expect(limited?.kind).toBe('rate_limited');
    expect(limited?.options.retryAfterMs).toBeGreaterThanOrEqual(2_000);
    // Told to wait, the adapter does not knock again before the time is up.
    expect((await fail('d'))?.options.retryAfterMs).toBeGreaterThan(1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(discord.sendAttempts).toHaveLength(4);
    expect(discord.sentTo(DM)).toEqual(['welcome']);
  });
});

describe('a gateway that stops answering', () => {
  let quick: FakeDiscord;
  beforeEach(async () => {
    // Heartbeats every 200 ms: discord.js takes a connection for a zombie after about 400 ms.
    quick = await startFakeDiscord({ heartbeatIntervalMs: 200 });
    fx.secrets.push(quick.token);
    fx.onCleanup.push(() => quick.close());
  });

  async function receiving(stored: string[]) {
    const adapter = createDiscordAdapter({
      token: quick.token,
      apiUrl: quick.apiUrl,
      mentionRoles: [],
      respondChannels: [],
      autoThread: false,
      log: createLogger({ level: 'silent', secrets: [] }),
    });
    await adapter.init();
    await adapter.start({
      message: async (message) => {
        stored.push(message.text ?? '');
      },
      command: async () => '',
      menu: [],
      adminIds: [],
    });
    // Once a heartbeat was acknowledged, discord.js has said how often it beats.
    await quick.waitFor(() => quick.heartbeatAcks > 0, 2_000, 'a first heartbeat');
    return adapter;
  }

  it('is closed and resumed by discord.js once heartbeats go unacknowledged, and what was sent meanwhile arrives', async () => {
    const stored: string[] = [];
    const adapter = await receiving(stored);
    try {
      quick.stallGateway('silent');
      quick.userMessage({ channelId: DM, content: 'while the gateway was silent' });
      await eventually(async () => !(await adapter.health()).ok, 2_000, 'health to turn red');
      await quick.waitFor(() => quick.resumes.length === 1, 5_000, 'the resume');
      await quick.waitFor(() => stored.length === 1, 5_000, 'the replayed message');
      expect(stored).toEqual(['while the gateway was silent']);
      expect(quick.closes).toContainEqual({ code: 4200, by: 'client' });
      expect(quick.identifies).toHaveLength(1);
      await eventually(async () => (await adapter.health()).ok, 2_000, 'health to turn green');
    } finally {
      await adapter.stop();
    }
  });

  it('reports unhealthy while a dead connection waits to be closed, and healthy once it is resumed', async () => {
    const adapter = await receiving([]);
    try {
      expect(await adapter.health()).toEqual({ ok: true, detail: 'connected' });
      quick.stallGateway('half-open');
      await eventually(async () => !(await adapter.health()).ok, 2_000, 'health to turn red');
      expect((await adapter.health()).detail).toMatch(/^no heartbeat acknowledged for \d+ s$/);
      // discord.js would wait 30 s for the close handshake of a dead connection; cut it sooner.
      quick.dropConnection();
      await quick.waitFor(() => quick.resumes.length === 1, 5_000, 'the resume');
      await eventually(async () => (await adapter.health()).ok, 2_000, 'health to turn green');
      expect(await adapter.health()).toEqual({ ok: true, detail: 'connected' });
    } finally {
      await adapter.stop();
    }
  });
});
