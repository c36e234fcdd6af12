/** A bridge for a benchmark: the real bridge in this process against the fakes and a real Redis. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Bridge, startBridge } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type FakeAksita, startFakeAksita } from '../test/fakes/aksita.ts';
import { type FakeTelegram, startFakeTelegram } from '../test/fakes/telegram.ts';
import { deletePrefix } from '../test/support/bridge.ts';

export interface BenchBridge {
  aksita: FakeAksita;
  telegram: FakeTelegram;
  bridge: Bridge;
  prefix: string;
  /** Stops the bridge and the fakes; `keepKeys` leaves the Redis keys for inspection. */
  stop(options?: { keepKeys?: boolean }): Promise<void>;
}

export async function startBenchBridge(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<BenchBridge> {
  const aksita = await startFakeAksita({ balance: Number.MAX_SAFE_INTEGER });
  const telegram = await startFakeTelegram();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    AKSITA_API_KEY: 'test-key',
    AKSITA_BASE_URL: aksita.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const bridge = await startBridge(config, { log: createLogger({ level: 'silent', secrets: [] }) });
  return {
    aksita,
    telegram,
    bridge,
    prefix,
    async stop(options = {}) {
      await bridge.stop();
      await telegram.close();
      await aksita.close();
      if (options.keepKeys) return;
      const redis = new Redis(redisUrl);
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
