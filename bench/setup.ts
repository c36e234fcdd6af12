/**
 * What every scenario stands on: the wire-level fakes (test/fakes/) in this process, a Redis prefix
 * of its own, and bridge processes (bench/child.ts) started against them by environment variables
 * only. `close` stops the processes and the fakes and deletes every key under the prefix.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type FakeAksita, type FakeAksitaOptions, startFakeAksita } from '../test/fakes/aksita.ts';
import { type FakeTelegram, startFakeTelegram } from '../test/fakes/telegram.ts';
import { deletePrefix } from '../test/support/bridge.ts';
import { type BridgeProcess, startBridgeProcess } from './child.ts';

export type Role = 'all' | 'receiver' | 'worker';

export interface Bench {
  aksita: FakeAksita;
  telegram: FakeTelegram;
  /** `REDIS_PREFIX` of this scenario's bridge processes. */
  prefix: string;
  /** The bridge processes started so far. */
  readonly processes: BridgeProcess[];
  /**
   * Starts a bridge process with this role; `env` adds or overrides variables. Resolves once it is
   * healthy and, for a role that receives, once it long-polls the fake Bot API.
   */
  spawn(role: Role, env?: Record<string, string>): Promise<BridgeProcess>;
  /** Waits for `predicate` (checked every 5 ms); fails early, with its output, if a bridge process died. */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Stops the bridge processes and the fakes, deletes the prefix's keys. */
  close(): Promise<void>;
}

export interface BenchOptions {
  /** Fake agent settings; the balance is always unlimited. */
  agent?: Partial<FakeAksitaOptions>;
  /** Variables for every bridge process of this scenario (over the defaults below). */
  env?: Record<string, string>;
}

/**
 * Starts the fakes. Bridge processes get: the fakes' URLs, their own prefix, `LOG_LEVEL=warn` (a
 * line per turn at `info` would be measured too), `TELEGRAM_SEND_PACING=off` (the fake enforces no
 * limits unless a scenario sets them), and `WORKER_CONCURRENCY` only when the bench's own
 * environment sets it.
 */
export async function startBench(redisUrl: string, options: BenchOptions = {}): Promise<Bench> {
  const aksita = await startFakeAksita({ ...options.agent, balance: Number.MAX_SAFE_INTEGER });
  const telegram = await startFakeTelegram();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    AKSITA_API_KEY: 'test-key',
    AKSITA_BASE_URL: aksita.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    TELEGRAM_SEND_PACING: 'off',
    ...(process.env.WORKER_CONCURRENCY && { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY }),
    ...options.env,
  };
  const processes: BridgeProcess[] = [];
  const deadProcess = () =>
    processes.find((p) => {
      try {
        p.memory();
        return false;
      } catch {
        return true;
      }
    });
  const bench: Bench = {
    aksita,
    telegram,
    prefix,
    processes,
    async spawn(role, extra = {}) {
      const child = await startBridgeProcess({ ...env, BRIDGE_ROLE: role, ...extra });
      processes.push(child);
      if (role !== 'worker') await bench.waitFor(() => telegram.polling, 10_000, 'the receiver polling');
      return child;
    },
    async waitFor(predicate, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      let checks = 0;
      while (!predicate()) {
        // Reading /proc every 5 ms would cost; every 200 ms finds a crash soon enough.
        const dead = ++checks % 40 === 0 ? deadProcess() : undefined;
        if (dead) throw new Error(`a ${dead.role} process died while waiting for ${what}:\n${dead.output()}`);
        if (Date.now() > deadline) {
          const tails = processes.map((p) => `--- ${p.role} ${p.pid}:\n${p.output().slice(-2_000)}`);
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${tails.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      await Promise.all(processes.map((p) => p.stop()));
      await telegram.close();
      await aksita.close();
      const redis = new Redis(redisUrl);
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
  return bench;
}

/** Pushes `messages` user messages round-robin over chats `1..threads`; returns the last update id. */
export function pushMessages(telegram: FakeTelegram, messages: number, threads: number): number {
  let last = 0;
  for (let i = 0; i < messages; i++)
    last = telegram.userMessage({ chatId: 1 + (i % threads), text: `m${i}` }).updateId;
  return last;
}

/** Seconds since `started` (a `performance.now()` value). */
export const secondsSince = (started: number): number => (performance.now() - started) / 1000;

/** CPU time the Redis server has used so far (user + system), s, from `INFO cpu`. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}
