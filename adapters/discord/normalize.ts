/**
 * Pure: one gateway MESSAGE_CREATE payload (the raw JSON, as Discord sends it) → the core's
 * `IncomingMessage`, and one INTERACTION_CREATE of a slash command → a `CommandRequest`; `null` when
 * the bridge ignores it. Never throws, whatever the input.
 */
import type { CommandRequest, IncomingMessage } from '../../src/core/contract.ts';
import { removeTokens } from '../../src/core/text.ts';

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

type Loose = Record<string, unknown>;

const DISCORD_EPOCH = 1_420_070_400_000;
/** Message types written by people: DEFAULT and REPLY. The rest are system messages. */
const USER_MESSAGE_TYPES = new Set([0, 19]);
/** Channel types that are threads: announcement, public and private thread. */
const THREAD_TYPES = new Set([10, 11, 12]);
const SNOWFLAKE = /^\d{1,20}$/;

const record = (v: unknown): Loose | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const snowflake = (v: unknown): string | undefined => {
  const s = str(v);
  return s !== undefined && SNOWFLAKE.test(s) ? s : undefined;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/** `<@id>` of other users → `@name`, so the agent reads names rather than ids. */
function nameUserMentions(text: string, mentions: unknown[]): string {
  const names = new Map<string, string>();
  for (const item of mentions) {
    const user = record(item);
    const id = snowflake(user?.id);
    const name = str(record(user?.member)?.nick) ?? str(user?.global_name) ?? str(user?.username);
    if (id !== undefined && name) names.set(id, name);
  }
  return text.replace(/<@!?(\d{1,20})>/g, (token, id: string) => {
    const name = names.get(id);
    return name === undefined ? token : `@${name}`;
  });
}

function sentAt(msg: Loose, id: string): number {
  const parsed = Date.parse(str(msg.timestamp) ?? '');
  if (Number.isFinite(parsed)) return parsed;
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

function inspect(
  raw: unknown,
  bot: DiscordBotContext,
  channel: DiscordChannelInfo | undefined,
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
  const hasMedia = nonEmpty(msg.attachments) || nonEmpty(msg.sticker_items) || nonEmpty(msg.embeds);
  if (content.trim() === '' && !hasMedia) return null;

  const mentions = list(msg.mentions);
  const botToken = `<@!?${SNOWFLAKE.test(bot.id) ? bot.id : 'no-bot-id'}>`;
  const tokenMentions = new RegExp(botToken).test(content);
  const listedRoles = list(msg.mention_roles).filter(
    (role): role is string => typeof role === 'string' && bot.mentionRoles.includes(role),
  );
  const reference = record(msg.referenced_message);
  const repliesToBot = snowflake(record(reference?.author)?.id) === bot.id;
  const mentionedBot = mentions.some((u) => snowflake(record(u)?.id) === bot.id);
  const isThread = channel?.isThread ?? THREAD_TYPES.has(msg.channel_type as number);
  const respondChannel =
    bot.respondChannels.includes(channelId) ||
    (isThread && channel?.parentId != null && bot.respondChannels.includes(channel.parentId));

  let addressedBy: DiscordAddressedBy | null = null;
  if (direct) addressedBy = 'direct';
  else if (tokenMentions) addressedBy = 'mention';
  else if (listedRoles.length > 0) addressedBy = 'role';
  else if (repliesToBot) addressedBy = 'reply';
  else if (mentionedBot) addressedBy = 'mention';
  else if (respondChannel) addressedBy = 'channel';

  const ownTokens = [botToken, ...listedRoles.filter((r) => SNOWFLAKE.test(r)).map((r) => `<@&${r}>`)];
  const stripped = nameUserMentions(
    removeTokens(content, new RegExp(`(?:${ownTokens.join('|')})[,:]?`, 'g')),
    mentions,
  );
  let text: string | null = content.trim() === '' ? null : stripped;
  let command: IncomingMessage['command'];
  const commandMatch = text === null ? null : /^\/([a-z0-9_]{1,32})(?:\s+([\s\S]*))?$/i.exec(text);
  if (commandMatch) {
    command = { name: (commandMatch[1] as string).toLowerCase(), args: (commandMatch[2] ?? '').trim() };
    text = command.args;
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
): InspectedDiscordMessage | null {
  try {
    return inspect(raw, bot, channel);
  } catch {
    return null;
  }
}

/** The `IncomingMessage` of a MESSAGE_CREATE payload, or `null` (see `inspectDiscordMessage`). */
export function normalizeDiscordMessage(
  raw: unknown,
  bot: DiscordBotContext,
  channel?: DiscordChannelInfo,
): IncomingMessage | null {
  return inspectDiscordMessage(raw, bot, channel)?.message ?? null;
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
