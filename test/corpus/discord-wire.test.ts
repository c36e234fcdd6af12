/**
 * A sample of the Discord corpus end to end: the real discord.js against the fake Discord gateway,
 * the real bridge against a real Redis and the fake agent. What the agent hears and what users see.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });
let discord: FakeDiscord;

beforeEach(async () => {
  discord = await startFakeDiscord();
  fx.adopt(discord, [discord.token]);
});

const DM = '900000000000000002';

describe('Discord corpus sample, end to end', () => {
  it('answers a forward, the bot role, an unknown command and markup as a person reads them; a poll gets the notice', async () => {
    const { general } = discord.guild.channels;
    await fx.start({ DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
    const snapshot = { type: 0, content: 'Parcel held at customs, pay 45 USD', attachments: [], embeds: [] };
    discord.userMessage({
      channelId: DM,
      extra: {
        message_reference: { type: 1, message_id: '900000000000000099', channel_id: '900000000000000098' },
        message_snapshots: [{ message: snapshot }],
      },
    });
    discord.userMessage({ channelId: DM, extra: { poll: { question: { text: 'Pizza?' }, answers: [] } } });
    discord.userMessage({
      channelId: general,
      mentionRoles: [discord.roles.bot],
      content: `is <#${general}> the place to ask? <:pepe_sad:1012345678901234567>`,
    });
    discord.userMessage({ channelId: general, mentionsBot: true, content: '/imagine a red fox' });
    await discord.waitFor(() => discord.sent.length === 4, 15_000, 'four replies');
    expect(fx.aksita.chats.map((c) => c.message).sort()).toEqual([
      '/imagine a red fox',
      'Forwarded message:\nParcel held at customs, pay 45 USD',
      'is #general the place to ask? :pepe_sad:',
    ]);
    expect(discord.sentTo(DM)).toEqual([
      'echo: Forwarded message:\nParcel held at customs, pay 45 USD',
      'Sorry, I can only read text messages. Please type your question.',
    ]);
    expect(discord.sentTo(general).sort()).toEqual([
      'echo: /imagine a red fox',
      // The agent's Markdown, escaped for Discord: it shows as `:pepe_sad:`.
      'echo: is #general the place to ask? :pepe\\_sad:',
    ]);
  });
});
