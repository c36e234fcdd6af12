/**
 * The end-to-end fixture: a fresh fake Aksita and fake Telegram per test, a bridge started on demand
 * with its own Redis prefix, and after each test: everything stopped, its keys deleted, and a check
 * that no secret reached the logs.
 */

import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, inject } from 'vitest';
import { type FakeAksita, startFakeAksita } from '../fakes/aksita.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram.ts';
import { deletePrefix, startTestBridge, type TestBridge, testEnv } from './bridge.ts';

export interface BridgeFixture {
  aksita: FakeAksita;
  telegram: FakeTelegram;
  /** The bridges started in this test (stopped after it). */
  bridges: TestBridge[];
  /** Strings that must never appear in any bridge's logs (tokens of other platforms' fakes). */
  secrets: string[];
  /** Runs after the bridges stopped, before the fakes close (other platforms' fakes close here). */
  onCleanup: Array<() => Promise<void>>;
  /** Environment for a bridge process against this test's fakes; its Redis keys are deleted after the test. */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** Starts a bridge against this test's fakes; `overrides` are environment variables. */
  start(overrides?: Record<string, string>): Promise<TestBridge>;
}

/**
 * `telegram: false` leaves Telegram out (tests of another platform start their own fake, add its
 * variables in `start`'s overrides, its token to `secrets` and its `close` to `onCleanup`).
 */
export function useBridgeFixture(options: { telegram?: boolean } = {}): BridgeFixture {
  const fx = { bridges: [] } as unknown as BridgeFixture;
  beforeEach(async () => {
    fx.aksita = await startFakeAksita();
    if (options.telegram !== false) fx.telegram = await startFakeTelegram();
    fx.bridges = [];
    fx.secrets = ['test-key'];
    fx.onCleanup = [];
    fx.env = (overrides = {}) => {
      const env = testEnv({ aksita: fx.aksita, telegram: fx.telegram }, overrides);
      fx.onCleanup.push(async () => {
        // The test Redis, not env.REDIS_URL: a test may point the bridge at a Redis that is not there.
        const redis = new Redis(inject('redisUrl'));
        await deletePrefix(redis, env.REDIS_PREFIX as string);
        redis.disconnect();
      });
      return env;
    };
    fx.start = async (overrides = {}) => {
      const bridge = await startTestBridge(testEnv({ aksita: fx.aksita, telegram: fx.telegram }, overrides));
      fx.bridges.push(bridge);
      return bridge;
    };
  });
  afterEach(async () => {
    for (const bridge of fx.bridges.reverse()) await bridge.cleanup();
    for (const cleanup of fx.onCleanup) await cleanup();
    await fx.telegram?.close();
    await fx.aksita.close();
    const logs = fx.bridges.map((b) => b.logs.text).join('');
    const secrets = fx.telegram ? [...fx.secrets, fx.telegram.token] : fx.secrets;
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
  return fx;
}
