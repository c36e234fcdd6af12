import { DISCORD_MAX_MESSAGE } from '../../adapters/discord/format.ts';
import { createDiscordAdapter } from '../../adapters/discord/index.ts';
import { type DiscordBotContext, inspectDiscordMessage } from '../../adapters/discord/normalize.ts';
import type { PlatformErrorKind } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { DISCORD_REFUSALS, type DiscordSendStep, startFakeDiscord } from '../fakes/discord.ts';
import { adapterContract } from './adapter-contract.ts';

const BOT = '1100000000000000001';
const bot: DiscordBotContext = { id: BOT, mentionRoles: [], respondChannels: [] };
const ana = {
  id: '1700000000000000007',
  username: 'ana',
  global_name: 'Ana Lim',
  discriminator: '0',
  avatar: null,
};
const at = '2025-11-24T10:00:00.000000+00:00';
const base = {
  channel_id: '1500000000000000005',
  channel_type: 0,
  guild_id: '1400000000000000004',
  author: ana,
  member: { nick: null, roles: [], joined_at: at },
  timestamp: at,
  type: 0,
  tts: false,
  mention_everyone: false,
  mentions: [],
  mention_roles: [],
  attachments: [],
  embeds: [],
};
const dm = {
  ...base,
  channel_id: '1600000000000000006',
  channel_type: 1,
  guild_id: undefined,
  member: undefined,
};

adapterContract({
  platform: 'discord',
  normalize: (raw) => inspectDiscordMessage(raw, bot)?.message ?? null,
  maxMessageLength: DISCORD_MAX_MESSAGE,
  fixtures: {
    directText: { ...dm, id: '1800000000000000010', content: 'hello bot' },
    groupUnaddressed: { ...base, id: '1800000000000000011', content: 'just chatting' },
    groupMention: {
      ...base,
      id: '1800000000000000012',
      content: `<@${BOT}> what is new?`,
      mentions: [{ id: BOT, username: 'aksita_bot', bot: true }],
    },
    fromOtherBot: {
      ...base,
      id: '1800000000000000013',
      content: `<@${BOT}> hi`,
      author: { id: '1900000000000000009', username: 'other', bot: true },
    },
    fromSelf: {
      ...dm,
      id: '1800000000000000014',
      content: 'echo',
      author: { id: BOT, username: 'aksita_bot', bot: true },
    },
    directNoText: {
      ...dm,
      id: '1800000000000000015',
      content: '',
      attachments: [{ id: '1', filename: 'cat.png', size: 10, url: 'https://cdn.example/cat.png' }],
    },
    malformed: [null, 42, 'text', [], {}, { channel_id: null }, { id: 1, channel_id: 2, author: 'x' }],
  },
  async live(options = {}) {
    const discord = await startFakeDiscord();
    const log = createLogger({ level: 'silent', secrets: [discord.token] });
    const adapter = createDiscordAdapter({
      token: discord.token,
      apiUrl: discord.apiUrl,
      mentionRoles: [],
      respondChannels: [],
      autoThread: false,
      log,
      ...options,
    });
    await adapter.init();
    const channel = discord.guild.channels.general;
    const failures: Record<PlatformErrorKind, DiscordSendStep> = {
      unauthorized: DISCORD_REFUSALS.unauthorized,
      chat_refused: DISCORD_REFUSALS.missingPermissions,
      too_long: DISCORD_REFUSALS.tooLong,
      rejected: DISCORD_REFUSALS.emptyMessage,
      transient: DISCORD_REFUSALS.serverError,
      // Longer than discord.js may wait inside a send (10 s).
      rate_limited: { status: 429, retryAfter: 30 },
    };
    return {
      adapter,
      address: { channel },
      sentTexts: () => discord.sentTo(channel),
      breakPlatform: () => discord.close(),
      failNext: (kind) => discord.script(failures[kind]),
      stallNext: () => discord.script({ hold: true }),
      async close() {
        await adapter.stop();
        await discord.close();
      },
    };
  },
});
