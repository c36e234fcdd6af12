/**
 * The fake Discord behaves like the real one through the real discord.js: login over REST and the
 * gateway, READY and the guild, heartbeats, messages in guilds and DMs, sends with their checks,
 * 429s that discord.js waits out, refusals, threads, resuming a dropped connection, bad tokens and a
 * disallowed Message Content intent; slash commands (registration, interactions, deferred replies and
 * their edits) and DM channels.
 */
import {
  ChannelType,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  type Message,
  MessageFlags,
  Partials,
  REST,
  Routes,
  Status,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DISCORD_REFUSALS, type FakeDiscord, startFakeDiscord } from './discord.ts';

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

  it('refuses a channel, or every post, with the status and JSON code until told otherwise', async () => {
    const { general, support } = fake.guild.channels;
    const send = (channel: string) =>
      rest()
        .post(Routes.channelMessages(channel), { body: { content: 'x' } })
        .catch((err: unknown) => err);
    fake.refuseChannel(general, DISCORD_REFUSALS.missingAccess);
    const refused = await send(general);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ status: 403, code: 50001, message: 'Missing Access' });
    const typing = await rest()
      .post(Routes.channelTyping(general))
      .catch((err: unknown) => err);
    expect(typing).toMatchObject({ status: 403, code: 50001 });
    await send(support);
    fake.refuseChannel(general, null);
    fake.failSends(DISCORD_REFUSALS.tooLong);
    const tooLong = await send(support);
    expect((tooLong as DiscordAPIError).rawError).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
      },
    });
    fake.failSends(null);
    await send(general);
    expect(fake.sendAttempts.map((a) => a.status)).toEqual([403, 200, 400, 200]);
  });

  it('answers 401 to every REST call once the token is revoked, and holds a post until the client gives up', async () => {
    await rest().get(Routes.user());
    fake.script({ hold: true });
    const held = await new REST({ api: fake.apiUrl, retries: 0, timeout: 200 })
      .setToken(fake.token)
      .post(Routes.channelMessages(fake.guild.channels.general), { body: { content: 'lost' } })
      .catch((err: unknown) => err);
    expect((held as Error).name).toBe('AbortError');
    await fake.waitFor(() => fake.heldPosts === 0, 2_000, 'the held post dropped');
    fake.revokeToken();
    const revoked = await rest()
      .get(Routes.user())
      .catch((err: unknown) => err);
    expect(revoked).toMatchObject({ status: 401, code: 0, message: '401: Unauthorized' });
    expect(fake.sent).toHaveLength(0);
  });

  it('stalls the gateway: no heartbeat ACKs, dispatches kept for the RESUME that follows the zombie check', async () => {
    const { messages } = await loggedIn();
    await fake.waitFor(() => fake.heartbeatAcks > 0, 2_000, 'a first heartbeat');
    fake.stallGateway('silent');
    expect(fake.connected).toBe(false);
    fake.userMessage({ channelId: fake.guild.channels.general, content: 'while stalled' });
    await fake.waitFor(() => messages.length === 1, 5_000, 'the replayed message');
    expect(fake.closes).toContainEqual({ code: 4200, by: 'client' });
    expect(fake.resumes).toHaveLength(1);
    expect(fake.connected).toBe(true);
  });

  it("half-opens the gateway: the client's close goes unanswered until the connection is cut", async () => {
    const { client, messages } = await loggedIn();
    await fake.waitFor(() => fake.heartbeatAcks > 0, 2_000, 'a first heartbeat');
    let zombie = false;
    client.on('debug', (line) => {
      if (line.includes('Zombie connection')) zombie = true;
    });
    fake.stallGateway('half-open');
    fake.userMessage({ channelId: fake.guild.channels.general, content: 'while the connection was dead' });
    await fake.waitFor(() => zombie, 2_000, 'discord.js to see a zombie');
    expect(fake.closes).toEqual([]);
    expect(client.ws.shards.first()?.status).toBe(Status.Ready);
    fake.dropConnection();
    await fake.waitFor(() => messages.length === 1, 5_000, 'the replayed message');
    expect(fake.resumes).toHaveLength(1);
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

describe('fake Discord: slash commands and DMs', () => {
  const help = { name: 'help', description: 'What this bot does', type: 1, dm_permission: true };
  const credits = { name: 'credits', description: 'Credit balance and spend', type: 1 };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => err as DiscordAPIError,
    );

  it("stores the global commands a bulk overwrite sends, keeping each name's id, and refuses invalid ones", async () => {
    const api = rest();
    const first = (await api.put(Routes.applicationCommands(fake.bot.id), {
      body: [help, credits],
    })) as Array<{
      id: string;
      name: string;
    }>;
    expect(first.map((c) => c.name)).toEqual(['help', 'credits']);
    expect(await api.get(Routes.applicationCommands(fake.bot.id))).toEqual(first);
    await api.put(Routes.applicationCommands(fake.bot.id), { body: [help] });
    expect(fake.commands).toMatchObject([{ id: first[0]?.id, name: 'help', dm_permission: true, type: 1 }]);
    const put = (body: unknown, app = fake.bot.id) =>
      refusal(api.put(Routes.applicationCommands(app), { body }));
    expect((await put([{ ...help, name: 'Help' }]))?.code).toBe(50035);
    expect((await put([{ ...help, description: '' }]))?.code).toBe(50035);
    expect((await put([help, help]))?.code).toBe(50035);
    expect((await put([help], '123456789012345678'))?.status).toBe(403);
    expect(fake.commands.map((c) => c.name)).toEqual(['help']);
  });

  it('dispatches a slash command discord.js understands, and records its deferred ephemeral reply and the edit', async () => {
    const { client } = await loggedIn();
    const seen: Interaction[] = [];
    const failures: unknown[] = [];
    client.on('interactionCreate', (interaction) => {
      seen.push(interaction);
      if (!interaction.isChatInputCommand()) return;
      (async () => {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply(`hi ${interaction.user.username}`);
      })().catch((err: unknown) => failures.push(err));
    });
    const { general } = fake.guild.channels;
    const inGuild = fake.slashCommand({ name: 'help', userId: '333333333333333333', channelId: general });
    const inDm = fake.slashCommand({
      name: 'help',
      userId: '444444444444444444',
      channelId: '900000000000000002',
    });
    await fake.waitFor(() => fake.interactionEdits.length + failures.length === 2, 5_000, 'two edits');
    expect(failures).toEqual([]);
    const [guildCall, dmCall] = seen;
    expect(guildCall?.isChatInputCommand() && guildCall.commandName).toBe('help');
    expect(guildCall?.guildId).toBe(fake.guild.id);
    expect(guildCall?.channelId).toBe(general);
    expect(guildCall?.user.id).toBe('333333333333333333');
    expect(guildCall?.member).not.toBeNull();
    expect(dmCall?.guildId).toBeNull();
    expect(dmCall?.channel?.type).toBe(ChannelType.DM);
    expect(dmCall?.user.id).toBe('444444444444444444');
    expect(fake.interactionCallbacks).toHaveLength(2);
    for (const id of [inGuild.id, inDm.id]) {
      const callback = fake.interactionCallbacks.find((c) => c.interactionId === id);
      expect(callback).toMatchObject({ type: 5, flags: 64, status: 204 });
    }
    const edits = fake.interactionEdits.map((e) => [e.interactionId, e.content]);
    expect(edits.sort()).toEqual([
      [inGuild.id, 'hi user333333333333333333'],
      [inDm.id, 'hi user444444444444444444'],
    ]);
    // The interaction token authorizes these routes: discord.js sends no bot token with them.
    expect(fake.unknownRoutes).toEqual([]);
  });

  it('refuses a second response, a late one, a wrong token, and an edit before any response', async () => {
    const callback = (id: string, token: string) =>
      refusal(
        rest().post(Routes.interactionCallback(id, token), {
          auth: false,
          body: { type: 5, data: { flags: 64 } },
        }),
      );
    const edit = (token: string) =>
      refusal(
        rest().patch(Routes.webhookMessage(fake.bot.id, token), { auth: false, body: { content: 'answer' } }),
      );
    const { general } = fake.guild.channels;
    const call = fake.slashCommand({ name: 'credits', userId: '333333333333333333', channelId: general });
    expect((await edit(call.token))?.status).toBe(404);
    expect((await callback(call.id, 'not-the-token'))?.status).toBe(401);
    expect(await callback(call.id, call.token)).toBeUndefined();
    expect(await callback(call.id, call.token)).toMatchObject({ status: 400, code: 40060 });
    expect(await edit(call.token)).toBeUndefined();
    const late = fake.slashCommand({ name: 'credits', userId: '3', channelId: general, ageMs: 3_001 });
    expect(await callback(late.id, late.token)).toMatchObject({ status: 404, code: 10062 });
    fake.interactionTimeoutMs = 10_000;
    const slow = fake.slashCommand({ name: 'credits', userId: '3', channelId: general, ageMs: 3_001 });
    expect(await callback(slow.id, slow.token)).toBeUndefined();
    expect(fake.interactionCallbacks.map((c) => c.status)).toEqual([401, 204, 400, 404, 204]);
    expect(fake.interactionEdits.map((e) => e.content)).toEqual(['answer']);
  });

  it('opens one DM channel per user, and refuses to post to a user who accepts no DMs', async () => {
    const api = rest();
    const open = async (userId: string) =>
      (
        (await api.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
          id: string;
          type: number;
        }
      ).id;
    const ana = await open('555555555555555555');
    expect(await open('555555555555555555')).toBe(ana);
    const bo = await open('666666666666666666');
    expect(bo).not.toBe(ana);
    expect(fake.dmChannels.map((d) => [d.userId, d.channelId])).toEqual([
      ['555555555555555555', ana],
      ['555555555555555555', ana],
      ['666666666666666666', bo],
    ]);
    await api.post(Routes.channelMessages(ana), { body: { content: 'hello Ana' } });
    fake.dmsClosed.add('666666666666666666');
    const closed = await refusal(api.post(Routes.channelMessages(bo), { body: { content: 'hello Bo' } }));
    expect(closed).toMatchObject({ status: 403, code: 50007 });
    expect(fake.sentTo(ana)).toEqual(['hello Ana']);
    expect(fake.sentTo(bo)).toEqual([]);
    // A user who already wrote to the bot gets the DM channel they wrote in.
    fake.userMessage({ channelId: '900000000000000003', authorId: '777777777777777777', content: 'hi' });
    expect(await open('777777777777777777')).toBe('900000000000000003');
  });
});
