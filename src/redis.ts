/**
 * Redis connections. Commands wait through a reconnect instead of failing (`maxRetriesPerRequest:
 * null`), so a Redis restart delays messages but loses none. At start-up, an unreachable Redis gives
 * one clear line saying where the bridge looked and how to start one.
 */
import { Redis } from 'ioredis';
import { safeRedisUrl } from './config.ts';
import { ConfigError } from './core/errors.ts';

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

/** Resolves once `url` answers PING, or throws a `ConfigError` with advice after `timeoutMs`. */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  let lastError = '';
  probe.on('error', (err: Error) => {
    lastError = (err as { code?: string }).code ?? err.message;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const reason = lastError || (err as Error).message;
    throw new ConfigError(
      `Cannot reach Redis at ${safeRedisUrl(url)} (${reason}). Start one (\`redis-server\`, or \`docker compose up -d redis\`) or point REDIS_URL at yours.`,
    );
  } finally {
    probe.disconnect();
  }
}
