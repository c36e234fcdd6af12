/**
 * Telegram as the bridge's registry knows it (`src/platforms.ts`): its variables, which of them are
 * secrets, the checks of them taken together, how its admins are named, its documentation, and how
 * its adapter is built from its settings.
 */
import { z } from 'zod';
import { optionalSecret, url } from '../../src/config-values.ts';
import { definePlatform, numericAdmin } from '../shared/platform.ts';
import { createTelegramAdapter } from './index.ts';

/** Telegram's settings; `config.telegram`, absent when `TELEGRAM_BOT_TOKEN` is unset. */
export interface TelegramSettings {
  /** Bot token from @BotFather. Secret. */
  token: string;
  /** Bot API root. Default `https://api.telegram.org`. */
  apiRoot: string;
  /** Webhook mode: the public URL Telegram posts to; absent for long polling. */
  webhookUrl?: string;
  /** Required value of `X-Telegram-Bot-Api-Secret-Token` in webhook mode. Secret. */
  webhookSecret?: string;
  /** Pace sends before Telegram's limits (`TELEGRAM_SEND_PACING`, default on). */
  pacing: boolean;
}

export const telegramPlatform = definePlatform({
  id: 'telegram',
  label: 'Telegram',
  token: 'TELEGRAM_BOT_TOKEN',
  howTo: 'TELEGRAM_BOT_TOKEN (from @BotFather) for Telegram',
  variables: {
    TELEGRAM_BOT_TOKEN: optionalSecret.pipe(
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]+$/, {
          error: 'does not look like a bot token from @BotFather (digits:letters)',
        })
        .optional(),
    ),
    TELEGRAM_API_ROOT: url('https://api.telegram.org', 'https://api.telegram.org'),
    TELEGRAM_WEBHOOK_URL: url(undefined, 'https://bot.example.com/telegram/webhook'),
    TELEGRAM_SEND_PACING: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    TELEGRAM_WEBHOOK_SECRET: optionalSecret.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, { error: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -' })
        .optional(),
    ),
  },
  secrets: ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET'],
  needs: ['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET'],
  admins: {
    forms: 'telegram:123456',
    parse: numericAdmin('Telegram'),
  },
  problems: (set) =>
    set.TELEGRAM_WEBHOOK_URL && !set.TELEGRAM_WEBHOOK_SECRET
      ? [
          'TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL, so that forged webhook calls are refused',
        ]
      : [],
  settings: (e): TelegramSettings | undefined =>
    e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: e.TELEGRAM_API_ROOT as string,
          pacing: e.TELEGRAM_SEND_PACING === 'on',
          ...(e.TELEGRAM_WEBHOOK_URL && { webhookUrl: e.TELEGRAM_WEBHOOK_URL }),
          ...(e.TELEGRAM_WEBHOOK_SECRET && { webhookSecret: e.TELEGRAM_WEBHOOK_SECRET }),
        }
      : undefined,
  create: ({ token, apiRoot, webhookUrl, webhookSecret, pacing }, { log }) =>
    createTelegramAdapter({
      token,
      apiRoot,
      pacing,
      log,
      ...(webhookUrl && webhookSecret && { webhook: { url: webhookUrl, secret: webhookSecret } }),
    }),
  docs: [
    {
      names: ['TELEGRAM_BOT_TOKEN'],
      comment: ['Bot token from @BotFather. Setting it turns Telegram on. Secret.'],
      meaning: 'enables Telegram',
      default: 'unset: Telegram off',
    },
    {
      names: ['TELEGRAM_API_ROOT'],
      comment: ['Bot API root (a self-hosted Bot API server).'],
      examples: { TELEGRAM_API_ROOT: 'https://api.telegram.org' },
      meaning: 'Bot API root (self-hosted Bot API server)',
      default: '`https://api.telegram.org`',
    },
    {
      names: ['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET'],
      comment: [
        'Webhook mode instead of long polling: the public HTTPS URL Telegram posts updates to (its path is',
        'served on HTTP_PORT), and a secret Telegram sends back with each update (A-Z a-z 0-9 _ -). Secret.',
      ],
      meaning: 'webhook mode instead of long polling; requests without the secret are refused',
      default: 'long polling',
    },
    {
      names: ['TELEGRAM_SEND_PACING'],
      comment: [
        "Space sends before Telegram's limits (1 message/s per chat, 20/min per group, 30/s overall),",
        'shared by every worker through Redis: on or off (off for bots with raised limits).',
      ],
      examples: { TELEGRAM_SEND_PACING: 'on' },
      meaning: "pace sends before Telegram's limits (see _Platform limits_ below); `off` or `on`",
      default: '`on`',
    },
  ],
});
