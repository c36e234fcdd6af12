/**
 * Pure: a Slack Events API event → the `IncomingMessage` the core takes, or `null` for what the bridge
 * ignores (bots, edits, joins, the bot's own messages, malformed payloads); never throws.
 */
import type { IncomingMessage } from '../../src/core/contract.ts';
import { type Loose, record, filled as str } from '../shared/guards.ts';

/** The bot's own identity, from `auth.test`. */
export interface SlackBotIdentity {
  /** The bot's user id (`U…`), the one `<@U…>` mentions name. */
  userId: string;
  /** The bot id (`B…`) its own messages carry as `bot_id`. */
  botId: string;
  /** The workspace (`T…`) the token belongs to; used when an envelope names none. */
  teamId: string;
}

/**
 * Names the bridge has learned (`users.info`, `conversations.info`), for references that carry none.
 * Read only: the normalizer stays pure; the adapter fills these before it calls it.
 */
export interface SlackNames {
  /** Display names by user id (`U…`, `W…`). */
  users?: ReadonlyMap<string, string>;
  /** Channel names (without `#`) by channel id. */
  channels?: ReadonlyMap<string, string>;
}

/** Message subtypes that are a person writing; every other subtype (edits, deletes, joins, bots) is ignored. */
const USER_SUBTYPES = new Set(['file_share', 'thread_broadcast', 'me_message']);
/** The special mentions that notify a whole channel or workspace. */
const BROADCASTS = new Set(['here', 'channel', 'everyone']);
/** One piece of Slack markup: `<…>`; a literal `<` or `>` in a message is always escaped. */
const MARKUP = /<([^<>]*)>/g;
/** A user reference without a label (`<@U123>`): the legacy `<@U123|ana>` names itself. */
const BARE_USER_REF = /<@([A-Z0-9]{2,32})\|?>/g;
/** A channel reference without a label (`<#C123>`, `<#C123|>`): the one kind that needs a look-up. */
const BARE_CHANNEL_REF = /<#([A-Z0-9]{2,32})\|?>/g;
/** A Slack timestamp: seconds, a dot, microseconds. It is also the message's id within its channel. */
const TS = /^\d{1,12}\.\d{1,9}$/;
/** Slack ids (`U…`, `C…`, `T…`): upper-case letters and digits. */
export const SLACK_ID = /^[A-Z0-9]{2,32}$/;
/**
 * The bridge's commands, which a DM may give as its whole text (`credits`, `/Help`): the same names
 * as the slash command's words. Anything else, and every word in a channel, goes to the agent.
 */
const DM_COMMANDS = new Set(['credits', 'status', 'reset', 'help']);

/** The command a DM's whole text names (trimmed, any case, an optional leading `/`), if any. */
function dmCommand(text: string | null): { name: string; args: string } | undefined {
  const name = text?.trim().replace(/^\//, '').toLowerCase();
  return name !== undefined && DM_COMMANDS.has(name) ? { name, args: '' } : undefined;
}

function id(value: unknown): string | undefined {
  const s = str(value);
  return s !== undefined && SLACK_ID.test(s) ? s : undefined;
}

function ts(value: unknown): string | undefined {
  const s = str(value);
  return s !== undefined && TS.test(s) ? s : undefined;
}

/** `<@U123>` or `<@U123|name>`, with the blanks around it and a `,`/`:` right after it. */
function mentionPattern(userId: string): RegExp {
  return new RegExp(`[ \\t]*<@${userId}(?:\\|[^>]*)?>[,:]?[ \\t]*`, 'g');
}

/** Undoes Slack's escaping of `&`, `<`, `>` (once: `&amp;lt;` is `&lt;`). */
function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp);/g, (_, name: string) =>
    name === 'lt' ? '<' : name === 'gt' ? '>' : '&',
  );
}

/** The address a link label repeats, if it does: `<http://x.io|x.io>`, `<mailto:a@b.c|a@b.c>`. */
function sameAsLabel(target: string, label: string): boolean {
  return label === target || label === target.replace(/^(?:https?:\/\/|mailto:)/i, '');
}

/** One `<…>` as a person reads it in Slack (its inside is `body`, still escaped). */
function readMarkup(body: string, names: SlackNames): string {
  const bar = body.indexOf('|');
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? '' : decodeEntities(body.slice(bar + 1)).trim();
  if (target.startsWith('@')) {
    const name = label.replace(/^@/, '') || names.users?.get(target.slice(1));
    return `@${name ?? 'user'}`;
  }
  if (target.startsWith('#'))
    return `#${label.replace(/^#/, '') || names.channels?.get(target.slice(1)) || 'channel'}`;
  if (target.startsWith('!')) {
    const [word = '', ...rest] = target.slice(1).split('^');
    if (word === 'date') return label || dateFallback(rest[0]);
    if (word === 'subteam') return `@${label.replace(/^@/, '') || 'team'}`;
    // `<!here>`, `<!channel>`, `<!everyone>` (and the older `<!here|here>`).
    return BROADCASTS.has(word) ? `@${word}` : label || `@${word}`;
  }
  const url = decodeEntities(target);
  if (label === '' || sameAsLabel(url, label)) return label || url.replace(/^mailto:/i, '');
  return `${label} (${url.replace(/^mailto:/i, '')})`;
}

/** A `<!date^…>` without its (required) fallback: the time it names, in UTC. */
function dateFallback(epochSeconds: string | undefined): string {
  const ms = Number(epochSeconds) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : 'a date';
}

/**
 * Removes every mention of the bot and turns Slack's markup into what a person reads: link text with
 * its address, `@name`, `#channel`, `@here`, a date's fallback, and `&`, `<`, `>` unescaped.
 */
