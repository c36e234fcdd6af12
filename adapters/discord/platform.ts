/**
 * Discord as the bridge's registry knows it (`src/platforms.ts`): its variables, which of them are
 * secrets, how its admins are named, its documentation, and how its adapter is built.
 */
import { bool, idList, optionalSecret, url } from '../../src/config-values.ts';
import { definePlatform, numericAdmin } from '../shared/platform.ts';
import { createDiscordAdapter } from './index.ts';

/** Discord's settings; `config.discord`, absent when `DISCORD_BOT_TOKEN` is unset. */
export interface DiscordSettings {
  /** Bot token from the developer portal. Secret. */
  token: string;
  /** REST base; its `GET /gateway/bot` names the gateway. Default `https://discord.com/api`. */
  apiUrl: string;
  /** Role ids whose mention addresses the bot in guild channels. */
  mentionRoles: string[];
  /** Channel ids where the bot answers every message. */
  respondChannels: string[];
  /** Start a thread on a mentioning message and continue the conversation there. */
  autoThread: boolean;
}

export const discordPlatform = definePlatform({
  id: 'discord',
  label: 'Discord',
  token: 'DISCORD_BOT_TOKEN',
  howTo: 'DISCORD_BOT_TOKEN (from the Discord developer portal) for Discord',
  variables: {
    DISCORD_BOT_TOKEN: optionalSecret,
    DISCORD_API_URL: url('https://discord.com/api', 'https://discord.com/api'),
    DISCORD_MENTION_ROLES: idList('DISCORD_MENTION_ROLES'),
    DISCORD_RESPOND_CHANNELS: idList('DISCORD_RESPOND_CHANNELS'),
    DISCORD_AUTO_THREAD: bool(false),
  },
  secrets: ['DISCORD_BOT_TOKEN'],
  needs: ['DISCORD_MENTION_ROLES', 'DISCORD_RESPOND_CHANNELS'],
  admins: {
    forms: 'discord:987654321',
    parse: numericAdmin('Discord'),
  },
  settings: (e): DiscordSettings | undefined =>
    e.DISCORD_BOT_TOKEN
      ? {
          token: e.DISCORD_BOT_TOKEN,
          apiUrl: e.DISCORD_API_URL as string,
          mentionRoles: e.DISCORD_MENTION_ROLES,
          respondChannels: e.DISCORD_RESPOND_CHANNELS,
          autoThread: e.DISCORD_AUTO_THREAD,
        }
      : undefined,
  create: (settings, { log, notices }) => createDiscordAdapter({ ...settings, log, notices }),
  docs: [
    {
      names: ['DISCORD_BOT_TOKEN'],
      comment: [
        'Bot token (developer portal → your application → Bot → Reset Token). Turns Discord on. Secret.',
        'The bot needs the Message Content intent (Bot → Privileged Gateway Intents).',
      ],
      meaning: 'enables Discord',
      default: 'unset: Discord off',
    },
    {
      names: ['DISCORD_API_URL'],
      comment: ['REST base; its GET /gateway/bot names the gateway (proxies).'],
      examples: { DISCORD_API_URL: 'https://discord.com/api' },
      meaning: 'REST base; its `GET /gateway/bot` names the gateway (proxies)',
      default: '`https://discord.com/api`',
    },
    {
      names: ['DISCORD_MENTION_ROLES', 'DISCORD_RESPOND_CHANNELS'],
      comment: [
        'Role ids (comma-separated) whose mention addresses the bot in guild channels; channel ids',
        '(comma-separated) where the bot answers every message.',
      ],
      meaning: 'role ids whose mention addresses the bot; channel ids answered in full',
      default: 'empty',
    },
    {
      names: ['DISCORD_AUTO_THREAD'],
      comment: ['true: start a thread on a mentioning message and continue the conversation there.'],
      examples: { DISCORD_AUTO_THREAD: 'false' },
      meaning: 'a mention starts a thread that holds the conversation',
      default: '`false`',
    },
  ],
});
