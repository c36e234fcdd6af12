/**
 * Discord's objects as the fake Discord builds them: snowflakes, users, members, channels and threads,
 * the GUILD_CREATE of its one guild, messages (the bot's and users', with mentions, replies and files),
 * and the `Registry` (the fake's world) that the REST routes (`discord.ts`, `discord-interactions.ts`)
 * and the gateway (`discord-gateway.ts`) share. Pure builders, no I/O.
 */

type Json = Record<string, unknown>;

const DISCORD_EPOCH = 1_420_070_400_000;

/** `{key: value}` for each space-separated key: the many null/0/[] fields of Discord's objects. */
export const fill = (value: unknown, keys: string): Json =>
  Object.fromEntries(keys.split(' ').map((k) => [k, value]));
const iso = (ms: number) => new Date(ms).toISOString();

/** Increasing snowflakes whose timestamp part is the time of creation. */
export class Snowflakes {
  #last = 0n;
  next(at = Date.now()): string {
    let id = BigInt(at - DISCORD_EPOCH) << 22n;
    if (id <= this.#last) id = this.#last + 1n;
    this.#last = id;
    return id.toString();
  }
}

export interface Channel {
  id: string;
  /** 0 guild text, 1 DM, 5 announcement, 11 public thread. */
  type: 0 | 1 | 5 | 11;
  name?: string;
  guildId?: string;
  parentId?: string;
  ownerId?: string;
  /** The other party of a DM. */
  recipient?: Json;
}

export interface Guild {
  id: string;
  name: string;
  /** Role names by id (the guild id is @everyone). */
  roles: Map<string, string>;
  /** The bot's managed role (`managed`, `tags.bot_id` = the bot), one of `roles`. */
  botRole?: string;
}

/** The fake's world, shared by the REST handlers and the payload builders. */
export interface Registry {
  ids: Snowflakes;
  bot: Json & { id: string; username: string };
  guild: Guild;
  /** Every channel: guild text channels, threads, DMs. */
  channels: Map<string, Channel>;
  /** Every message, by id: where it is and who wrote it. */
  messages: Map<string, { channelId: string; authorId: string }>;
  /** The bot's latest message per channel (what `replyToBot` replies to). */
  lastBotMessage: Map<string, Json>;
}

type User = Json & { id: string; username: string };

export function userPayload(
  id: string,
  username: string,
  globalName: string | null = null,
  bot = false,
): User {
  const rest = {
    discriminator: '0',
    global_name: globalName,
    avatar: null,
    ...fill(0, 'public_flags flags'),
  };
  return { id, username, ...rest, ...(bot && { bot: true }) };
}

const memberPayload = (nick: string | null | undefined, joinedAt: string) => ({
  nick: nick ?? null,
  roles: [],
  joined_at: joinedAt,
  ...fill(false, 'deaf mute pending'),
  ...fill(null, 'premium_since avatar communication_disabled_until'),
  flags: 0,
});

export function channelPayload(c: Channel): Json {
  if (c.type === 1) return { id: c.id, type: 1, last_message_id: null, flags: 0, recipients: [c.recipient] };
  const base = {
    id: c.id,
    type: c.type,
    guild_id: c.guildId,
    name: c.name,
    last_message_id: null,
    ...fill(0, 'rate_limit_per_user flags'),
  };
  if (c.type !== 11)
    return { ...base, position: 0, permission_overwrites: [], topic: null, nsfw: false, parent_id: null };
  const now = iso(Date.now());
  const times = fill(now, 'archive_timestamp create_timestamp');
  const metadata = { ...fill(false, 'archived locked'), ...times, auto_archive_duration: 1440 };
  const counts = { ...fill(0, 'message_count total_message_sent'), member_count: 1 };
  return { ...base, parent_id: c.parentId, owner_id: c.ownerId, ...counts, thread_metadata: metadata };
}

export function guildCreate(r: Registry): Json {
  const joinedAt = iso(Date.now());
  const roles = [...r.guild.roles].map(([id, name], position) => ({
    id,
    name,
    position,
    permissions: id === r.guild.id ? '1071698660929' : '0',
    ...fill(0, 'color flags'),
    hoist: false,
    managed: id === r.guild.botRole,
    ...fill(null, 'icon unicode_emoji'),
    mentionable: true,
    ...(id === r.guild.botRole && { tags: { bot_id: r.bot.id } }),
  }));
  const inGuild = [...r.channels.values()].filter((c) => c.guildId === r.guild.id);
  const strip = (c: Channel) => {
    const { guild_id: _, ...rest } = channelPayload(c);
    return rest;
  };
  return {
    id: r.guild.id,
    name: r.guild.name,
    owner_id: r.ids.next(),
    roles,
    members: [{ user: r.bot, ...memberPayload(null, joinedAt) }],
    channels: inGuild.filter((c) => c.type !== 11).map(strip),
    threads: inGuild.filter((c) => c.type === 11).map(channelPayload),
    joined_at: joinedAt,
    member_count: 2,
    afk_timeout: 300,
    preferred_locale: 'en-US',
    ...fill(false, 'large unavailable premium_progress_bar_enabled'),
    ...fill(null, 'icon splash discovery_splash banner description vanity_url_code application_id'),
    ...fill(null, 'afk_channel_id system_channel_id rules_channel_id public_updates_channel_id'),
    ...fill(0, 'verification_level default_message_notifications explicit_content_filter mfa_level'),
    ...fill(0, 'system_channel_flags premium_tier premium_subscription_count nsfw_level'),
    ...fill([], 'emojis stickers features voice_states presences stage_instances guild_scheduled_events'),
    soundboard_sounds: [],
  };
}

/** A message as Discord sends it (MESSAGE_CREATE, or a REST answer), registered in `r`. */
export function messagePayload(
  r: Registry,
  ch: Channel,
  author: User,
  content: string,
  at = Date.now(),
): Json {
  const id = r.ids.next(at);
  r.messages.set(id, { channelId: ch.id, authorId: author.id });
  return {
    id,
    channel_id: ch.id,
    // Not in the documented schema, but Discord sends it and discord.js needs it for uncached DMs.
    channel_type: ch.type,
    ...(ch.guildId && { guild_id: ch.guildId }),
    author,
    content,
    timestamp: iso(at),
    ...fill(false, 'tts mention_everyone pinned'),
    ...fill([], 'mentions mention_roles attachments embeds'),
    edited_timestamp: null,
    type: 0,
    flags: 0,
  };
}

export interface UserMessageInput {
  /** A channel or thread of the fake's guild, or any other id: a DM channel with the author. */
  channelId: string;
  /** The text as the user typed it. Default ''. */
  content?: string;
  /** Default `222222222222222222`. */
  authorId?: string;
  /** Default `ana`. */
  username?: string;
  /** Default `Ana Lim`; null for none. */
  globalName?: string | null;
  /** The author's nickname in the guild. */
  nick?: string;
  /** Written by a bot. */
  bot?: boolean;
  /** Prefix the content with `<@bot>`. */
  mentionsBot?: boolean;
  /** Prefix the content with these role mentions (`<@&id>`). */
  mentionRoles?: string[];
  /** Reply to the bot's latest message in the channel (or an earlier one). */
  replyToBot?: boolean;
  /** Whether that reply pings the bot (then it is in `mentions`), as Discord's default is. Default true. */
  replyPing?: boolean;
  /** Attach this many image files. */
  attachments?: number;
  /** Fields set on the payload as given (a poll, a forward's `message_reference` and snapshots, …). */
  extra?: Json;
}

/** A user's MESSAGE_CREATE payload: mentions parsed from the content, member, reply, files. */
export function buildUserMessage(r: Registry, input: UserMessageInput): { payload: Json; channel: Channel } {
  const globalName = input.globalName === undefined ? 'Ana Lim' : input.globalName;
  const authorId = input.authorId ?? '222222222222222222';
  const author = userPayload(authorId, input.username ?? 'ana', globalName, input.bot);
  let channel = r.channels.get(input.channelId);
  if (!channel) {
    channel = { id: input.channelId, type: 1, recipient: author };
    r.channels.set(channel.id, channel);
  }
  const guildId = channel.guildId;
  const roles = input.mentionRoles ?? [];
  const prefix = [...(input.mentionsBot ? [`<@${r.bot.id}>`] : []), ...roles.map((role) => `<@&${role}>`)];
  const now = Date.now();
  const payload = messagePayload(r, channel, author, [...prefix, input.content ?? ''].join(' ').trim(), now);
  const id = payload.id as string;
  const joinedAt = iso(now - 86_400_000);
  const known = new Map([
    [r.bot.id, r.bot],
    [author.id, author],
  ]);
  const mentions = new Map<string, Json>();
  for (const [, userId = ''] of (payload.content as string).matchAll(/<@!?(\d+)>/g)) {
    mentions.set(userId, known.get(userId) ?? userPayload(userId, `user${userId}`));
  }
  let referenced: Json | undefined;
  if (input.replyToBot) {
    referenced =
      r.lastBotMessage.get(channel.id) ??
      messagePayload(r, channel, r.bot, 'An earlier answer', now - 60_000);
    if (input.replyPing !== false) mentions.set(r.bot.id, r.bot);
  }
  const file = (i: number) => `attachments/${channel.id}/${id}/photo-${i}.png`;
  Object.assign(payload, {
    ...(guildId && { member: memberPayload(input.nick, joinedAt) }),
    mentions: [...mentions.values()].map((u) =>
      guildId ? { ...u, member: memberPayload(null, joinedAt) } : u,
    ),
    mention_roles: guildId ? roles.filter((role) => r.guild.roles.has(role)) : [],
    attachments: Array.from({ length: input.attachments ?? 0 }, (_, i) => ({
      id: r.ids.next(now),
      filename: `photo-${i + 1}.png`,
      size: 48_213,
      url: `https://cdn.discordapp.com/${file(i + 1)}`,
      proxy_url: `https://media.discordapp.net/${file(i + 1)}`,
      content_type: 'image/png',
      width: 640,
      height: 480,
    })),
    nonce: String(now),
    ...(referenced && {
      type: 19,
      message_reference: { type: 0, message_id: referenced.id, channel_id: channel.id, guild_id: guildId },
      referenced_message: referenced,
    }),
    ...input.extra,
  });
  return { payload, channel };
}