function cleanText(raw: string, botUserId: string, names: SlackNames): string {
  const withoutBot = SLACK_ID.test(botUserId) ? raw.replace(mentionPattern(botUserId), ' ') : raw;
  const parts = withoutBot.trim().split(MARKUP);
  // `split` with a capture group: even indexes are plain text, odd ones the inside of a `<…>`.
  return parts.map((part, i) => (i % 2 === 0 ? decodeEntities(part) : readMarkup(part, names))).join('');
}

/**
 * The people and channels a Slack event's text names without a name (`<@U123>`, `<#C123>`), which
 * the adapter may look up before normalizing. The bot itself is left out. Never throws.
 */
export function slackReferences(
  body: unknown,
  bot: SlackBotIdentity,
): { users: string[]; channels: string[] } {
  const text = record(record(body)?.event)?.text;
  if (typeof text !== 'string') return { users: [], channels: [] };
  const users = new Set([...text.matchAll(BARE_USER_REF)].map((m) => m[1] as string));
  users.delete(bot.userId);
  const channels = new Set([...text.matchAll(BARE_CHANNEL_REF)].map((m) => m[1] as string));
  return { users: [...users], channels: [...channels] };
}

function displayName(event: Loose, userId: string): string {
  const profile = record(event.user_profile);
  return str(profile?.display_name) ?? str(profile?.real_name) ?? str(profile?.name) ?? userId;
}

/** The workspace whose installation received the event: the same for both copies of a mention and for retries. */
function teamOf(envelope: Loose, event: Loose, bot: SlackBotIdentity): string | undefined {
  const authorizations = Array.isArray(envelope.authorizations) ? envelope.authorizations : [];
  return id(envelope.team_id) ?? id(record(authorizations[0])?.team_id) ?? id(event.team) ?? id(bot.teamId);
}

function normalize(body: unknown, bot: SlackBotIdentity, names: SlackNames): IncomingMessage | null {
  const envelope = record(body);
  const event = record(envelope?.event);
  if (envelope === undefined || event === undefined) return null;
  const type = event.type;
  if (type !== 'message' && type !== 'app_mention') return null;
  const channel = id(event.channel);
  const messageTs = ts(event.ts);
  const user = id(event.user);
  const team = teamOf(envelope, event, bot);
  if (channel === undefined || messageTs === undefined || user === undefined || team === undefined)
    return null;
  if (event.bot_id !== undefined && event.bot_id !== null) return null;
  if (user === bot.userId) return null;
  if (event.subtype !== undefined && !USER_SUBTYPES.has(String(event.subtype))) return null;

  // A DM's `message` event carries everything; an `app_mention` there (if any) would be a second copy.
  const direct = type === 'message' ? event.channel_type === 'im' : channel.startsWith('D');
  if (type === 'app_mention' && direct) return null;
  const raw = typeof event.text === 'string' ? event.text : '';
  const mentionsBot = SLACK_ID.test(bot.userId) && mentionPattern(bot.userId).test(raw);
  // A mention in a channel arrives twice (`app_mention` and `message`, same ts): the app_mention answers it.
  if (type === 'message' && !direct && mentionsBot) return null;

  const parent = ts(event.thread_ts);
  const inThread = parent !== undefined && parent !== messageTs;
  let threadTs: string | undefined;
  let addressed = true;
  let followUp = false;
  if (direct) {
    threadTs = inThread ? parent : undefined;
  } else if (type === 'app_mention') {
    // A mention starts (or continues) a thread: the thread it was written in, or one under it.
    threadTs = inThread ? parent : messageTs;
  } else {
    threadTs = inThread ? parent : messageTs;
    addressed = false;
    followUp = inThread;
  }

  const text = raw === '' ? null : cleanText(raw, bot.userId, names);
  const command = direct ? dmCommand(text) : undefined;
  return {
    id: `slack:${team}:${channel}:${messageTs}`,
    platform: 'slack',
    thread: threadTs === undefined ? `slack:${team}:${channel}` : `slack:${team}:${channel}:${threadTs}`,
    address: threadTs === undefined ? { channel } : { channel, thread: threadTs },
    messageId: messageTs,
    chatType: direct ? 'direct' : 'group',
    addressed,
    ...(followUp && { followUp: true }),
    text,
    ...(command && { command }),
    user: { id: user, displayName: displayName(event, user) },
    sentAt: Math.round(Number(messageTs) * 1000),
  };
}

/**
 * Turns one Events API envelope (`event_callback` with a `message` or `app_mention` event) into an
 * `IncomingMessage`, or `null` when the bridge ignores it: written by a bot (this one included), an
 * edit, delete or other service subtype, the `message` copy of a channel mention (its `app_mention`
 * carries it), or malformed. A person's subtypes (`file_share`, `thread_broadcast`, `/me`'s
 * `me_message`) count as messages. The text reads as a person reads it in Slack: links as
 * `text (url)`, people as `@name` (from a legacy label or `names`, else `@user`), channels as
 * `#name` (else `#channel`), `@here`, a date's fallback. A DM whose whole text is a command word (`credits`, `/help`) carries it
 * as `command`, so the router runs it in order with the DM's other messages. The id
 * `slack:<team>:<channel>:<ts>` is the same for both copies of a mention and for Slack's retries.
 * Never throws, whatever the input.
 */
export function normalizeSlackEvent(
  body: unknown,
  bot: SlackBotIdentity,
  names: SlackNames = {},
): IncomingMessage | null {
  try {
    return normalize(body, bot, names);
  } catch {
    return null;
  }
}
