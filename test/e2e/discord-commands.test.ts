/**
 * Discord's slash commands and admin DMs, end to end: the real discord.js and the adapter against the
 * fake Discord, the real core against a real Redis. Commands are registered at start-up, answered
 * privately (a deferred ephemeral reply, then its edit), checked for admin rights on every call, and
 * never reach the agent; admin alerts arrive as direct messages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/index.ts';
import { COMMAND_MENU } from '../../src/core/commands.ts';
import type { Adapter, CommandRequest } from '../../src/core/contract.ts';
import { PlatformError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { loadNotices } from '../../src/notices.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { LogCapture } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const COMMAND_FAILED_TEXT = loadNotices('en').commandFailed;

const fx = useBridgeFixture({ telegram: false });
let discord: FakeDiscord;
let general: string;

beforeEach(async () => {
  discord = await startFakeDiscord();
  fx.adopt(discord, [discord.token]);
  ({ general } = discord.guild.channels);
});

const ADMIN = '810000000000000001';
const USER = '820000000000000002';
const ADMIN_DM = '910000000000000001';
const USER_DM = '920000000000000002';
const NOT_ALLOWED = "Sorry, you're not allowed to use that command.";
const start = (env: Record<string, string> = {}) =>
  fx.start({
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    ADMIN_USERS: `discord:${ADMIN}`,
    ...env,
  });

/** Runs a slash command and waits for its answer (the edit of the deferred reply). */
async function slash(name: string, userId: string, channelId: string): Promise<string> {
  const { id } = discord.slashCommand({ name, userId, channelId });
  await discord.waitFor(
    () => discord.interactionEdits.some((e) => e.interactionId === id),
    10_000,
    `/${name}`,
  );
  return discord.interactionEdits.find((e) => e.interactionId === id)?.content ?? '';
}

