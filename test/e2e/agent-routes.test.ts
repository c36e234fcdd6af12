/**
 * Per-chat agent routing (`AGENT_ROUTES`) end to end, on Telegram and Discord: the first matching
 * route's key asks the agent, the platform key is the fallback, a change of route starts a new
 * conversation, and credits know each agent (its own balance and spend). A route naming a variable
 * that is not set stops start-up, naming both and never a key.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
const SALES = 'sales-agent-key-000111';
const SUPPORT = 'support-agent-key-000222';
const ADMIN = 900;

/** Which key asked each question. */
const keysAsked = () => fx.aksita.chats.map((c) => `${c.message}:${c.apiKey}`);

describe('AGENT_ROUTES', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await startFakeDiscord();
    fx.adopt(discord, [discord.token, SALES, SUPPORT]);
    for (const key of [SALES, SUPPORT]) fx.aksita.validKeys.add(key);
  });

  it('asks each chat’s agent with its own key, first match first, the platform key otherwise', async () => {
    const { general } = discord.guild.channels;
    await fx.start({
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      AGENT_ROUTES: `telegram:-700=AKSITA_KEY_SUPPORT,discord:guild:${discord.guild.id}=AKSITA_KEY_SUPPORT,telegram=AKSITA_KEY_SALES`,
      AKSITA_KEY_SALES: SALES,
      AKSITA_KEY_SUPPORT: SUPPORT,
      ADMIN_USERS: `telegram:${ADMIN}`,
    });
    fx.telegram.userMessage({ chatId: 5, text: 'buy' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(5).length === 1, 10_000, 'sales answer');
    fx.telegram.userMessage({ chatId: -700, chatType: 'supergroup', fromId: 6, text: '/ask help' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-700).length === 1, 10_000, 'support answer');
    discord.userMessage({ channelId: general, content: 'broken', mentionsBot: true });
    await discord.waitFor(() => discord.sentTo(general).length === 1, 10_000, 'discord answer');
    // A Discord DM belongs to no server: the platform key answers.
    discord.userMessage({ channelId: '900000000000000001', content: 'dm' });
    await discord.waitFor(() => discord.sentTo('900000000000000001').length === 1, 10_000, 'dm answer');
    expect(keysAsked()).toEqual([`buy:${SALES}`, `help:${SUPPORT}`, `broken:${SUPPORT}`, 'dm:test-key']);

    // Credits know each agent: its balance and its spend.
    fx.telegram.userMessage({ chatId: ADMIN, text: '/credits' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 10_000, 'credits');
    const report = fx.telegram.sentTo(ADMIN)[0] ?? '';
    expect(report).toMatch(/Balance of AKSITA_KEY_SALES: \d+ credits/);
    expect(report).toMatch(/Balance of AKSITA_KEY_SUPPORT: \d+ credits/);
    fx.telegram.userMessage({ chatId: ADMIN, text: '/status' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 2, 10_000, 'status');
    expect(fx.telegram.sentTo(ADMIN)[1]).toContain(
      `Agent routes: telegram:-700 → AKSITA_KEY_SUPPORT, discord:guild:${discord.guild.id} → AKSITA_KEY_SUPPORT, telegram → AKSITA_KEY_SALES`,
    );
    expect(report).toMatch(
      /today: 60 \(telegram 30, discord 30\); routed agents: AKSITA_KEY_SALES 15, AKSITA_KEY_SUPPORT 30/,
    );
  });

  it('starts a new conversation when a chat is routed to another agent', async () => {
    const routes = { AKSITA_KEY_SALES: SALES, AKSITA_KEY_SUPPORT: SUPPORT };
    const first = await fx.start({ ...routes, AGENT_ROUTES: 'telegram=AKSITA_KEY_SALES' });
    fx.telegram.userMessage({ chatId: 8, text: 'one' });
    fx.telegram.userMessage({ chatId: 8, text: 'two' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(8).length === 2, 10_000, 'two answers');
    await first.bridge.stop();
    await fx.start({
      ...routes,
      AGENT_ROUTES: 'telegram:8=AKSITA_KEY_SUPPORT',
      REDIS_PREFIX: first.config.redisPrefix,
    });
    fx.telegram.userMessage({ chatId: 8, text: 'three' });
    fx.telegram.userMessage({ chatId: 8, text: 'four' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(8).length === 4, 10_000, 'four answers');
    const [one, two, three, four] = fx.aksita.chats;
    expect(keysAsked()).toEqual([`one:${SALES}`, `two:${SALES}`, `three:${SUPPORT}`, `four:${SUPPORT}`]);
    expect(two?.conversationId).toBe(one?.conversationId);
    expect(three?.conversationId).not.toBe(two?.conversationId);
    expect(four?.conversationId).toBe(three?.conversationId);
  });
});

describe('AGENT_ROUTES configuration', () => {
  const base = { AKSITA_API_KEY: 'k', TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345' };

  it('names a route whose variable is not set, and never echoes a key written in its place', () => {
    expect(() => loadConfig({ ...base, AGENT_ROUTES: 'telegram=AKSITA_KEY_SALES' })).toThrow(
      /AGENT_ROUTES entry 1 of 1 \(telegram\) names AKSITA_KEY_SALES, which is not set/,
    );
    const key = 'sk-live-abcdefghijklmnop0123456789';
    let message = '';
    try {
      loadConfig({ ...base, AGENT_ROUTES: `discord:guild:1=${key}` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/AGENT_ROUTES has entry 1 of 1 must be <match>=<VARIABLE>/);
    expect(message).not.toContain(key);
    expect(() => loadConfig({ ...base, AGENT_ROUTES: 'telegram:abc=K' })).toThrow(
      /matches "telegram:abc", which is none of/,
    );
  });
});
