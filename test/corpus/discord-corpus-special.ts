/**
 * The Discord corpus's cases beyond a plain message: threads and forum posts, forwards in guilds,
 * authors the bridge never answers (bots, webhooks, itself), system messages, and interactions
 * (INTERACTION_CREATE of slash commands, pings), each with what the bridge must do. Part of
 * `DISCORD_CORPUS`.
 */
import type { DiscordCase } from './discord.payloads.ts';
import {
  ana,
  BOT_ID,
  botAnswer,
  botUser,
  budi,
  dm,
  FORUM,
  FORUM_POST,
  forward,
  GENERAL,
  GUILD,
  guild,
  inThread,
  mentionsBot,
  OTHER_BOT,
  plainChannel,
  RESPOND_CHANNEL,
  slash,
  snowflake,
  system,
  THREAD,
} from './discord-corpus-world.ts';

export const DISCORD_SPECIAL_CASES: DiscordCase[] = [
  // Threads and forum posts
  {
    name: 'thread mention',
    payload: guild(`<@${BOT_ID}> can you check this?`, {
      ...mentionsBot,
      channel_id: THREAD,
      channel_type: 11,
    }),
    channel: inThread(GENERAL),
    expect: { answer: 'can you check this?' },
  },
  {
    name: 'thread follow-up with a conversation',
    payload: guild('and what about returns?', { channel_id: THREAD, channel_type: 11 }),
    channel: inThread(GENERAL),
    conversation: true,
    expect: { answer: 'and what about returns?' },
  },
  {
    name: 'thread chatter without a conversation',
    payload: guild('nice', { channel_id: THREAD, channel_type: 11 }),
    channel: inThread(GENERAL),
    expect: { ignore: true },
  },
  {
    name: 'thread of a respond channel',
    payload: guild('still broken', { channel_id: THREAD, channel_type: 11 }),
    channel: inThread(RESPOND_CHANNEL),
    expect: { answer: 'still broken' },
  },
  {
    name: 'forum post mentioning the bot (starter message: id = thread id)',
    payload: guild(`<@${BOT_ID}> Login fails with error 502 since the update`, {
      ...mentionsBot,
      id: FORUM_POST,
      channel_id: FORUM_POST,
      channel_type: 11,
      position: 0,
    }),
    channel: inThread(FORUM),
    expect: { answer: 'Login fails with error 502 since the update' },
  },
  {
    name: 'forum post without a mention',
    payload: guild('Feature idea: dark mode', {
      id: '1250000000000000003',
      channel_id: '1250000000000000003',
      channel_type: 11,
      position: 0,
    }),
    channel: inThread(FORUM),
    expect: { ignore: true },
  },

  // Forwards in guilds
  {
    name: '[#6] guild forward of a message that mentions the bot',
    payload: guild('', forward({ content: `<@${BOT_ID}> is this offer real?`, mentions: [botUser] })),
    channel: plainChannel,
    expect: { answer: 'Forwarded message:\nis this offer real?' },
  },
  {
    name: 'guild forward not about the bot',
    payload: guild('', forward({ content: 'meme of the day' })),
    channel: plainChannel,
    expect: { ignore: true },
  },

  // Authors the bridge never answers
  {
    name: 'webhook message',
    payload: guild(`<@${BOT_ID}> deploy finished`, {
      ...mentionsBot,
      webhook_id: '1600000000000000001',
      author: {
        id: '1600000000000000001',
        username: 'GitHub',
        avatar: null,
        discriminator: '0000',
        bot: true,
      },
      member: undefined,
    }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  {
    name: 'another bot mentioning this one',
    payload: guild(`<@${BOT_ID}> ping`, {
      ...mentionsBot,
      author: { ...botUser, id: OTHER_BOT, username: 'mee6' },
    }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  { name: 'the bot itself', payload: botAnswer(GENERAL), channel: plainChannel, expect: { ignore: true } },
  {
    name: 'DM from the system user',
    payload: dm('Your account is safe.', {
      author: {
        id: '643945264868098049',
        username: 'Discord',
        discriminator: '0000',
        avatar: null,
        system: true,
      },
    }),
    expect: { ignore: true },
  },

  // System messages (type other than DEFAULT 0 and REPLY 19)
  { name: 'member join', payload: system(7), channel: plainChannel, expect: { ignore: true } },
  {
    name: 'pinned message notice',
    payload: system(6, '', {
      message_reference: { type: 0, message_id: '1310000000000000001', channel_id: GENERAL, guild_id: GUILD },
    }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  { name: 'boost', payload: system(8, '3'), channel: plainChannel, expect: { ignore: true } },
  {
    name: 'thread created notice',
    payload: system(18, 'Order question', {
      message_reference: { type: 0, channel_id: THREAD, guild_id: GUILD },
    }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  {
    name: 'thread starter message',
    payload: system(21, '', { channel_id: THREAD, channel_type: 11 }),
    channel: inThread(GENERAL),
    expect: { ignore: true },
  },
  {
    name: 'poll result',
    payload: system(46, '', {
      embeds: [{ type: 'poll_result', fields: [{ name: 'poll_question_text', value: 'Pizza or noodles?' }] }],
    }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  {
    name: 'slash command response message',
    payload: system(20, 'Balance: 1,204 credits', {
      author: botUser,
      interaction_metadata: { id: '1', type: 2, user: ana },
    }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  {
    name: 'DM call',
    payload: dm('', { type: 3, call: { participants: [ana.id], ended_timestamp: null } }),
    expect: { ignore: true },
  },

  // Interactions (INTERACTION_CREATE)
  {
    name: 'slash /credits in a guild',
    kind: 'interaction',
    payload: slash('credits', 'guild'),
    expect: { command: 'credits', chatType: 'group' },
  },
  {
    name: 'slash /reset in a DM',
    kind: 'interaction',
    payload: slash('reset', 'dm'),
    expect: { command: 'reset', chatType: 'direct' },
  },
  {
    name: 'user context menu command',
    kind: 'interaction',
    payload: slash('Ask Aksita', 'guild', { type: 2, target_id: budi.id }),
    expect: { ignore: true },
  },
  {
    name: 'button click',
    kind: 'interaction',
    payload: { ...slash('x', 'guild'), type: 3, data: { custom_id: 'more', component_type: 2 } },
    expect: { ignore: true },
  },
  {
    name: 'autocomplete',
    kind: 'interaction',
    payload: { ...slash('help', 'guild'), type: 4 },
    expect: { ignore: true },
  },
  {
    name: 'ping',
    kind: 'interaction',
    payload: { id: snowflake(), application_id: BOT_ID, type: 1, token: 't', version: 1 },
    expect: { ignore: true },
  },
];