describe('slash commands through the bridge', () => {
  it('registers the four commands as global commands usable in DMs at start-up', async () => {
    await start();
    expect(discord.commands.map((c) => c.name)).toEqual(['credits', 'status', 'reset', 'help']);
    for (const command of discord.commands) {
      expect(command).toMatchObject({ type: 1, dm_permission: true });
      expect(command.description).not.toBe('');
    }
  });

  it('answers /credits to an admin in a server privately, deferred first, without asking the agent', async () => {
    await start();
    discord.userMessage({ channelId: ADMIN_DM, authorId: ADMIN, content: 'hello' });
    await discord.waitFor(() => discord.sentTo(ADMIN_DM).length === 1, 10_000, 'the reply');

    const { id } = discord.slashCommand({ name: 'credits', userId: ADMIN, channelId: general });
    await discord.waitFor(() => discord.interactionEdits.length === 1, 10_000, 'the report');
    const [callback] = discord.interactionCallbacks;
    const [edit] = discord.interactionEdits;
    expect(discord.interactionCallbacks).toHaveLength(1);
    expect(callback).toMatchObject({ interactionId: id, type: 5, flags: 64, status: 204 });
    expect(edit?.interactionId).toBe(id);
    expect(callback?.at).toBeLessThanOrEqual(edit?.at ?? 0);
    expect(edit?.content).toMatch(/Balance: 9985 credits \(read \d+ s ago\)/);
    expect(edit?.content).toContain(`discord:${ADMIN_DM}: 15`);
    expect(edit?.allowedMentions).toEqual({ parse: [], replied_user: false });
    // Only the edit of the private reply: nothing is posted in the channel, the agent heard "hello" only.
    expect(discord.sentTo(general)).toEqual([]);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['hello']);
  });

  it('tells anyone else they may not, with no data', async () => {
    await start();
    const guild = await slash('credits', USER, general);
    const dm = await slash('status', USER, USER_DM);
    expect(guild).toBe(NOT_ALLOWED);
    expect(dm).toBe(NOT_ALLOWED);
    expect(discord.interactionCallbacks.map((c) => c.flags)).toEqual([64, 64]);
    expect(fx.aksita.chats).toHaveLength(0);
  });

  it('lets anyone /reset their DM conversation: the next message starts a new session', async () => {
    await start();
    discord.userMessage({ channelId: USER_DM, authorId: USER, content: 'first' });
    await discord.waitFor(() => discord.sentTo(USER_DM).length === 1, 10_000, 'the first reply');
    expect(await slash('reset', USER, USER_DM)).toMatch(/^Done: I've forgotten our conversation/);
    discord.userMessage({ channelId: USER_DM, authorId: USER, content: 'second' });
    await discord.waitFor(() => discord.sentTo(USER_DM).length === 2, 10_000, 'the second reply');
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats.map((c) => c.conversationId)).toEqual(fx.aksita.sessions);
  });

  it('lets only admins /reset a server channel', async () => {
    await start();
    discord.userMessage({ channelId: general, authorId: USER, content: 'first', mentionsBot: true });
    await discord.waitFor(() => discord.sentTo(general).length === 1, 10_000, 'the first reply');
    expect(await slash('reset', USER, general)).toBe(NOT_ALLOWED);
    discord.userMessage({ channelId: general, authorId: USER, content: 'second', mentionsBot: true });
    await discord.waitFor(() => discord.sentTo(general).length === 2, 10_000, 'the second reply');
    expect(fx.aksita.sessions).toHaveLength(1);
    expect(await slash('reset', ADMIN, general)).toMatch(/^Done/);
    discord.userMessage({ channelId: general, authorId: USER, content: 'third', mentionsBot: true });
    await discord.waitFor(() => discord.sentTo(general).length === 3, 10_000, 'the third reply');
    expect(fx.aksita.sessions).toHaveLength(2);
  });

  it('lists in /help only the commands this user may use there', async () => {
    await start();
    const userInDm = await slash('help', USER, USER_DM);
    const userInServer = await slash('help', USER, general);
    const admin = await slash('help', ADMIN, general);
    expect(userInDm).toMatch(/Commands: reset .*, help/);
    expect(userInDm).not.toMatch(/credits|status/);
    expect(userInServer).toMatch(/Commands: help \(/);
    expect(userInServer).not.toMatch(/credits|status|reset/);
    expect(admin).toMatch(/Commands: credits .*status .*reset .*help/);
    expect(fx.aksita.chats).toHaveLength(0);
  });

  it('does not run a command Discord no longer accepts an answer to (delivered too late)', async () => {
    const { logs } = await start();
    discord.userMessage({ channelId: USER_DM, authorId: USER, content: 'first' });
    await discord.waitFor(() => discord.sentTo(USER_DM).length === 1, 10_000, 'the first reply');
    const late = discord.slashCommand({ name: 'reset', userId: USER, channelId: USER_DM, ageMs: 3_500 });
    // The interaction token (a credential for 15 minutes, in the refused request's URL) stays out of the log.
    fx.secrets.push(late.token);
    await discord.waitFor(
      () => logs.find('discord slash command not acknowledged').length === 1,
      10_000,
      'the log line',
    );
    expect(discord.interactionCallbacks.map((c) => c.status)).toEqual([404]);
    discord.userMessage({ channelId: USER_DM, authorId: USER, content: 'second' });
    await discord.waitFor(() => discord.sentTo(USER_DM).length === 2, 10_000, 'the second reply');
    // The user saw "the application did not respond": the conversation is kept.
    expect(fx.aksita.sessions).toHaveLength(1);
    expect(discord.interactionEdits).toHaveLength(0);
  });
});

describe('admin alerts by DM', () => {
  it('opens a DM with the admin and posts a low-balance alert there once', async () => {
    fx.aksita.balance = 1020;
    const { logs } = await start();
    for (const content of ['a', 'b', 'c'])
      discord.userMessage({ channelId: USER_DM, authorId: USER, content });
    await discord.waitFor(() => discord.sentTo(USER_DM).length === 3, 10_000, 'three replies');
    // The alert is sent before the reply that crossed the threshold is posted.
    expect(discord.dmChannels.map((d) => d.userId)).toEqual([ADMIN]);
    const adminDm = discord.dmChannels[0]?.channelId ?? '';
    expect(discord.sentTo(adminDm)).toHaveLength(1);
    expect(discord.sentTo(adminDm)[0]).toMatch(/^Aksita credits are running low: 990 left \(below 1000\)/);
    expect(discord.sent.find((s) => s.channelId === adminDm)?.allowedMentions).toEqual({
      parse: [],
      replied_user: false,
    });
    expect(logs.find('admin alert not delivered')).toHaveLength(0);
  });
});

