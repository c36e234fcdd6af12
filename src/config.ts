/**
 * Configuration: read once at start-up from the environment (or `.env`), validated with zod.
 * A problem stops start-up with a `ConfigError` naming the variable and what is wrong with it.
 */
import { z } from 'zod';
import { controlsConfig, routeKeys } from './config-controls.ts';
import { envSchema } from './config-schema.ts';
import { optionalSecret } from './config-values.ts';
import type { AdminUser } from './core/admin-notifier.ts';
import type { ControlsConfig } from './core/controls/gate.ts';
import type { AgentRoute } from './core/controls/routes.ts';
import { ConfigError } from './core/errors.ts';
import { loadNotices } from './notices.ts';
import {
  type AnyPlatform,
  aksitaKeyVariable,
  PLATFORMS,
  type PlatformId,
  type PlatformSettings,
} from './platforms.ts';

/** The validated configuration the bridge runs with, without any platform's settings. */
export interface CoreConfig {
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
  /**
   * How often a question whose call timed out is sent again (it may have been answered and billed
   * already: the API has no idempotency key). Default 1: at most two calls per message.
   */
  aksitaTimeoutResends: number;
  /** How long the agent must have been failing before waiting chats and admins are told, ms. Default 10 000. */
  outageNoticeAfterMs: number;
  /** A question whose turn comes later than this after it was asked is late, ms; 0: never. Default 600 000. */
  staleAfterMs: number;
  /** What a late question gets: answered with a "sorry for the wait" note, dropped with a notice, or answered as is. */
  stalePolicy: 'apologize' | 'drop' | 'answer';
  /** Posting an answer already paid for after temporary platform failures. */
  sendRetry: {
    /** First backoff delay, ms. Default 1 000. */
    baseMs: number;
    /** Longest backoff delay, ms. Default 60 000. */
    maxMs: number;
    /** How long an answer is kept trying before it is given up, ms. Default 6 hours. */
    forMs: number;
  };
  /** Redis connection URL (a `/db` suffix selects the database). */
  redisUrl: string;
  /** Prefix of every Redis key the bridge writes. Default `aksita`. */
  redisPrefix: string;
  /** Run on a Redis whose `maxmemory-policy` may evict keys, with a warning (`REDIS_ALLOW_EVICTION`). Default false. */
  redisAllowEviction: boolean;
  /** `AGENT_ROUTES`: which agent answers which chats, first match first; none: the platform keys. */
  agentRoutes: AgentRoute[];
  /** The API key of each routed agent, by its variable's name. Secrets. */
  agentKeys: Record<string, string>;
  /** The conversation controls: access, human takeover, flood protection (config-controls.ts). */
  controls: ControlsConfig;
  /** Who may use admin commands, by platform and user id, and on Slack workspace (`ADMIN_USERS`). */
  admins: AdminUser[];
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
  /** Address the HTTP server listens on (`HTTP_HOST`). Default `0.0.0.0`: every interface. */
  httpHost: string;
  /**
   * Who may read `/metrics` and the details of `/healthz`: Prometheus sends
   * `Authorization: Bearer <METRICS_TOKEN>` (the admin token works too). Secret.
   */
  metricsToken?: string;
  /**
   * `METRICS_PORT`: a listener of its own for `/metrics` and a detailed `/healthz`, on `metricsHost`
   * (default 127.0.0.1), open to whoever reaches it unless `metricsToken` is set. Absent: `/metrics`
   * is served on `HTTP_PORT`, behind a token.
   */
  metricsPort?: number;
  metricsHost: string;
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
  /** `json` (one object a line, for machines) or `pretty` (for people). Default `json`. */
  logFormat: 'json' | 'pretty';
  /** Turns (threads) one worker process runs at once. Default 1 000. */
  workerConcurrency: number;
  /** BullMQ lock duration: how soon a crashed worker's thread is picked up again, ms. Default 30 000. */
  jobLockMs: number;
  /** How long a platform message id is remembered to drop redeliveries, s. Default 2 days. */
  dedupeTtlSeconds: number;
  /** On SIGTERM, how long in-flight agent calls may finish before they are handed back, ms. Default 8 000. */
  shutdownGraceMs: number;
}

