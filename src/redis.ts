/**
 * Redis connections. Commands wait through a reconnect instead of failing (`maxRetriesPerRequest:
 * null`), so a Redis restart delays messages but loses none, and the log says once that Redis was
 * lost and once that it is back (`watchRedis`). At start-up, `checkRedis` says in one line why Redis
 * cannot be used and what to do (redis-errors.ts), and refuses a Redis that may evict keys.
 */
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Redis } from 'ioredis';
import { safeRedisUrl } from './config.ts';
import { ConfigError } from './core/errors.ts';
import type { Logger } from './logger.ts';
import { mayBeWrongProtocol, type RedisFailureFacts, redisFailureAdvice } from './redis-errors.ts';

export { isRedisConnectionError } from './redis-errors.ts';

/**
 * Opens a connection that waits through reconnects (what BullMQ and the inbox need). `pipelined`
 * sends the commands issued in one tick of the event loop in one write (ioredis auto-pipelining):
 * for the bridge's own commands, which thousands of turns issue at once. BullMQ gets a connection
 * without it, as its blocking commands and its own pipelines expect.
 */
export function openRedis(url: string, name: string, options: { pipelined?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `aksita-bridge:${name}`,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    enableAutoPipelining: options.pipelined ?? false,
  });
}

/**
 * Logs one line when Redis is lost (the first connection of `connections` that breaks) and one when
 * it is back (all of them ready again), instead of an error per connection and reconnect attempt.
 */
export function watchRedis(connections: Redis | readonly Redis[], log: Logger): void {
  const all = Array.isArray(connections) ? connections : [connections as Redis];
  const down = new Set<Redis>();
  let lostAt: number | undefined;
  for (const connection of all) {
    const lost = (reason: string) => {
      down.add(connection);
      if (lostAt !== undefined) return;
      lostAt = Date.now();
      log.warn({ reason }, 'redis connection lost: retrying until it is back');
    };
    connection.on('error', (err: Error) => lost((err as { code?: string }).code ?? err.message));
    connection.on('reconnecting', () => lost('connection closed'));
    connection.on('ready', () => {
      down.delete(connection);
      if (lostAt === undefined || down.size > 0) return;
      log.info({ downForMs: Date.now() - lostAt }, 'redis connection back');
      lostAt = undefined;
    });
  }
}

/** Whether `redis` answers PING within `timeoutMs` (health and readiness). */
export function redisAnswers(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  return Promise.race([
    redis.ping().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
  ]).catch(() => false);
}

/** What start-up learned of the Redis server. */
export interface RedisCheck {
  /** `redis_version`, when INFO answered. */
  version?: string;
  /** `maxmemory-policy`, when it could be read. */
  evictionPolicy?: string;
}

export interface RedisCheckOptions {
  /** Run on a Redis that may evict keys (`REDIS_ALLOW_EVICTION`), with a warning. Default false. */
  allowEviction?: boolean;
  /** Where the warnings go (eviction allowed, policy unreadable). */
  log?: Logger;
  /** How long to wait for Redis, ms. Default 5 000. */
  timeoutMs?: number;
}

/**
 * Resolves once `url` answers PING and does not evict keys; else throws a `ConfigError` whose message
 * is one line naming the cause and what to do.
 */
export async function checkRedis(url: string, options: RedisCheckOptions = {}): Promise<RedisCheck> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 6379);
  const tls = target.protocol === 'rediss:';
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  let first: RedisFailureFacts['error'] | undefined;
  const seen = (err: Error) => {
    first ??= { code: (err as { code?: string }).code, message: err.message };
  };
  probe.on('error', seen);
  try {
    let settled = false;
    const connected = probe
      .connect()
      .then(() => probe.ping())
      .then(
        () => true,
        (err: Error) => {
          seen(err);
          return false;
        },
      )
      .finally(() => {
        settled = true;
      });
    // A TLS client on a plain Redis port waits for a handshake that never comes: when none came
    // within a second, look whether the port answers plain Redis, rather than wait out the timeout.
    const plainThere = tls
      ? new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref()).then(async () =>
          !settled && (await answersPlain(host, port, timeoutMs)) ? ('plain' as const) : connected,
        )
      : connected;
    const outcome = await Promise.race([connected, plainThere]);
    if (outcome !== true) {
      const error = first ?? { message: 'no answer' };
      let speaks: 'plain' | 'tls' | undefined = outcome === 'plain' ? 'plain' : undefined;
      if (speaks === undefined && mayBeWrongProtocol(error)) {
        if (tls && (await answersPlain(host, port, 2_000))) speaks = 'plain';
        if (!tls && (await answersTls(host, port, 2_000))) speaks = 'tls';
      }
      throw new ConfigError(redisFailureAdvice(url, { error, tls, speaks }));
    }
    const check = await describeServer(probe);
    const policy = check.evictionPolicy;
    if (policy === undefined) {
      options.log?.warn(
        'could not read the maxmemory-policy of Redis: make sure it is noeviction, or messages may be lost',
      );
    } else if (policy !== 'noeviction') {
      if (!options.allowEviction) throw new ConfigError(evictionAdvice(url, policy));
      options.log?.warn(
        { policy },
        'redis may evict keys (REDIS_ALLOW_EVICTION=true): an evicted key is a lost message or conversation',
      );
    }
    return check;
  } finally {
    probe.disconnect();
  }
}

function evictionAdvice(url: string, policy: string): string {
  return `Redis at ${safeRedisUrl(url)} may evict keys (maxmemory-policy ${policy}): an evicted key is a lost message, answer or conversation. Set maxmemory-policy to noeviction (\`redis-cli CONFIG SET maxmemory-policy noeviction\`, and in redis.conf or your provider's settings), or set REDIS_ALLOW_EVICTION=true to run anyway.`;
}

/** The server's version and eviction policy, from INFO (or CONFIG GET where INFO is not allowed). */
async function describeServer(redis: Redis): Promise<RedisCheck> {
  const info = await redis.info().catch(() => '');
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() || undefined;
  const version = field('redis_version');
  const evictionPolicy =
    field('maxmemory_policy') ??
    (await redis
      .config('GET', 'maxmemory-policy')
      .then((reply) => (Array.isArray(reply) ? (reply[1] as string | undefined) : undefined))
      .catch(() => undefined));
  return { ...(version && { version }), ...(evictionPolicy && { evictionPolicy }) };
}

/** Whether `host:port` answers a plain-text PING as Redis does (`+PONG`, or an error such as `-NOAUTH`). */
function answersPlain(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => done(data[0] === 0x2b || data[0] === 0x2d));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Whether `host:port` completes a TLS handshake (whatever its certificate). */
function answersTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port,
      rejectUnauthorized: false,
      ...(isIP(host) === 0 && { servername: host }),
    });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
