/**
 * Discord gateway payloads, written from Discord's documented shapes (MESSAGE_CREATE: the message
 * object with `guild_id`, `member` and `mentions[].member` in guilds; message types, message
 * references and snapshots, stickers, polls; INTERACTION_CREATE), each with what the bridge must do.
 * `[#n]` in a name points at the item of issue 14 the entry covers.
 * The cases are in `discord-corpus-channels.ts` (DMs, guild channels, replies) and
 * `discord-corpus-special.ts` (threads, forwards, other authors, system messages, interactions), the
 * ids, users and payload builders they use in `discord-corpus-world.ts`.
 */
import type { DiscordChannelInfo, DiscordGuildInfo } from '../../adapters/discord/normalize.ts';
import { DISCORD_CHANNEL_CASES } from './discord-corpus-channels.ts';
import { DISCORD_SPECIAL_CASES } from './discord-corpus-special.ts';
import type { Json } from './discord-corpus-world.ts';

export { BOT_ID, BOT_ROLE, HELPERS_ROLE, MODS_ROLE, RESPOND_CHANNEL } from './discord-corpus-world.ts';

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

export const DISCORD_CORPUS: DiscordCase[] = [...DISCORD_CHANNEL_CASES, ...DISCORD_SPECIAL_CASES];
