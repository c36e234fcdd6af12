/**
 * The environment the bridge reads, as a zod schema: every variable, its default and what a valid
 * value looks like. `config.ts` turns the parsed result into the `Config` the bridge runs with.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { controlsEnv } from './config-controls.ts';
import { bool, either, int, optionalSecret, url } from './config-values.ts';
import type { AdminUser } from './core/admin-notifier.ts';
import type { AnyPlatform } from './platforms.ts';

/**
 * Where a URL's user name and password end: the last `@` before a host[:port][/db]. Characters that
 * end or split the URL there must be percent-encoded, or the URL means another host or password.
 */
function userinfoProblem(raw: string): string | undefined {
  const rest = raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const at = rest.lastIndexOf('@');
  if (at === -1 || !/^[^/?#@\s]+(?::\d+)?(?:\/\d*)?$/.test(rest.slice(at + 1))) return undefined;
  const userinfo = rest.slice(0, at);
  const reserved = [...new Set(userinfo.match(/[@/?#\s]/g) ?? [])].map((c) => (c.trim() ? c : 'a space'));
  const encode = '@ is %40, / is %2F, ? is %3F, # is %23, a space is %20, % is %25';
  if (reserved.length > 0) {
    return `has ${reserved.join(' ')} in its password or user name: percent-encode them (${encode})`;
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(userinfo)) {
    return `has a % in its password or user name that is not percent-encoding: write it as %25 (${encode})`;
  }
  return undefined;
}

const redisUrl = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const value = v?.trim() || 'redis://127.0.0.1:6379';
    const problem = userinfoProblem(value);
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (problem === undefined && parsed?.protocol !== 'redis:' && parsed?.protocol !== 'rediss:') {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a URL such as redis://127.0.0.1:6379 (rediss:// for TLS, redis://:PASSWORD@HOST:6379 with a password)',
      });
      return z.NEVER;
    }
    if (problem !== undefined || parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: problem ?? 'is not a URL' });
      return z.NEVER;
    }
    return parsed.toString().replace(/\/$/, '');
  });

/** One `ADMIN_USERS` entry, or what is wrong with it (without its value). */
function parseAdmin(item: string, platforms: readonly AnyPlatform[]): AdminUser | string {
  const [id, ...rest] = item.split(':');
  const platform = platforms.find((p) => p.id === id);
  if (platform === undefined) return `does not start with ${either(platforms.map((p) => `${p.id}:`))}`;
  const admin = platform.admins.parse(rest);
  return typeof admin === 'string' ? admin : { platform: platform.id, ...admin };
}

/**
 * What a value that should not be in `ADMIN_USERS` looks like, when it looks like a secret (a token
 * pasted into the wrong variable); `undefined` for anything else.
 */
export function secretShape(value: string): string | undefined {
  if (/xox[a-z]-|xapp-/i.test(value)) return 'a Slack token (xoxb-/xapp-…)';
  if (/\d{5,}:[\w-]{20,}/.test(value)) return 'a Telegram bot token (digits:letters)';
  if (/[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}/.test(value)) return 'a Discord bot token';
  const long = value
    .split(/[\s:,;=]/)
    .find((part) => part.length >= 20 && /\d/.test(part) && /[a-z]/i.test(part));
  if (long !== undefined) return `a long random string (${long.length} characters)`;
  return undefined;
}

/** The problem with entry `index` of `ADMIN_USERS`, echoing the entry only when it cannot be a secret. */
function adminProblem(item: string, index: number, count: number, problem: string, forms: string): string {
  const which = `entry ${index + 1} of ${count}`;
  const secret = secretShape(item);
  if (secret !== undefined) {
    return `has ${which} that looks like ${secret}, not an admin (value not shown): each entry must be ${forms}; if a token was pasted there, rotate it`;
  }
  return `has ${which} "${item}" that ${problem}: each entry must be ${forms}`;
}

/** An address to listen on; blank is `fallback`. */
const host = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => v?.trim() || fallback)
    .pipe(
      z.string().refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(h), {
        error:
          'must be an address to listen on, such as 0.0.0.0 (every interface), 127.0.0.1 (this machine only) or ::',
      }),
    );

/**
 * The bridge's own variables (each platform's are in its `adapters/<platform>/platform.ts`);
 * `ADMIN_USERS` entries name the given platforms.
 */
export const envSchema = (platforms: readonly AnyPlatform[]) => {
  const forms = platforms.map((p) => p.admins.forms).join(', ');
  return z.object({
    ...controlsEnv,
    AKSITA_API_KEY: z
      .string({ error: 'is required (the agent API key from the Aksita dashboard)' })
      .trim()
      .min(1, {
        error: 'is required (the agent API key from the Aksita dashboard)',
      }),
    AKSITA_BASE_URL: url('https://api.aksita.ai', 'https://api.aksita.ai'),
    AKSITA_TIMEOUT_MS: int(60_000, 1_000, 600_000),
    AKSITA_MAX_ATTEMPTS: int(6, 1, 20),
    AKSITA_RETRY_BASE_MS: int(1_000, 10, 60_000),
    AKSITA_RETRY_MAX_MS: int(60_000, 100, 3_600_000),
    AKSITA_TIMEOUT_RESENDS: int(1, 0, 10),
    OUTAGE_NOTICE_AFTER_SECONDS: int(10, 0, 86_400),
    STALE_AFTER_SECONDS: int(600, 0, 30 * 86_400),
    STALE_POLICY: z
      .enum(['apologize', 'drop', 'answer'], { error: 'must be apologize, drop or answer' })
      .default('apologize'),
    SEND_RETRY_BASE_MS: int(1_000, 10, 600_000),
    SEND_RETRY_MAX_MS: int(60_000, 100, 3_600_000),
    SEND_RETRY_FOR_SECONDS: int(21_600, 1, 7 * 86_400),
    REDIS_URL: redisUrl,
    REDIS_ALLOW_EVICTION: bool(false),
    REDIS_PREFIX: z
      .string()
      .optional()
      .transform((v) => v?.trim() || 'aksita')
      .pipe(
        z.string().regex(/^[A-Za-z0-9_{}-]+$/, { error: 'may hold only letters, digits, _, -, { and }' }),
      ),
    ADMIN_USERS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const items = (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const admins: AdminUser[] = [];
        for (const [index, item] of items.entries()) {
          const admin = parseAdmin(item, platforms);
          if (typeof admin === 'string') {
            ctx.addIssue({ code: 'custom', message: adminProblem(item, index, items.length, admin, forms) });
            return z.NEVER;
          }
          admins.push(admin);
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
    HTTP_HOST: host('0.0.0.0'),
    METRICS_TOKEN: optionalSecret.pipe(
      z.string().min(16, { error: 'must be at least 16 characters (use a long random string)' }).optional(),
    ),
    METRICS_PORT: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65_535) {
          ctx.addIssue({
            code: 'custom',
            message:
              'must be a port from 0 to 65535 for a private metrics listener, or empty to serve /metrics on HTTP_PORT',
          });
          return z.NEVER;
        }
        return n;
      }),
    METRICS_HOST: host('127.0.0.1'),
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
    LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
    WORKER_CONCURRENCY: int(2_000, 1, 50_000),
    JOB_LOCK_MS: int(30_000, 1_000, 600_000),
    DEDUPE_TTL_SECONDS: int(172_800, 60, 2_592_000),
    SHUTDOWN_GRACE_MS: int(8_000, 0, 60_000),
  });
};
