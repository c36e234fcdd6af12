/**
 * The world the Discord corpus (`discord.payloads.ts`) is written in: the guild's ids (bot, roles,
 * channels, threads, a DM), its users and members, and builders of the payloads as Discord sends them
 * (a user's MESSAGE_CREATE in #general or a DM, attachments, stickers, polls, forwards, replies, system
 * messages, slash commands' INTERACTION_CREATE) plus the adapter's channel and guild caches.
 */
import type { DiscordChannelInfo, DiscordGuildInfo } from '../../adapters/discord/normalize.ts';

export type Json = Record<string, unknown>;

export const BOT_ID = '1181234567890123456';
export const HELPERS_ROLE = '1190000000000000001';
export const BOT_ROLE = '1190000000000000002';
export const MODS_ROLE = '1190000000000000003';
export const RESPOND_CHANNEL = '1200000000000000010';
export const GUILD = '1100000000000000001';
export const GENERAL = '1200000000000000001';
export const ANNOUNCEMENTS = '1200000000000000002';
export const FORUM = '1200000000000000003';
export const THREAD = '1250000000000000001';
export const FORUM_POST = '1250000000000000002';
export const DM = '1300000000000000001';
export const OTHER_BOT = '1400000000000000009';

export const at = '2025-11-24T10:15:30.512000+00:00';
export const ana = {
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
export const budi = {
  ...ana,
  id: '1500000000000000002',
  username: 'budi',
  global_name: 'Budi',
  avatar: null,
};
export const botUser = {
  id: BOT_ID,
  username: 'aksita',
  global_name: null,
  discriminator: '4821',
  avatar: null,
  bot: true,
  public_flags: 0,
  flags: 0,
};
export const member = (nick: string | null = null) => ({
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
export const withMember = (user: Json, nick: string | null = null) => ({ ...user, member: member(nick) });

let next = 1_310_000_000_000_000_000n;
export const snowflake = () => String(next++);

/** A user's MESSAGE_CREATE in the #general text channel of the guild. */
export function guild(content: string, extra: Json = {}): Json {
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
export function dm(content: string, extra: Json = {}): Json {
  const { guild_id: _g, member: _m, ...rest } = guild(content, { channel_id: DM, channel_type: 1, ...extra });
  return rest;
}

export const mentionsBot = { mentions: [withMember(botUser)] };
export const photo = {
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
export const voiceNote = {
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
export const sticker = { id: '749054660769218631', name: 'Wave', format_type: 3 };
export const poll = {
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
export const forward = (snapshot: Json, from = '1200000000000000099') => ({
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
export const botAnswer = (channel: string) => ({
  ...guild('Your order #4410 left the warehouse yesterday.', { author: botUser, channel_id: channel }),
  member: undefined,
});
export const reply = (to: Json, ping: boolean, content: string, extra: Json = {}) =>
  guild(content, {
    type: 19,
    message_reference: { type: 0, message_id: to.id, channel_id: to.channel_id, guild_id: GUILD },
    referenced_message: to,
    mentions: ping ? [withMember(to.author as Json)] : [],
    ...extra,
  });
export const inThread = (parentId: string): DiscordChannelInfo => ({ isThread: true, parentId });
export const plainChannel: DiscordChannelInfo = { isThread: false, parentId: null };
export const system = (type: number, content = '', extra: Json = {}) => guild(content, { type, ...extra });

/** INTERACTION_CREATE of a slash command; `guild`: invoked in the guild's #general, else in a DM. */
export function slash(name: string, where: 'guild' | 'dm', data: Json = {}): Json {
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

export const names: DiscordGuildInfo = {
  botRoles: [BOT_ROLE],
  channels: { [GENERAL]: 'general', [ANNOUNCEMENTS]: 'announcements' },
  roles: { [HELPERS_ROLE]: 'Helpers', [BOT_ROLE]: 'Aksita', [MODS_ROLE]: 'Moderators' },
};
export const earlierAnswer = botAnswer(GENERAL);
