/**
 * Discord gateway payloads, written from Discord's documented shapes (MESSAGE_CREATE: the message
 * object with `guild_id`, `member` and `mentions[].member` in guilds; message types, message
 * references and snapshots, stickers, polls; INTERACTION_CREATE), each with what the bridge must do.
 * `[#n]` in a name points at the item of issue 14 the entry covers.
 */
import type { DiscordChannelInfo, DiscordGuildInfo } from '../../adapters/discord/normalize.ts';

type Json = Record<string, unknown>;

/** What the bridge must do with a payload. */
export type DiscordExpectation =
  /** Ask the agent exactly this question. */
  | { answer: string }
  /** Post this notice without asking the agent. */
  | { notice: 'textOnly' | 'welcome' }
  /** Run this bridge command. */
  | { command: string; chatType?: 'direct' | 'group' }
  /** Nothing: no answer, no notice. */
  | { ignore: true };

export interface DiscordCase {
  name: string;
  /** `message`: MESSAGE_CREATE's `d`; `interaction`: INTERACTION_CREATE's `d`. */
  kind?: 'message' | 'interaction';
  payload: Json;
  /** What the adapter's channel cache says about the message's channel. */
  channel?: DiscordChannelInfo;
  /** What the adapter's guild cache says (bot roles, channel and role names). */
  guild?: DiscordGuildInfo;
  /** The thread already has an agent conversation. */
  conversation?: boolean;
  expect: DiscordExpectation;
}

export const BOT_ID = '1181234567890123456';
export const HELPERS_ROLE = '1190000000000000001';
export const BOT_ROLE = '1190000000000000002';
export const MODS_ROLE = '1190000000000000003';
export const RESPOND_CHANNEL = '1200000000000000010';
const GUILD = '1100000000000000001';
const GENERAL = '1200000000000000001';
const ANNOUNCEMENTS = '1200000000000000002';
const FORUM = '1200000000000000003';
const THREAD = '1250000000000000001';
const FORUM_POST = '1250000000000000002';
const DM = '1300000000000000001';
const OTHER_BOT = '1400000000000000009';

const at = '2025-11-24T10:15:30.512000+00:00';
const ana = {
  id: '1500000000000000001',
  username: 'ana.lim',
  global_name: 'Ana Lim',
  discriminator: '0',
  avatar: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  public_flags: 0,
  flags: 0,
  banner: null,
  accent_color: null,
  avatar_decoration_data: null,
  clan: null,
  primary_guild: null,
};
const budi = { ...ana, id: '1500000000000000002', username: 'budi', global_name: 'Budi', avatar: null };
const botUser = {
  id: BOT_ID,
  username: 'aksita',
  global_name: null,
  discriminator: '4821',
  avatar: null,
  bot: true,
  public_flags: 0,
  flags: 0,
};
const member = (nick: string | null = null) => ({
  nick,
  roles: [],
  joined_at: '2024-03-02T08:00:00.000000+00:00',
  premium_since: null,
  deaf: false,
  mute: false,
  pending: false,
  flags: 0,
  avatar: null,
  banner: null,
  communication_disabled_until: null,
});
const withMember = (user: Json, nick: string | null = null) => ({ ...user, member: member(nick) });

let next = 1_310_000_000_000_000_000n;
const snowflake = () => String(next++);

/** A user's MESSAGE_CREATE in the #general text channel of the guild. */
function guild(content: string, extra: Json = {}): Json {
  return {
    id: snowflake(),
    channel_id: GENERAL,
    channel_type: 0,
    guild_id: GUILD,
    author: ana,
    member: member(),
    content,
    timestamp: at,
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: 0,
    nonce: '1310000000000000000',
    ...extra,
  };
}

/** A user's MESSAGE_CREATE in their DM with the bot: no `guild_id`, no `member`. */
function dm(content: string, extra: Json = {}): Json {
  const { guild_id: _g, member: _m, ...rest } = guild(content, { channel_id: DM, channel_type: 1, ...extra });
  return rest;
}

