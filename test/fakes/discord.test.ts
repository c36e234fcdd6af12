/**
 * The fake Discord behaves like the real one through the real discord.js: login over REST and the
 * gateway, READY and the guild, heartbeats, messages in guilds and DMs, sends with their checks,
 * 429s that discord.js waits out, refusals, threads, resuming a dropped connection, bad tokens and a
 * disallowed Message Content intent.
 */
import {
  ChannelType,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  HTTPError,
  type Message,
  Partials,
  REST,
  Routes,
  Status,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeDiscord, startFakeDiscord } from './discord.ts';

const ALL_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

let fake: FakeDiscord;
const clients: Client[] = [];

beforeEach(async () => {
  fake = await startFakeDiscord({ heartbeatIntervalMs: 100 });
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  await fake.close();
});

function newClient(intents = ALL_INTENTS): Client {
  const client = new Client({
    intents,
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl, retries: 0 },
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

async function loggedIn(intents = ALL_INTENTS): Promise<{ client: Client; messages: Message[] }> {
  const client = newClient(intents);
  const messages: Message[] = [];
  client.on('messageCreate', (m) => messages.push(m));
  const ready = new Promise((resolve) => client.once('clientReady', resolve));
  await client.login(fake.token);
  await ready;
  return { client, messages };
}

const rest = (token = fake.token) => new REST({ api: fake.apiUrl, retries: 0 }).setToken(token);

describe('fake Discord through discord.js', () => {
  it('logs in: gateway URL over REST, IDENTIFY with the intents, READY, the guild with channels and roles', async () => {
    const { client } = await loggedIn();
    expect(client.user?.id).toBe(fake.bot.id);
    expect(client.user?.bot).toBe(true);
    expect(client.ws.status).toBe(Status.Ready);
    const guild = client.guilds.cache.get(fake.guild.id);
    expect(guild?.channels.cache.get(fake.guild.channels.general)?.type).toBe(ChannelType.GuildText);
    expect(guild?.roles.cache.get(fake.roles.helpers)?.name).toBe('Helpers');
    expect(fake.identifies).toHaveLength(1);
    expect(fake.identifies[0]?.intents).toBe(
      (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15), // Guilds, GuildMessages, DirectMessages, MessageContent
    );
    expect(fake.connected).toBe(true);
    expect(fake.unknownRoutes).toEqual([]);
  });

  it('acknowledges heartbeats', async () => {
    const { client } = await loggedIn();
    await fake.waitFor(() => (client.ws.shards.first()?.ping ?? -1) >= 0, 5_000, 'a heartbeat ACK');
  });

  it('delivers guild messages with mentions, replies and members, and DMs through Partials.Channel', async () => {
    const { messages } = await loggedIn();
    const { general } = fake.guild.channels;
    const nana = { authorId: '333333333333333333', username: 'nana', nick: 'Nana' };
    fake.userMessage({ channelId: general, content: 'hello there', mentionsBot: true, ...nana });
    fake.userMessage({ channelId: general, content: 'and this?', replyToBot: true });
    fake.userMessage({ channelId: general, content: 'helpers?', mentionRoles: [fake.roles.helpers] });
    fake.userMessage({ channelId: '900000000000000001', content: 'a private word' });
    await fake.waitFor(() => messages.length === 4, 5_000, 'four messages');
    const [mention, reply, role, dm] = messages as [Message, Message, Message, Message];
    expect(mention.content).toBe(`<@${fake.bot.id}> hello there`);
    expect(mention.mentions.users.has(fake.bot.id)).toBe(true);
    expect(mention.member?.nickname).toBe('Nana');
    expect(mention.author.globalName).toBe('Ana Lim');
    expect(reply.reference?.messageId).toBeDefined();
    expect(reply.mentions.repliedUser?.id).toBe(fake.bot.id);
    expect(role.mentions.roles.has(fake.roles.helpers)).toBe(true);
    expect(dm.guildId).toBeNull();
    expect(dm.channel.type).toBe(ChannelType.DM);
    expect(BigInt(dm.id) > BigInt(mention.id)).toBe(true);
  });

  it('strips message content from guild chatter for a bot without the Message Content intent', async () => {
    const { messages } = await loggedIn(ALL_INTENTS.filter((i) => i !== GatewayIntentBits.MessageContent));
    const { general } = fake.guild.channels;
    fake.userMessage({ channelId: general, content: 'chatter' });
    fake.userMessage({ channelId: general, content: 'for you', mentionsBot: true });
    await fake.waitFor(() => messages.length === 2, 5_000, 'two messages');
    expect(messages.map((m) => m.content)).toEqual(['', `<@${fake.bot.id}> for you`]);
  });

  it('accepts a send with its reference and allowed mentions, and refuses what Discord refuses', async () => {
    const api = rest();
    const { general } = fake.guild.channels;
    const user = fake.userMessage({ channelId: general, content: 'question' });
    await api.post(Routes.channelMessages(general), {
      body: {
        content: 'hi @everyone',
        message_reference: { message_id: user.id, fail_if_not_exists: false },
        allowed_mentions: { parse: [] },
      },
    });
    expect(fake.sent).toMatchObject([
      { channelId: general, content: 'hi @everyone', replyTo: user.id, mentionEveryone: false },
    ]);
    const refused = (body: object, channel = general) =>
      api.post(Routes.channelMessages(channel), { body }).catch((err: unknown) => err);
    const long = await refused({ content: 'x'.repeat(2001) });
    expect(long).toBeInstanceOf(DiscordAPIError);
    expect((long as DiscordAPIError).code).toBe(50035);
    expect(((await refused({ content: '' })) as DiscordAPIError).code).toBe(50006);
    expect(((await refused({ content: 'a' }, '123')) as DiscordAPIError).code).toBe(10003);
    const missing = { content: 'a', message_reference: { message_id: '1' } };
    expect(((await refused(missing)) as DiscordAPIError).code).toBe(50035);
    expect(fake.sent).toHaveLength(1);
  });

  it('answers 429 with retry_after and rate-limit headers; discord.js waits it out and the send succeeds once', async () => {
    const { general } = fake.guild.channels;
    fake.script({ status: 429, retryAfter: 0.3 });
    const started = Date.now();
    await rest().post(Routes.channelMessages(general), { body: { content: 'after the wait' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.sendAttempts.map((a) => a.status)).toEqual([429, 200]);
    expect(fake.earlyRetries).toBe(0);
    expect(fake.sentTo(general)).toEqual(['after the wait']);
  });

  it('gives another 429 to a send that comes back before retry_after passed', async () => {
    const { general } = fake.guild.channels;
    fake.script({ status: 429, retryAfter: 5 });
    const post = () =>
      fetch(`${fake.apiUrl}/v10${Routes.channelMessages(general)}`, {
        method: 'POST',
        headers: { Authorization: `Bot ${fake.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: 'too soon' }),
      });
    const first = await post();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(await first.json()).toEqual({
      message: 'You are being rate limited.',
      retry_after: 5,
      global: false,
    });
    expect((await post()).status).toBe(429);
    expect(fake.earlyRetries).toBe(1);
    expect(fake.sent).toHaveLength(0);
  });

  it('scripts server errors and permission refusals', async () => {
    const { general } = fake.guild.channels;
    fake.script({ status: 502 }, { status: 403 });
    const send = () =>
      rest()
        .post(Routes.channelMessages(general), { body: { content: 'x' } })
        .catch((err: unknown) => err);
    expect(await send()).toBeInstanceOf(HTTPError);
    const forbidden = await send();
    expect(forbidden).toBeInstanceOf(DiscordAPIError);
    expect((forbidden as DiscordAPIError).code).toBe(50013);
    await send();
    expect(fake.sent).toHaveLength(1);
  });

  it('starts a thread from a message with the message id, announced over the gateway', async () => {
    const { client } = await loggedIn();
    const { general } = fake.guild.channels;
    const user = fake.userMessage({ channelId: general, content: 'start here', mentionsBot: true });
    const thread = (await rest().post(Routes.threads(general, user.id), {
      body: { name: 'start here', auto_archive_duration: 1440 },
    })) as { id: string; type: number; parent_id: string };
    expect(thread).toMatchObject({ id: user.id, type: 11, parent_id: general });
    await fake.waitFor(() => client.channels.cache.get(user.id)?.isThread() === true, 5_000, 'THREAD_CREATE');
    const again = await rest()
      .post(Routes.threads(general, user.id), { body: { name: 'again' } })
      .catch((err: unknown) => err);
    expect((again as DiscordAPIError).code).toBe(160004);
    await rest().post(Routes.channelTyping(user.id));
    expect(fake.typing.map((t) => t.channelId)).toEqual([user.id]);
  });

  it('lets discord.js resume a dropped connection and replays what was dispatched meanwhile', async () => {
    const { client, messages } = await loggedIn();
    fake.dropConnection();
    fake.userMessage({ channelId: fake.guild.channels.general, content: 'while away' });
    await fake.waitFor(() => messages.length === 1, 10_000, 'the replayed message');
    expect(messages[0]?.content).toBe('while away');
    expect(fake.resumes).toHaveLength(1);
    expect(fake.identifies).toHaveLength(1);
    await fake.waitFor(() => client.ws.shards.first()?.status === Status.Ready, 5_000, 'ready again');
  });

  it('refuses a wrong token over REST (401) and at IDENTIFY (4004)', async () => {
    const failure = await newClient()
      .login('wrong-token.value')
      .catch((err: unknown) => err);
    expect((failure as { code?: string }).code).toBe('TokenInvalid');
    const err = await rest('wrong')
      .get(Routes.user())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, code: 0, message: '401: Unauthorized' });

    const ws = new WebSocket(`${fake.gatewayUrl}/?v=10&encoding=json`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data) => {
      const { op } = JSON.parse(String(data)) as { op: number };
      if (op === 10) ws.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 513, properties: {} } }));
    });
    expect(await closed).toBe(4004);
  });

  it('closes with 4014 when the Message Content intent is switched off in the portal', async () => {
    fake.denyMessageContent = true;
    const failure = await newClient()
      .login(fake.token)
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(fake.closes).toContainEqual({ code: 4014, by: 'server' });
    expect(fake.connected).toBe(false);
    // Without the privileged intent the same bot connects.
    await loggedIn(ALL_INTENTS.filter((i) => i !== GatewayIntentBits.MessageContent));
  });
});