/** A platform that is on, with its settings. */
export interface EnabledPlatform {
  /** Its descriptor (`src/platforms.ts`). */
  descriptor: AnyPlatform;
  /** Its settings, as `descriptor.settings` made them (also `config[id]` for the registry's platforms). */
  settings: unknown;
}

/** The validated configuration the bridge runs with: the core's, and each platform's under its id. */
export interface Config extends CoreConfig, PlatformSettings {
  /** Aksita API key per platform and `cli` (each falls back to `AKSITA_API_KEY`). */
  aksitaKeys: Record<PlatformId | 'cli', string> & Record<string, string>;
  /** The platforms that are on (their token is set), in the registry's order. */
  platforms: readonly EnabledPlatform[];
  /** Every secret in this configuration, for log redaction. */
  secrets: string[];
}

/** Validates `env` and returns the configuration, or throws a `ConfigError` naming every bad variable at once. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  options: {
    /** Refuse a configuration without any platform (the bridge does; the terminal tool does not). */
    requirePlatform?: boolean;
    /** Where `.env` was looked for when none was found: named when required variables are missing. */
    missingEnvFile?: string;
    /** The platforms whose variables are read. Default: the registry (`PLATFORMS`); tests add their own. */
    platforms?: readonly AnyPlatform[];
  } = {},
): Config {
  // An empty variable (`NAME=` in .env) means "not set".
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  ) as Record<string, string>;
  const platforms: readonly AnyPlatform[] = options.platforms ?? PLATFORMS;
  const parsed = envSchema(platforms).safeParse(set);
  const values = platforms.map((platform) => platformVariables(platform).safeParse(set));
  const problems = [parsed, ...values].flatMap((result) =>
    result.success
      ? []
      : result.error.issues.map((issue) => `${String(issue.path[0] ?? 'configuration')} ${issue.message}`),
  );
  const requirePlatform = options.requirePlatform !== false;
  problems.push(...combinationProblems(set, requirePlatform, platforms));
  const routes = parsed.success ? parsed.data.AGENT_ROUTES : [];
  const routed = routeKeys(routes, set);
  problems.push(...routed.problems);
  if (set.BRIDGE_NOTICES_FILE) {
    try {
      loadNotices(set.BRIDGE_LANGUAGE === 'id' ? 'id' : 'en', set.BRIDGE_NOTICES_FILE.trim());
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (!parsed.success || problems.length > 0) {
    const required = !set.AKSITA_API_KEY || (requirePlatform && !platforms.some((p) => set[p.token]));
    const hint =
      options.missingEnvFile && required
        ? `\nNo .env file was found at ${options.missingEnvFile}: create it from the example (cp .env.example .env) and set AKSITA_API_KEY and at least one platform's token in it.`
        : '';
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}${hint}`);
  }
  const e = parsed.data;
  const key = e.AKSITA_API_KEY;
  const aksitaKeys: Record<string, string> = {};
  const enabled: EnabledPlatform[] = [];
  const platformSecrets: string[] = [];
  for (const [index, platform] of platforms.entries()) {
    const result = values[index];
    if (!result?.success) continue;
    const own = result.data[aksitaKeyVariable(platform.id)];
    aksitaKeys[platform.id] = typeof own === 'string' ? own : key;
    const settings = platform.settings(result.data, env);
    if (settings === undefined) continue;
    enabled.push({ descriptor: platform, settings });
    for (const name of platform.secrets) {
      const secret = result.data[name];
      if (typeof secret === 'string') platformSecrets.push(secret);
    }
  }
  aksitaKeys.cli = key;
  const config: Config = {
    aksitaKeys: aksitaKeys as Config['aksitaKeys'],
    aksitaBaseUrl: e.AKSITA_BASE_URL as string,
    aksitaTimeoutMs: e.AKSITA_TIMEOUT_MS,
    aksitaMaxAttempts: e.AKSITA_MAX_ATTEMPTS,
    aksitaRetryBaseMs: e.AKSITA_RETRY_BASE_MS,
    aksitaRetryMaxMs: e.AKSITA_RETRY_MAX_MS,
    aksitaTimeoutResends: e.AKSITA_TIMEOUT_RESENDS,
    outageNoticeAfterMs: e.OUTAGE_NOTICE_AFTER_SECONDS * 1000,
    staleAfterMs: e.STALE_AFTER_SECONDS * 1000,
    stalePolicy: e.STALE_POLICY,
    sendRetry: {
      baseMs: e.SEND_RETRY_BASE_MS,
      maxMs: e.SEND_RETRY_MAX_MS,
      forMs: e.SEND_RETRY_FOR_SECONDS * 1000,
    },
    redisUrl: e.REDIS_URL as string,
    redisPrefix: e.REDIS_PREFIX,
    redisAllowEviction: e.REDIS_ALLOW_EVICTION,
    admins: e.ADMIN_USERS,
    controls: controlsConfig(e),
    agentRoutes: routes,
    agentKeys: routed.keys,
    ...(e.ADMIN_HTTP_TOKEN && { adminHttpToken: e.ADMIN_HTTP_TOKEN }),
    creditAlertThresholds: e.CREDIT_ALERT_THRESHOLDS,
    userDailyCreditLimit: e.USER_DAILY_CREDIT_LIMIT,
    chatDailyCreditLimit: e.CHAT_DAILY_CREDIT_LIMIT,
    slackCommand: e.SLACK_COMMAND,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    ...(e.METRICS_TOKEN && { metricsToken: e.METRICS_TOKEN }),
    ...(e.METRICS_PORT !== undefined && { metricsPort: e.METRICS_PORT }),
    metricsHost: e.METRICS_HOST,
    role: e.BRIDGE_ROLE,
    language: e.BRIDGE_LANGUAGE,
    ...(e.BRIDGE_NOTICES_FILE && { noticesFile: e.BRIDGE_NOTICES_FILE }),
    groupMode: e.GROUP_MODE,
    sendUserContext: e.SEND_USER_CONTEXT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    workerConcurrency: e.WORKER_CONCURRENCY,
    jobLockMs: e.JOB_LOCK_MS,
    dedupeTtlSeconds: e.DEDUPE_TTL_SECONDS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    ...Object.fromEntries(enabled.map((p) => [p.descriptor.id, p.settings])),
    platforms: enabled,
    secrets: [],
  };
  config.secrets = secretsOf(config, platformSecrets, e.REDIS_URL as string);
  return config;
}

/** A platform's variables, with its own Aksita key. */
function platformVariables(platform: AnyPlatform) {
  return z.object({ ...platform.variables, [aksitaKeyVariable(platform.id)]: optionalSecret });
}

function secretsOf(config: Config, platformSecrets: readonly string[], redisUrl: string): string[] {
  const secrets = new Set<string>([
    ...Object.values(config.aksitaKeys),
    ...Object.values(config.agentKeys),
    ...platformSecrets,
  ]);
  if (config.adminHttpToken) secrets.add(config.adminHttpToken);
  if (config.metricsToken) secrets.add(config.metricsToken);
  const redisPassword = new URL(redisUrl).password;
  if (redisPassword) secrets.add(decodeURIComponent(redisPassword));
  // Short strings would redact innocent text; every real secret here is long.
  return [...secrets].filter((s) => s.length >= 6);
}

/** What is wrong with the variables taken together: a platform half configured, or none at all. */
function combinationProblems(
  set: Record<string, string>,
  requirePlatform: boolean,
  platforms: readonly AnyPlatform[],
): string[] {
  const problems: string[] = [];
  const needs = (platform: AnyPlatform) => [...platform.needs, aksitaKeyVariable(platform.id)];
  for (const platform of platforms) {
    const orphans = needs(platform).filter((name) => set[name]);
    if (set[platform.token] || orphans.length === 0) continue;
    const are = orphans.length === 1 ? 'is' : 'are';
    problems.push(
      `${platform.token} is missing: ${orphans.join(' and ')} ${are} set, but ${platform.label} stays off without its token. Set ${platform.token}, or remove ${orphans.join(' and ')}`,
    );
  }
  for (const platform of platforms) problems.push(...(platform.problems?.(set) ?? []));
  const anyPlatform = platforms.some((p) => set[p.token] || needs(p).some((name) => set[name]));
  if (requirePlatform && !anyPlatform) {
    problems.push(
      `no platform is configured. Set at least one of:\n      ${platforms.map((p) => p.howTo).join('\n      ')}`,
    );
  }
  return problems;
}

/** The Redis URL with any password masked, for messages to operators. */
export function safeRedisUrl(redisUrl: string): string {
  const u = new URL(redisUrl);
  if (u.password) u.password = '***';
  return u.toString();
}