describe('the adapter on its own', () => {
  let logs: LogCapture;
  let adapter: Adapter;
  beforeEach(async () => {
    logs = new LogCapture();
    adapter = createDiscordAdapter({
      token: discord.token,
      apiUrl: discord.apiUrl,
      mentionRoles: [],
      respondChannels: [],
      autoThread: false,
      log: createLogger({ level: 'info', secrets: [discord.token] }, logs),
    });
    await adapter.init();
  });
  afterEach(() => adapter.stop());

  const run = (command: (request: CommandRequest) => Promise<string>) =>
    adapter.start({
      message: async () => {},
      command,
      menu: COMMAND_MENU,
      adminIds: [],
    });

  it('defers the reply before the command has finished, and edits it once the command is done', async () => {
    let finish: (text: string) => void = () => {};
    const requests: CommandRequest[] = [];
    await run((request) => {
      requests.push(request);
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    });
    const { id } = discord.slashCommand({ name: 'Status', userId: USER, channelId: general });
    try {
      await discord.waitFor(() => requests.length === 1, 5_000, 'the command to run');
      // Deferred while the command is still running: Discord's 3 s do not depend on it.
      expect(discord.interactionCallbacks).toMatchObject([
        { interactionId: id, type: 5, flags: 64, status: 204 },
      ]);
      expect(requests).toEqual([
        { name: 'status', userId: USER, thread: `discord:${general}`, chatType: 'group' },
      ]);
    } finally {
      finish('All **good**');
    }
    await discord.waitFor(() => discord.interactionEdits.length === 1, 5_000, 'the edit');
    expect(discord.interactionEdits[0]?.content).toBe('All **good**');
  });

  it('answers a command that failed with a short notice, and logs the error', async () => {
    await run(async () => {
      throw new Error('redis is down');
    });
    discord.slashCommand({ name: 'credits', userId: USER, channelId: USER_DM });
    await discord.waitFor(() => discord.interactionEdits.length === 1, 5_000, 'the edit');
    expect(discord.interactionEdits[0]?.content).toBe(COMMAND_FAILED_TEXT);
    const [failure] = logs.find('discord slash command failed');
    expect(failure).toMatchObject({
      command: 'credits',
      thread: `discord:${USER_DM}`,
      err: { message: 'redis is down' },
    });
  });

  it('registers every command, admin-only ones too (Discord cannot scope them per user)', async () => {
    await run(async () => '');
    expect(discord.commands.map((c) => c.name)).toEqual(COMMAND_MENU.map((c) => c.name));
  });

  it('keeps running when the commands cannot be registered', async () => {
    // The fake refuses an invalid command name with 400 (50035).
    await adapter.start({
      message: async () => {},
      command: async () => '',
      menu: [{ name: 'Not Valid', description: 'x', adminOnly: false }],
      adminIds: [],
    });
    expect(logs.find('discord slash commands not registered')).toHaveLength(1);
    expect(await adapter.health()).toEqual({ ok: true, detail: 'connected' });
  });

  it('sends a direct message through one DM channel per user; a user who accepts none refuses the chat', async () => {
    await adapter.sendDirect(ADMIN, 'first alert');
    await adapter.sendDirect(ADMIN, 'second alert');
    expect(discord.dmChannels).toHaveLength(1);
    expect(discord.sentTo(discord.dmChannels[0]?.channelId ?? '')).toEqual(['first alert', 'second alert']);
    discord.dmsClosed.add(USER);
    const refused = await adapter.sendDirect(USER, 'alert').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(PlatformError);
    expect((refused as PlatformError).kind).toBe('chat_refused');
    expect((refused as PlatformError).message).toContain('50007');
  });
});
