/**
 * The checks of `npm run cli -- doctor` that talk to the world: Redis (reachable, version, eviction
 * policy, persistence), each configured platform's token (the adapter's own `init`, its "who am I"
 * call), and the Aksita key (one session, which costs no credits). Each returns checklist lines and
 * never throws; none prints a secret (the caller scrubs every line too).
 */
import { Redis } from 'ioredis';
import { AksitaClient, aksitaPool } from './aksita/client.ts';
import { createAdapters } from './app.ts';
import { type Config, safeRedisUrl } from './config.ts';
import type { Platform } from './core/contract.ts';
import { AgentError, ConfigError } from './core/errors.ts';
import { ADVICE } from './core/incidents.ts';
import { createLogger } from './logger.ts';
import { aksitaKeyVariable } from './platforms.ts';
import { checkRedis } from './redis.ts';

/** One line of the checklist. */
export interface Check {
  /** What was checked, e.g. `Redis eviction policy`. */
  name: string;
  /** `warn` does not fail the run; `skip` could not be checked because an earlier check failed. */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was found. */
  detail: string;
  /** What to do about it (for `warn` and `fail`). */
  fix?: string;
}

/** BullMQ refuses older Redis servers, and recommends at least this one. */
const REDIS_MINIMUM = '5.0.0';
const REDIS_RECOMMENDED = '6.2.0';
/** How long one platform's or the Aksita API's check may take, ms. */
const CALL_TIMEOUT_MS = 15_000;

/**
 * Redis: reachable (with the start-up check's advice per cause), its version, `noeviction` (only a
 * warning when `REDIS_ALLOW_EVICTION` accepts the risk), and persistence on.
 */
export async function checkRedisServer(url: string, options: { allowEviction: boolean }): Promise<Check[]> {
  try {
    // Eviction is checked below, as a line of its own.
    await checkRedis(url, { allowEviction: true });
  } catch (err) {
    const detail = err instanceof ConfigError ? err.message : String(err);
    return [{ name: 'Redis', status: 'fail', detail }];
  }
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = parseInfo(await redis.info());
    const version = info.redis_version ?? 'unknown';
    const checks: Check[] = [versionCheck(url, version)];
    const policy = info.maxmemory_policy ?? 'unknown';
    checks.push(
      policy === 'noeviction'
        ? { name: 'Redis eviction policy', status: 'ok', detail: 'noeviction' }
        : {
            name: 'Redis eviction policy',
            status: options.allowEviction ? 'warn' : 'fail',
            detail: `${policy}: Redis may delete keys when memory runs short, and an evicted key is a lost message${options.allowEviction ? ' (accepted by REDIS_ALLOW_EVICTION=true)' : ''}`,
            fix: 'set `maxmemory-policy noeviction` (redis.conf, `redis-cli CONFIG SET maxmemory-policy noeviction`, or your provider’s parameter group)',
          },
    );
    checks.push(await persistenceCheck(redis, info));
    return checks;
  } catch (err) {
    return [{ name: 'Redis', status: 'fail', detail: `INFO failed: ${(err as Error).message}` }];
  } finally {
    redis.disconnect();
  }
}

function versionCheck(url: string, version: string): Check {
  const name = 'Redis';
  const where = `${safeRedisUrl(url)} answers (Redis ${version})`;
  if (version !== 'unknown' && olderThan(version, REDIS_MINIMUM)) {
    return {
      name,
      status: 'fail',
      detail: `${where}: too old for the queue (BullMQ needs ${REDIS_MINIMUM} or newer)`,
      fix: `upgrade Redis to ${REDIS_RECOMMENDED} or newer`,
    };
  }
  if (version !== 'unknown' && olderThan(version, REDIS_RECOMMENDED)) {
    return {
      name,
      status: 'warn',
      detail: `${where}: older than the ${REDIS_RECOMMENDED} BullMQ recommends`,
      fix: `upgrade Redis to ${REDIS_RECOMMENDED} or newer`,
    };
  }
  return { name, status: 'ok', detail: where };
}

async function persistenceCheck(redis: Redis, info: Record<string, string>): Promise<Check> {
  const name = 'Redis persistence';
  if (info.aof_enabled === '1') return { name, status: 'ok', detail: 'append-only file (AOF) on' };
  let save: string | undefined;
  try {
    save = ((await redis.call('CONFIG', 'GET', 'save')) as string[])[1];
  } catch {
    // Managed Redis services often refuse CONFIG.
  }
  if (save) return { name, status: 'ok', detail: `RDB snapshots (save ${save}); AOF loses less` };
  const fix =
    'turn on the append-only file (`appendonly yes`, as docker-compose.yml does), or RDB snapshots; with neither, a Redis restart loses every queued message';
  if (save === undefined)
    return { name, status: 'warn', detail: 'AOF off, snapshot settings unreadable (CONFIG refused)', fix };
  return { name, status: 'warn', detail: 'off: neither AOF nor RDB snapshots', fix };
}

