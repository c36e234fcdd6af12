/**
 * Pure: one gateway MESSAGE_CREATE payload (the raw JSON, as Discord sends it) → the core's
 * `IncomingMessage`, and one INTERACTION_CREATE of a slash command → a `CommandRequest`; `null` when
 * the bridge ignores it. Never throws, whatever the input.
 */
import type { CommandRequest, IncomingMessage } from '../../src/core/contract.ts';
import { removeTokens } from '../../src/core/text.ts';
import { type Loose, list, record, str } from '../shared/guards.ts';
import { type DiscordNames, mentionedNames, readableMarkup } from './markup.ts';

/** What the normalizer needs to know about the bot and its settings. */
export interface DiscordBotContext {
  /** The bot's user id (from `GET /users/@me`). */
  id: string;
  /** Role ids whose mention addresses the bot (`DISCORD_MENTION_ROLES`). */
  mentionRoles: readonly string[];
  /** Channel ids where every message is answered (`DISCORD_RESPOND_CHANNELS`). */
  respondChannels: readonly string[];
}

/** What the adapter knows about the message's channel (the payload does not say it all). */
export interface DiscordChannelInfo {
  /** True for a thread (public, private or announcement thread). */
  isThread: boolean;
  /** A thread's parent channel; null for other channels or when unknown. */
  parentId: string | null;
}

/** What the adapter knows about the message's guild, from its cache (absent in DMs or when unknown). */
export interface DiscordGuildInfo extends DiscordNames {
  /** The bot's own managed roles (a role whose `tags.bot_id` is the bot): mentioning one addresses it. */
  botRoles?: readonly string[];
}

/** Why a message is answered: a DM, or in a guild a mention, a listed role, a reply, a respond channel. */
export type DiscordAddressedBy = 'direct' | 'mention' | 'role' | 'reply' | 'channel';

/** A normalized message and, when it is addressed, why. */
export interface InspectedDiscordMessage {
  message: IncomingMessage;
  /** Why it is answered; null when, in a guild, nothing addresses the bot. */
  addressedBy: DiscordAddressedBy | null;
  /** True when the message was written in a thread. */
  inThread: boolean;
}

const DISCORD_EPOCH = 1_420_070_400_000;
/** Message types written by people: DEFAULT and REPLY. The rest are system messages. */
const USER_MESSAGE_TYPES = new Set([0, 19]);
/** Channel types that are threads: announcement, public and private thread. */
const THREAD_TYPES = new Set([10, 11, 12]);
const SNOWFLAKE = /^\d{1,20}$/;
/** `message_reference.type` of a forward: the forwarded message is in `message_snapshots`. */
const FORWARD = 1;
/** How the agent is told that the question is a forwarded message. */
export const FORWARDED_PREFIX = 'Forwarded message:\n';
/** Fields that carry something other than text: files, link embeds, stickers, polls. */
const MEDIA_KEYS = ['attachments', 'embeds', 'sticker_items', 'stickers'] as const;

const snowflake = (v: unknown): string | undefined => {
  const s = str(v);
  return s !== undefined && SNOWFLAKE.test(s) ? s : undefined;
};
const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