const mentionsBot = { mentions: [withMember(botUser)] };
const photo = {
  id: '1320000000000000001',
  filename: 'IMG_2041.jpg',
  size: 183_220,
  url: 'https://cdn.discordapp.com/attachments/1/2/IMG_2041.jpg?ex=1&is=2&hm=3&',
  proxy_url: 'https://media.discordapp.net/attachments/1/2/IMG_2041.jpg?ex=1&is=2&hm=3&',
  content_type: 'image/jpeg',
  width: 1024,
  height: 768,
  placeholder: 'abc',
  placeholder_version: 1,
};
const voiceNote = {
  id: '1320000000000000002',
  filename: 'voice-message.ogg',
  size: 21_480,
  url: 'https://cdn.discordapp.com/attachments/1/2/voice-message.ogg',
  proxy_url: 'https://media.discordapp.net/attachments/1/2/voice-message.ogg',
  content_type: 'audio/ogg',
  duration_secs: 4.2,
  waveform: 'AAAAAAAAAAAA',
  flags: 8192,
};
const sticker = { id: '749054660769218631', name: 'Wave', format_type: 3 };
const poll = {
  question: { text: 'Pizza or noodles for Friday?' },
  answers: [
    { answer_id: 1, poll_media: { text: 'Pizza' } },
    { answer_id: 2, poll_media: { text: 'Noodles', emoji: { id: null, name: '🍜' } } },
  ],
  expiry: '2025-11-25T10:15:30.512000+00:00',
  allow_multiselect: false,
  layout_type: 1,
  results: { is_finalized: false, answer_counts: [] },
};
/** A forward (message reference type 1): the forwarded message is in the snapshot. */
const forward = (snapshot: Json, from = '1200000000000000099') => ({
  message_reference: { type: 1, message_id: '1310000000000099999', channel_id: from, guild_id: GUILD },
  message_snapshots: [
    {
      message: {
        type: 0,
        content: '',
        embeds: [],
        attachments: [],
        timestamp: '2025-11-23T18:00:00.000000+00:00',
        edited_timestamp: null,
        flags: 0,
        mentions: [],
        mention_roles: [],
        components: [],
        ...snapshot,
      },
    },
  ],
});
const botAnswer = (channel: string) => ({
  ...guild('Your order #4410 left the warehouse yesterday.', { author: botUser, channel_id: channel }),
  member: undefined,
});
const reply = (to: Json, ping: boolean, content: string, extra: Json = {}) =>
  guild(content, {
    type: 19,
    message_reference: { type: 0, message_id: to.id, channel_id: to.channel_id, guild_id: GUILD },
    referenced_message: to,
    mentions: ping ? [withMember(to.author as Json)] : [],
    ...extra,
  });
const inThread = (parentId: string): DiscordChannelInfo => ({ isThread: true, parentId });
const plainChannel: DiscordChannelInfo = { isThread: false, parentId: null };
const system = (type: number, content = '', extra: Json = {}) => guild(content, { type, ...extra });

/** INTERACTION_CREATE of a slash command; `guild`: invoked in the guild's #general, else in a DM. */
function slash(name: string, where: 'guild' | 'dm', data: Json = {}): Json {
  const base = {
    id: snowflake(),
    application_id: BOT_ID,
    type: 2,
    token: 'aW50ZXJhY3Rpb246MTMxMDAwMDAwMDAwMDAwMDAwMDpyZWRhY3RlZA',
    version: 1,
    locale: 'en-US',
    app_permissions: '2248473465835073',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD },
    data: { id: '1330000000000000001', name, type: 1, ...data },
  };
  if (where === 'dm') {
    return { ...base, context: 1, user: ana, channel_id: DM, channel: { id: DM, type: 1, flags: 0 } };
  }
  return {
    ...base,
    context: 0,
    guild_id: GUILD,
    guild: { id: GUILD, locale: 'en-US', features: [] },
    guild_locale: 'en-US',
    channel_id: GENERAL,
    channel: { id: GENERAL, type: 0, guild_id: GUILD, name: 'general' },
    member: { ...member(), user: ana, permissions: '2248473465835073' },
  };
}

const names: DiscordGuildInfo = {
  botRoles: [BOT_ROLE],
  channels: { [GENERAL]: 'general', [ANNOUNCEMENTS]: 'announcements' },
  roles: { [HELPERS_ROLE]: 'Helpers', [BOT_ROLE]: 'Aksita', [MODS_ROLE]: 'Moderators' },
};
const earlierAnswer = botAnswer(GENERAL);

export const DISCORD_CORPUS: DiscordCase[] = [
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