/** Each configured platform's token, by the adapter's own start-up call; all at once. */
export async function checkPlatforms(config: Config): Promise<Check[]> {
  const lines: string[] = [];
  const log = createLogger(
    { level: 'info', secrets: config.secrets },
    { write: (l: string) => lines.push(l) },
  );
  const adapters = createAdapters(config, log);
  return Promise.all(
    adapters.map(async (adapter): Promise<Check> => {
      const name = `${title(adapter.platform)} token`;
      try {
        await withTimeout(adapter.init(), CALL_TIMEOUT_MS);
        return { name, status: 'ok', detail: `accepted${identity(lines, adapter.platform)}` };
      } catch (err) {
        return { name, status: 'fail', detail: (err as Error).message };
      } finally {
        await adapter.stop().catch(() => undefined);
      }
    }),
  );
}

/** Who the platform said the bot is, from the adapter's "bot ready" log line. */
function identity(lines: string[], platform: Platform): string {
  for (const line of lines) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.platform !== platform || !String(entry.msg).endsWith('bot ready')) continue;
    if (typeof entry.username === 'string') return `: the bot is @${entry.username}`;
    if (typeof entry.team === 'string') return `: the bot is in team ${entry.team}`;
  }
  return '';
}

/** Each distinct Aksita key: one session each (free). */
export async function checkAksitaKeys(config: Config): Promise<Check[]> {
  const used = new Map<string, string[]>();
  const platforms = config.platforms.map((p) => p.descriptor.id);
  for (const platform of ['cli', ...platforms]) {
    const key = config.aksitaKeys[platform] ?? config.aksitaKeys.cli;
    const variable = platform === 'cli' ? 'AKSITA_API_KEY' : aksitaKeyVariable(platform);
    const names = used.get(key) ?? [];
    // A platform without its own key uses AKSITA_API_KEY's, already listed.
    if (platform === 'cli' || key !== config.aksitaKeys.cli) names.push(variable);
    used.set(key, names);
  }
  const pool = aksitaPool();
  try {
    return await Promise.all(
      [...used].map(async ([apiKey, names]): Promise<Check> => {
        const name = `Aksita key (${names.join(', ')})`;
        const client = new AksitaClient({
          baseUrl: config.aksitaBaseUrl,
          apiKey,
          timeoutMs: Math.min(config.aksitaTimeoutMs, CALL_TIMEOUT_MS),
          dispatcher: pool,
        });
        try {
          await client.createSession();
          return {
            name,
            status: 'ok',
            detail: `accepted by ${config.aksitaBaseUrl} (a session costs no credits)`,
          };
        } catch (err) {
          return { name, status: 'fail', ...aksitaFailure(err, config.aksitaBaseUrl, names) };
        }
      }),
    );
  } finally {
    await pool.destroy();
  }
}

function aksitaFailure(err: unknown, baseUrl: string, names: string[]): { detail: string; fix?: string } {
  if (!(err instanceof AgentError)) return { detail: String(err) };
  const refused = `refused (${err.status ?? ''} ${err.reason})`;
  switch (err.code) {
    case 'unauthorized':
      return {
        detail: refused,
        fix: `the key is missing, invalid or revoked: create a new key in the Aksita dashboard and set ${names.join(', ')}`,
      };
    case 'payment-required':
    case 'forbidden':
      return { detail: refused, ...(ADVICE[err.code] && { fix: ADVICE[err.code] }) };
    case 'network':
    case 'timeout':
      return {
        detail: `cannot reach the Aksita API at ${baseUrl} (${err.reason})`,
        fix: 'check AKSITA_BASE_URL, the network, and any proxy or firewall in between',
      };
    default:
      return {
        detail: `the Aksita API at ${baseUrl} failed (${err.status ?? err.code} ${err.reason})`,
        fix: 'it may be down for a moment: try again in a few minutes, and check AKSITA_BASE_URL',
      };
  }
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

function olderThan(version: string, than: string): boolean {
  const a = version.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

export function title(platform: string): string {
  return `${platform.slice(0, 1).toUpperCase()}${platform.slice(1)}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