function sentAt(msg: Loose, id: string): number {
  const parsed = Date.parse(str(msg.timestamp) ?? '');
  if (Number.isFinite(parsed)) return parsed;
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

/** True when a message (or a forwarded snapshot) carries something besides text. */
const hasMedia = (m: Loose | undefined): boolean =>
  m !== undefined && (MEDIA_KEYS.some((key) => nonEmpty(m[key])) || record(m.poll) !== undefined);

function inspect(
  raw: unknown,
  bot: DiscordBotContext,
  channel: DiscordChannelInfo | undefined,
  guild: DiscordGuildInfo,
): InspectedDiscordMessage | null {
  const msg = record(raw);
  const author = record(msg?.author);
  if (msg === undefined || author === undefined) return null;
  const id = snowflake(msg.id);
  const channelId = snowflake(msg.channel_id);
  const userId = snowflake(author.id);
  if (id === undefined || channelId === undefined || userId === undefined) return null;
  if (author.bot === true || author.system === true || userId === bot.id || msg.webhook_id !== undefined) {
    return null;
  }
  if (!USER_MESSAGE_TYPES.has(msg.type === undefined ? 0 : (msg.type as number))) return null;

  const guildId = snowflake(msg.guild_id);
  const direct = guildId === undefined;
  const content = str(msg.content) ?? '';
  // A forward carries the forwarded message in its first snapshot; its own content is empty.
  const forwarded =
    record(msg.message_reference)?.type === FORWARD
      ? (record(record(list(msg.message_snapshots)[0])?.message) ?? {})
      : undefined;
  const forwardedContent = str(forwarded?.content) ?? '';
  const blank = content.trim() === '' && forwardedContent.trim() === '';
  if (blank && !hasMedia(msg) && !hasMedia(forwarded)) return null;

  const mentions = [...list(msg.mentions), ...list(forwarded?.mentions)];
  const botToken = `<@!?${SNOWFLAKE.test(bot.id) ? bot.id : 'no-bot-id'}>`;
  const tokenMentions = new RegExp(botToken).test(`${content}\n${forwardedContent}`);
  const botRoles = direct ? [] : (guild.botRoles ?? []);
  const rolesMentioned = [...list(msg.mention_roles), ...list(forwarded?.mention_roles)].filter(
    (role): role is string => typeof role === 'string' && SNOWFLAKE.test(role),
  );
  const listedRoles = rolesMentioned.filter((role) => bot.mentionRoles.includes(role));
  const botRoleMentioned = rolesMentioned.some((role) => botRoles.includes(role));
  const reference = record(msg.referenced_message);
  const repliesToBot = snowflake(record(reference?.author)?.id) === bot.id;
  const mentionedBot = mentions.some((u) => snowflake(record(u)?.id) === bot.id);
  const isThread = channel?.isThread ?? THREAD_TYPES.has(msg.channel_type as number);
  const respondChannel =
    bot.respondChannels.includes(channelId) ||
    (isThread && channel?.parentId != null && bot.respondChannels.includes(channel.parentId));

  let addressedBy: DiscordAddressedBy | null = null;
  if (direct) addressedBy = 'direct';
  else if (tokenMentions || botRoleMentioned) addressedBy = 'mention';
  else if (listedRoles.length > 0) addressedBy = 'role';
  else if (repliesToBot) addressedBy = 'reply';
  else if (mentionedBot) addressedBy = 'mention';
  else if (respondChannel) addressedBy = 'channel';

  const ownRoles = [...bot.mentionRoles, ...botRoles].filter((r) => SNOWFLAKE.test(r));
  const ownTokens = new RegExp(`(?:${[botToken, ...ownRoles.map((r) => `<@&${r}>`)].join('|')})[,:]?`, 'g');
  const users = mentionedNames(mentions);
  const readable = (s: string) => readableMarkup(removeTokens(s, ownTokens), users, guild);
  const own = content.trim() === '' ? null : readable(content);
  let text = own;
  let command: IncomingMessage['command'];
  if (forwarded !== undefined) {
    const quoted = forwardedContent.trim() === '' ? '' : readable(forwardedContent);
    // A forward whose words are all the bot's mention still asks about the forwarded message.
    if (quoted !== '') text = [own, `${FORWARDED_PREFIX}${quoted}`].filter(Boolean).join('\n\n');
  } else {
    // Like Telegram's: `text` is the command's arguments; the router gives an unknown command its verb back.
    const match = own === null ? null : /^\/([a-z0-9_]{1,32})(?:\s+([\s\S]*))?$/i.exec(own);
    if (match) {
      command = { name: (match[1] as string).toLowerCase(), args: (match[2] ?? '').trim() };
      text = command.args;
    }
  }

  const member = record(msg.member);
  const displayName =
    str(member?.nick) || str(author.global_name) || str(author.username) || `user ${userId}`;
  const message: IncomingMessage = {
    id: `discord:${channelId}:${id}`,
    platform: 'discord',
    thread: `discord:${channelId}`,
    address: { channel: channelId },
    messageId: id,
    chatType: direct ? 'direct' : 'group',
    addressed: addressedBy !== null,
    ...(addressedBy === null && isThread && { followUp: true }),
    text,
    ...(command && { command }),
    user: { id: userId, displayName },
    sentAt: sentAt(msg, id),
    ...(guildId !== undefined && { guildId }),
  };
  return { message, addressedBy, inThread: isThread };
}

/**
 * Normalizes a MESSAGE_CREATE payload and says why it is addressed. `null` for messages the bridge
 * ignores: from a bot (including this one), a webhook or the system, system message types (joins,
 * pins, thread starters, …), empty or malformed payloads. `channel` comes from the client's cache;
 * without it the payload's `channel_type` decides whether the channel is a thread.
 */
export function inspectDiscordMessage(
  raw: unknown,
  bot: DiscordBotContext,
  channel?: DiscordChannelInfo,
  guild: DiscordGuildInfo = {},
): InspectedDiscordMessage | null {
  try {
    return inspect(raw, bot, channel, guild);
  } catch {
    return null;
  }
}

/** A slash command from INTERACTION_CREATE: what to run, and what the answer is sent with. */
export interface DiscordCommandCall {
  /** The interaction's id (acknowledged with it). */
  id: string;
  /** The interaction's token: valid 15 minutes, never logged. */
  token: string;
  /** The application the interaction belongs to (its webhook edits the answer). */
  applicationId: string;
  /** The command for the core: thread key and chat type as a message in that channel would get. */
  request: CommandRequest;
}

/** Interaction type APPLICATION_COMMAND and command type CHAT_INPUT (a slash command). */
const APPLICATION_COMMAND = 2;
const CHAT_INPUT = 1;

/**
 * Normalizes an INTERACTION_CREATE payload of a slash command. The caller is `member.user` in a guild
 * and `user` in a DM; a DM (no `guild_id`) is a `direct` chat. `null` for every other interaction
 * (buttons, autocomplete, context menus, pings) and for malformed payloads.
 */
export function normalizeDiscordCommand(raw: unknown): DiscordCommandCall | null {
  const d = record(raw);
  const data = record(d?.data);
  if (d?.type !== APPLICATION_COMMAND || data?.type !== CHAT_INPUT) return null;
  const id = snowflake(d.id);
  const applicationId = snowflake(d.application_id);
  const token = str(d.token);
  const name = str(data.name)?.toLowerCase();
  const channelId = snowflake(record(d.channel)?.id) ?? snowflake(d.channel_id);
  const guildId = snowflake(d.guild_id);
  const userId = snowflake(record(record(d.member)?.user)?.id) ?? snowflake(record(d.user)?.id);
  if (!id || !applicationId || !token || !name || !channelId || !userId) return null;
  return {
    id,
    token,
    applicationId,
    request: {
      name,
      userId,
      thread: `discord:${channelId}`,
      chatType: guildId === undefined ? 'direct' : 'group',
    },
  };
}
