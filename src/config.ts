/**
 * Configuration: read once at start-up from the environment (or `.env`), validated with zod.
 * A problem stops start-up with a `ConfigError` naming the variable and what is wrong with it.
 */
import { z } from 'zod';
import type { Platform } from './core/contract.ts';
import { ConfigError } from './core/errors.ts';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const url = (fallback: string | undefined) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v?.trim() || fallback;
      if (value === undefined) return undefined;
      try {
        return new URL(value).toString().replace(/\/$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a URL such as https://example.com' });
        return z.NEVER;
      }
    });

/** A comma-separated list of numeric ids (Discord snowflakes). */
const idList = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ids = (v ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.some((id) => !/^\d+$/.test(id))) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a comma-separated list of numeric ids (${name}=123,456)`,
        });
        return z.NEVER;
      }
      return ids;
    });

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const schema = z.object({
  AKSITA_API_KEY: z
    .string({ error: 'is required (the agent API key from the Aksita dashboard)' })
    .trim()
    .min(1, {
      error: 'is required (the agent API key from the Aksita dashboard)',
    }),
  AKSITA_API_KEY_TELEGRAM: optionalSecret,
  AKSITA_API_KEY_DISCORD: optionalSecret,
  AKSITA_API_KEY_SLACK: optionalSecret,
  AKSITA_BASE_URL: url('https://api.aksita.ai'),
  AKSITA_TIMEOUT_MS: int(60_000, 1_000, 600_000),
  AKSITA_MAX_ATTEMPTS: int(6, 1, 20),
  AKSITA_RETRY_BASE_MS: int(1_000, 10, 60_000),
  AKSITA_RETRY_MAX_MS: int(60_000, 100, 3_600_000),
  REDIS_URL: url('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .optional()
    .transform((v) => v?.trim() || 'aksita')
    .pipe(z.string().regex(/^[A-Za-z0-9_{}-]+$/, { error: 'may hold only letters, digits, _, -, { and }' })),
  TELEGRAM_BOT_TOKEN: optionalSecret.pipe(
    z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, {
        error: 'does not look like a bot token from @BotFather (digits:letters)',
      })
      .optional(),
  ),
  TELEGRAM_API_ROOT: url('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: url(undefined),
  TELEGRAM_WEBHOOK_SECRET: optionalSecret.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { error: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -' })
      .optional(),
  ),
  DISCORD_BOT_TOKEN: optionalSecret,
  DISCORD_API_URL: url('https://discord.com/api'),
  DISCORD_MENTION_ROLES: idList('DISCORD_MENTION_ROLES'),
  DISCORD_RESPOND_CHANNELS: idList('DISCORD_RESPOND_CHANNELS'),
  DISCORD_AUTO_THREAD: bool(false),
  SLACK_BOT_TOKEN: optionalSecret.pipe(
    z.string().startsWith('xoxb-', { error: 'must be a bot token starting with xoxb-' }).optional(),
  ),
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_APP_TOKEN: optionalSecret.pipe(
    z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional(),
  ),
  SLACK_API_URL: url('https://slack.com/api/'),
  SLACK_WORKING_REACTION: z
    .string()
    .optional()
    .transform((v) => v?.trim().replace(/^:|:$/g, '') || 'eyes'),
  ADMIN_USERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const admins: Array<{ platform: Platform; id: string }> = [];
      for (const item of (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const match = /^(telegram|discord|slack):([A-Za-z0-9_-]+)$/.exec(item);
        if (!match) {
          ctx.addIssue({
            code: 'custom',
            message: `has "${item}": each entry must be platform:user-id, e.g. telegram:123456`,
          });
          return z.NEVER;
        }
        admins.push({ platform: match[1] as Platform, id: match[2] as string });
      }
      return admins;
    }),
  ADMIN_HTTP_TOKEN: optionalSecret.pipe(
    z.string().min(16, { error: 'must be at least 16 characters (use a long random string)' }).optional(),
  ),
  CREDIT_ALERT_THRESHOLDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parts = (v ?? '1000,100,0')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const numbers = parts.map(Number);
      if (numbers.some((n) => !Number.isInteger(n) || n < 0)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a comma-separated list of whole numbers, e.g. 1000,100,0',
        });
        return z.NEVER;
      }
      return [...new Set(numbers)].sort((a, b) => b - a);
    }),
  USER_DAILY_CREDIT_LIMIT: int(0, 0, 1_000_000_000),
  CHAT_DAILY_CREDIT_LIMIT: int(0, 0, 1_000_000_000),
  SLACK_COMMAND: z
    .string()
    .optional()
    .transform((v) => v?.trim() || '/aksita')
    .pipe(
      z.string().regex(/^\/[a-z0-9_-]{1,31}$/, {
        error: 'must look like /aksita (lower case, at most 32 characters)',
      }),
    ),
  HTTP_PORT: int(3000, 0, 65_535),
  BRIDGE_ROLE: z
    .enum(['all', 'receiver', 'worker'], { error: 'must be all, receiver or worker' })
    .default('all'),
  BRIDGE_LANGUAGE: z.enum(['en', 'id'], { error: 'must be en or id' }).default('en'),
  BRIDGE_NOTICES_FILE: optionalSecret,
  GROUP_MODE: z.enum(['mention', 'all'], { error: 'must be mention or all' }).default('mention'),
  SEND_USER_CONTEXT: bool(true),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  WORKER_CONCURRENCY: int(1_000, 1, 10_000),
  JOB_LOCK_MS: int(30_000, 1_000, 600_000),
  DEDUPE_TTL_SECONDS: int(172_800, 60, 2_592_000),
  SHUTDOWN_GRACE_MS: int(8_000, 0, 60_000),
});

/** The validated configuration the bridge runs with. */
export interface Config {
  /** Aksita API key per platform (each falls back to `AKSITA_API_KEY`). */
  aksitaKeys: Record<Platform, string>;
  /** Aksita API base URL, without a trailing slash. */
  aksitaBaseUrl: string;
  /** Timeout of one agent call, ms. Default 60 000. */
  aksitaTimeoutMs: number;
  /** Attempts of one message on 5xx/timeouts before the user gets the "unavailable" notice. Default 6. */
  aksitaMaxAttempts: number;
  /** First backoff delay, doubled each attempt (1 s, 2 s, 4 s, …), ms. Default 1 000. */
  aksitaRetryBaseMs: number;
  /** Upper bound of one backoff delay, ms. Default 60 000. */
  aksitaRetryMaxMs: number;
  /** Redis connection URL (a `/db` suffix selects the database). */
  redisUrl: string;
  /** Prefix of every Redis key the bridge writes. Default `aksita`. */
  redisPrefix: string;
  /** Telegram settings; absent when `TELEGRAM_BOT_TOKEN` is unset. */
  telegram?: {
    /** Bot token from @BotFather. Secret. */
    token: string;
    /** Bot API root. Default `https://api.telegram.org`. */
    apiRoot: string;
    /** Webhook mode: the public URL Telegram posts to; absent for long polling. */
    webhookUrl?: string;
    /** Required value of `X-Telegram-Bot-Api-Secret-Token` in webhook mode. Secret. */
    webhookSecret?: string;
  };
  /** Discord settings; absent when `DISCORD_BOT_TOKEN` is unset. */
  discord?: {
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
  };
  /** Slack settings; absent when `SLACK_BOT_TOKEN` is unset. */
  slack?: {
    /** Bot token (`xoxb-`). Secret. */
    botToken: string;
    /** Signing secret for the Events API over HTTP. Secret. Absent in Socket Mode. */
    signingSecret?: string;
    /** App-level token (`xapp-`): Socket Mode instead of HTTP. Secret. */
    appToken?: string;
    /** Web API base, with a trailing slash. Default `https://slack.com/api/`. */
    apiUrl: string;
    /** Reaction shown on the user's message while the agent works; null when turned off. */
    workingReaction: string | null;
  };
  /** Who may use admin commands, by platform and user id (`ADMIN_USERS`). */
  admins: Array<{ platform: Platform; id: string }>;
  /** Bearer token for `/admin/*` over HTTP; absent: those routes are off. Secret. */
  adminHttpToken?: string;
  /** Balances that alert admins when crossed going down, highest first. Default 1000, 100, 0. */
  creditAlertThresholds: number[];
  /** Credits one user may spend per UTC day; 0 = no limit. */
  userDailyCreditLimit: number;
  /** Credits one chat may spend per UTC day; 0 = no limit. */
  chatDailyCreditLimit: number;
  /** Slack slash command name. Default `/aksita`. */
  slackCommand: string;
  /** Port of the HTTP server (health, webhooks). Default 3000; 0 picks a free one. */
  httpPort: number;
  /** Which parts run in this process. Default `all`. */
  role: 'all' | 'receiver' | 'worker';
  /** Language of the bridge's own notices. Default `en`. */
  language: 'en' | 'id';
  /** Optional JSON file overriding the wording of notices. */
  noticesFile?: string;
  /** `mention`: answer in groups only when addressed; `all`: answer everything. */
  groupMode: 'mention' | 'all';
  /** Send the user's display name to the agent in `additional_context`. Default true. */
  sendUserContext: boolean;
  /** pino log level. Default `info`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Turns (threads) one worker process runs at once. Default 1 000. */
  workerConcurrency: number;
  /** BullMQ lock duration: how soon a crashed worker's thread is picked up again, ms. Default 30 000. */
  jobLockMs: number;
  /** How long a platform message id is remembered to drop redeliveries, s. Default 2 days. */
  dedupeTtlSeconds: number;
  /** On SIGTERM, how long in-flight agent calls may finish before they are handed back, ms. Default 8 000. */
  shutdownGraceMs: number;
  /** Every secret in this configuration, for log redaction. */
  secrets: string[];
}

