/**
 * The Discord corpus's messages where a user writes to the bot: in a DM, in the guild's channels
 * (mentions of the bot and its roles, respond channels, attachments, stickers, polls, @everyone), and
 * replies to the bot's answers, each with what the bridge must do. Part of `DISCORD_CORPUS`.
 */
import type { DiscordCase } from './discord.payloads.ts';
import {
  ANNOUNCEMENTS,
  BOT_ID,
  BOT_ROLE,
  botUser,
  budi,
  dm,
  earlierAnswer,
  forward,
  guild,
  HELPERS_ROLE,
  MODS_ROLE,
  mentionsBot,
  names,
  photo,
  plainChannel,
  poll,
  RESPOND_CHANNEL,
  reply,
  sticker,
  voiceNote,
  withMember,
} from './discord-corpus-world.ts';

export const DISCORD_CHANNEL_CASES: DiscordCase[] = [
  // Direct messages
  {
    name: 'DM text',
    payload: dm('hello, are you open on sunday?'),
    expect: { answer: 'hello, are you open on sunday?' },
  },
  {
    name: 'DM photo without words',
    payload: dm('', { attachments: [photo] }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'DM photo with words',
    payload: dm('what is this plant?', { attachments: [photo] }),
    expect: { answer: 'what is this plant?' },
  },
  {
    name: 'DM voice message',
    payload: dm('', { attachments: [voiceNote], flags: 8192 }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'DM sticker only (sticker_items)',
    payload: dm('', { sticker_items: [sticker] }),
    expect: { notice: 'textOnly' },
  },
  {
    name: '[#9] DM sticker only (the deprecated stickers field)',
    payload: dm('', { stickers: [{ ...sticker, type: 1, tags: 'wave' }] }),
    expect: { notice: 'textOnly' },
  },
  { name: '[#9] DM poll only', payload: dm('', { poll }), expect: { notice: 'textOnly' } },
  { name: 'DM /start', payload: dm('/start'), expect: { notice: 'welcome' } },
  { name: 'DM /help typed as text', payload: dm('/help'), expect: { command: 'help' } },
  {
    name: '[#4] DM unknown command keeps its verb',
    payload: dm('/imagine a red fox'),
    expect: { answer: '/imagine a red fox' },
  },
  {
    name: '[#6] DM forward of a text message',
    payload: dm('', forward({ content: 'Parcel held at customs, pay 45 USD at bit.ly/x' })),
    expect: { answer: 'Forwarded message:\nParcel held at customs, pay 45 USD at bit.ly/x' },
  },
  {
    name: '[#6] DM forward of a photo without words',
    payload: dm('', forward({ attachments: [photo] })),
    expect: { notice: 'textOnly' },
  },
  {
    name: '[#6] DM forward naming people and emoji',
    payload: dm(
      '',
      forward({
        content: '<@1500000000000000002> says the build is green <:pepe_happy:1111111111>',
        mentions: [budi],
      }),
    ),
    expect: { answer: 'Forwarded message:\n@Budi says the build is green :pepe_happy:' },
  },
  {
    name: '[#7] DM custom and animated emoji',
    payload: dm('my order is late <:pepe_sad:1012345678901234567> <a:sadcat:1012345678901234568>'),
    expect: { answer: 'my order is late :pepe_sad: :sadcat:' },
  },
  { name: 'DM unicode emoji stays', payload: dm('thanks 🙏'), expect: { answer: 'thanks 🙏' } },

  // Guild messages
  {
    name: 'guild chatter',
    payload: guild('anyone up for lunch?'),
    channel: plainChannel,
    expect: { ignore: true },
  },
  {
    name: 'guild photo without words',
    payload: guild('', { attachments: [photo] }),
    channel: plainChannel,
    expect: { ignore: true },
  },
  {
    name: 'guild mention',
    payload: guild(`<@${BOT_ID}> what is new this week?`, mentionsBot),
    channel: plainChannel,
    expect: { answer: 'what is new this week?' },
  },
  {
    name: 'guild legacy nickname mention',
    payload: guild(`<@!${BOT_ID}>, when do you open?`, mentionsBot),
    channel: plainChannel,
    expect: { answer: 'when do you open?' },
  },
  {
    name: 'guild mention mid-sentence',
    payload: guild(`hey <@${BOT_ID}> how long is shipping?`, mentionsBot),
    channel: plainChannel,
    expect: { answer: 'hey how long is shipping?' },
  },
  {
    name: 'guild mention alone',
    payload: guild(`<@${BOT_ID}>`, mentionsBot),
    channel: plainChannel,
    expect: { notice: 'welcome' },
  },
  {
    name: '[#4] guild mention with an unknown command',
    payload: guild(`<@${BOT_ID}> /imagine a red fox`, mentionsBot),
    channel: plainChannel,
    guild: names,
    expect: { answer: '/imagine a red fox' },
  },
  {
    name: '[#4] guild mention with /ask',
    payload: guild(`<@${BOT_ID}> /ask what is a red fox?`, mentionsBot),
    channel: plainChannel,
    expect: { answer: 'what is a red fox?' },
  },
  {
    name: 'guild mention with /help',
    payload: guild(`<@${BOT_ID}> /help`, mentionsBot),
    channel: plainChannel,
    expect: { command: 'help' },
  },
  {
    name: 'guild mention with /status',
    payload: guild(`<@${BOT_ID}> /status`, mentionsBot),
    channel: plainChannel,
    expect: { command: 'status' },
  },
  {
    name: '[#5] guild mention of the bot role',
    payload: guild(`<@&${BOT_ROLE}> is the shop open on sunday?`, { mention_roles: [BOT_ROLE] }),
    channel: plainChannel,
    guild: names,
    expect: { answer: 'is the shop open on sunday?' },
  },
  {
    name: 'guild mention of a listed role',
    payload: guild(`<@&${HELPERS_ROLE}> my order is late`, { mention_roles: [HELPERS_ROLE] }),
    channel: plainChannel,
    guild: names,
    expect: { answer: 'my order is late' },
  },
  {
    name: 'guild mention of another role only',
    payload: guild(`<@&${MODS_ROLE}> spam in #general`, { mention_roles: [MODS_ROLE] }),
    channel: plainChannel,
    guild: names,
    expect: { ignore: true },
  },
  {
    name: '[#7] guild mention naming a role and channels',
    payload: guild(
      `<@${BOT_ID}> should I ask <@&${MODS_ROLE}> in <#${ANNOUNCEMENTS}> or <#1200000000000000077>?`,
      { ...mentionsBot, mention_roles: [MODS_ROLE] },
    ),
    channel: plainChannel,
    guild: names,
    expect: { answer: 'should I ask @Moderators in #announcements or #channel?' },
  },
  {
    name: '[#7] guild mention naming an uncached role',
    payload: guild(`<@${BOT_ID}> who are <@&1190000000000000077>?`, {
      ...mentionsBot,
      mention_roles: ['1190000000000000077'],
    }),
    channel: plainChannel,
    guild: names,
    expect: { answer: 'who are @role?' },
  },
  {
    name: 'guild mention naming a mentioned user',
    payload: guild(`<@${BOT_ID}> what did <@${budi.id}> order?`, {
      mentions: [withMember(botUser), withMember(budi, 'Pak Budi')],
    }),
    channel: plainChannel,
    expect: { answer: 'what did @Pak Budi order?' },
  },
  {
    name: '[#7] guild mention naming a user missing from mentions',
    payload: guild(`<@${BOT_ID}> is <@1500000000000000077> an admin?`, mentionsBot),
    channel: plainChannel,
    expect: { answer: 'is @user an admin?' },
  },
  {
    name: 'guild mention with @everyone',
    payload: guild(`@everyone <@${BOT_ID}> what time is the event?`, {
      ...mentionsBot,
      mention_everyone: true,
    }),
    channel: plainChannel,
    expect: { answer: '@everyone what time is the event?' },
  },
  {
    name: 'announcement channel mention',
    payload: guild(`<@${BOT_ID}> summarize the release`, {
      ...mentionsBot,
      channel_id: ANNOUNCEMENTS,
      channel_type: 5,
    }),
    channel: plainChannel,
    expect: { answer: 'summarize the release' },
  },
  {
    name: 'respond channel: everything answered',
    payload: guild('do you ship to Bali?', { channel_id: RESPOND_CHANNEL }),
    channel: plainChannel,
    expect: { answer: 'do you ship to Bali?' },
  },

  // Replies
  {
    name: 'reply to the bot, pinging it',
    payload: reply(earlierAnswer, true, 'and when will it arrive?'),
    channel: plainChannel,
    expect: { answer: 'and when will it arrive?' },
  },
  {
    name: 'reply to the bot with the ping turned off',
    payload: reply(earlierAnswer, false, 'thanks, and the tracking number?'),
    channel: plainChannel,
    expect: { answer: 'thanks, and the tracking number?' },
  },
  {
    name: 'reply to another user',
    payload: reply(guild('lunch at 12?', { author: budi }), true, 'sure'),
    channel: plainChannel,
    expect: { ignore: true },
  },
];
