/**
 * The end-to-end fixture: a fresh fake Aksita per test (and a fake Telegram unless a test leaves it
 * out), other platforms' fakes adopted with `adopt`, a bridge started on demand with its own Redis
 * prefix, and after each test: everything stopped, its keys deleted, and a check that no secret
 * reached the logs.
 */

import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, inject } from 'vitest';
import type { AnyPlatform } from '../../src/platforms.ts';
import { type FakeAksita, startFakeAksita } from '../fakes/aksita.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram.ts';
import { deletePrefix, startTestBridge, type TestBridge, testEnv } from './bridge.ts';

/** What any platform's fake offers the fixture: its secrets are checked against the logs, it is closed after. */
export interface AdoptedFake {
  close(): Promise<void>;
}

/** The fixture of a test whose platforms are its own (`useBridgeFixture({ telegram: false })`). */
export interface BridgeFixture {
  aksita: FakeAksita;
  /** The bridges started in this test (stopped after it). */
  bridges: TestBridge[];
  /** Strings that must never appear in any bridge's logs (tokens of the platforms' fakes). */
  secrets: string[];
  /** Runs after the bridges stopped, before the fake Aksita closes (other platforms' fakes close here). */
  onCleanup: Array<() => Promise<void>>;
  /** Takes a platform's fake into this test: `secrets` never logged, `fake` closed after the bridges. */
  adopt<F extends AdoptedFake>(fake: F, secrets: readonly string[]): F;
  /** Environment for a bridge process against this test's fakes; its Redis keys are deleted after the test. */
  env(overrides?: Record<string, string>): Record<string, string>;
  /**
   * Starts a bridge against this test's fakes; `overrides` are environment variables (a platform's
   * among them), `platforms` replaces the registry's list (to add a test-only platform).
   */
  start(
    overrides?: Record<string, string>,
    options?: { platforms?: readonly AnyPlatform[] },
  ): Promise<TestBridge>;
}

/** The default fixture: Telegram on, its fake started for each test. */
export interface TelegramFixture extends BridgeFixture {
  telegram: FakeTelegram;
}

/**
 * `telegram: false` leaves Telegram out: the test starts its own platform's fake, `adopt`s it and
 * passes its variables to `start`; `fx.telegram` does not exist then, not even in the types.
 */
export function useBridgeFixture(): TelegramFixture;
export function useBridgeFixture(options: { telegram: false }): BridgeFixture;
export function useBridgeFixture(options: { telegram?: boolean } = {}): BridgeFixture {
  const fx = { bridges: [] } as unknown as BridgeFixture & { telegram?: FakeTelegram };
  beforeEach(async () => {
    fx.aksita = await startFakeAksita();
    fx.bridges = [];
    fx.secrets = ['test-key'];
    fx.onCleanup = [];
    fx.adopt = (fake, secrets) => {
      fx.secrets.push(...secrets);
      fx.onCleanup.push(() => fake.close());
      return fake;
    };
    if (options.telegram !== false) {
      const telegram = await startFakeTelegram();
      // Closed after the other fakes: a test may still read it while they close.
      fx.telegram = telegram;
      fx.secrets.push(telegram.token);
    }
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
    fx.start = async (overrides = {}, startOptions = {}) => {
      const env = testEnv({ aksita: fx.aksita, telegram: fx.telegram }, overrides);
      const bridge = await startTestBridge(env, startOptions);
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
    for (const secret of fx.secrets) expect(logs).not.toContain(secret);
  });
  return fx;
}