/** Validates `env` and returns the configuration, or throws a `ConfigError` naming each bad variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  options: {
    /** Refuse a configuration without any platform (the bridge does; the terminal tool does not). */
    requirePlatform?: boolean;
  } = {},
): Config {
  // An empty variable (`NAME=` in .env) means "not set".
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${String(issue.path[0] ?? 'configuration')} ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  const e = parsed.data;
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  - TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL, so that forged webhook calls are refused',
    );
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new ConfigError(
      'Invalid configuration:\n  - SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (
    options.requirePlatform !== false &&
    !e.TELEGRAM_BOT_TOKEN &&
    !e.DISCORD_BOT_TOKEN &&
    !e.SLACK_BOT_TOKEN
  ) {
    throw new ConfigError(
      [
        'No platform is configured. Set at least one of:',
        '  - TELEGRAM_BOT_TOKEN (from @BotFather) for Telegram',
        '  - DISCORD_BOT_TOKEN (from the Discord developer portal) for Discord',
        '  - SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) for Slack',
      ].join('\n'),
    );
  }
  const key = e.AKSITA_API_KEY;
  const config: Config = {
    aksitaKeys: {
      telegram: e.AKSITA_API_KEY_TELEGRAM ?? key,
      discord: e.AKSITA_API_KEY_DISCORD ?? key,
      slack: e.AKSITA_API_KEY_SLACK ?? key,
      cli: key,
    },
    aksitaBaseUrl: e.AKSITA_BASE_URL as string,
    aksitaTimeoutMs: e.AKSITA_TIMEOUT_MS,
    aksitaMaxAttempts: e.AKSITA_MAX_ATTEMPTS,
    aksitaRetryBaseMs: e.AKSITA_RETRY_BASE_MS,
    aksitaRetryMaxMs: e.AKSITA_RETRY_MAX_MS,
    redisUrl: e.REDIS_URL as string,
    redisPrefix: e.REDIS_PREFIX,
    ...(e.TELEGRAM_BOT_TOKEN && {
      telegram: {
        token: e.TELEGRAM_BOT_TOKEN,
        apiRoot: e.TELEGRAM_API_ROOT as string,
        ...(e.TELEGRAM_WEBHOOK_URL && { webhookUrl: e.TELEGRAM_WEBHOOK_URL }),
        ...(e.TELEGRAM_WEBHOOK_SECRET && { webhookSecret: e.TELEGRAM_WEBHOOK_SECRET }),
      },
    }),
    ...(e.DISCORD_BOT_TOKEN && {
      discord: {
        token: e.DISCORD_BOT_TOKEN,
        apiUrl: e.DISCORD_API_URL as string,
        mentionRoles: e.DISCORD_MENTION_ROLES,
        respondChannels: e.DISCORD_RESPOND_CHANNELS,
        autoThread: e.DISCORD_AUTO_THREAD,
      },
    }),
    ...(e.SLACK_BOT_TOKEN && {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        ...(e.SLACK_SIGNING_SECRET && { signingSecret: e.SLACK_SIGNING_SECRET }),
        ...(e.SLACK_APP_TOKEN && { appToken: e.SLACK_APP_TOKEN }),
        apiUrl: `${e.SLACK_API_URL as string}/`,
        // An empty SLACK_WORKING_REACTION (set, but blank) turns the reaction off.
        workingReaction:
          env.SLACK_WORKING_REACTION !== undefined && env.SLACK_WORKING_REACTION.trim() === ''
            ? null
            : e.SLACK_WORKING_REACTION,
      },
    }),
    admins: e.ADMIN_USERS,
    ...(e.ADMIN_HTTP_TOKEN && { adminHttpToken: e.ADMIN_HTTP_TOKEN }),
    creditAlertThresholds: e.CREDIT_ALERT_THRESHOLDS,
    userDailyCreditLimit: e.USER_DAILY_CREDIT_LIMIT,
    chatDailyCreditLimit: e.CHAT_DAILY_CREDIT_LIMIT,
    slackCommand: e.SLACK_COMMAND,
    httpPort: e.HTTP_PORT,
    role: e.BRIDGE_ROLE,
    language: e.BRIDGE_LANGUAGE,
    ...(e.BRIDGE_NOTICES_FILE && { noticesFile: e.BRIDGE_NOTICES_FILE }),
    groupMode: e.GROUP_MODE,
    sendUserContext: e.SEND_USER_CONTEXT,
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    jobLockMs: e.JOB_LOCK_MS,
    dedupeTtlSeconds: e.DEDUPE_TTL_SECONDS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    secrets: [],
  };
  config.secrets = secretsOf(config, e.REDIS_URL as string);
  return config;
}

function secretsOf(config: Config, redisUrl: string): string[] {
  const secrets = new Set<string>(Object.values(config.aksitaKeys));
  if (config.telegram) secrets.add(config.telegram.token);
  if (config.telegram?.webhookSecret) secrets.add(config.telegram.webhookSecret);
  if (config.discord) secrets.add(config.discord.token);
  if (config.adminHttpToken) secrets.add(config.adminHttpToken);
  for (const secret of [config.slack?.botToken, config.slack?.signingSecret, config.slack?.appToken]) {
    if (secret) secrets.add(secret);
  }
  const redisPassword = new URL(redisUrl).password;
  if (redisPassword) secrets.add(decodeURIComponent(redisPassword));
  // Short strings would redact innocent text; every real secret here is long.
  return [...secrets].filter((s) => s.length >= 6);
}

/** The Redis URL with any password masked, for messages to operators. */
export function safeRedisUrl(redisUrl: string): string {
  const u = new URL(redisUrl);
  if (u.password) u.password = '***';
  return u.toString();
}
