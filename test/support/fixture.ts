/**
 * The end-to-end fixture: a fresh fake Aksita and fake Telegram per test, a bridge started on demand
 * with its own Redis prefix, and after each test: everything stopped, its keys deleted, and a check
 * that no secret reached the logs.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { type FakeAksita, startFakeAksita } from '../fakes/aksita.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram.ts';
import { startTestBridge, type TestBridge, testEnv } from './bridge.ts';

export interface BridgeFixture {
  aksita: FakeAksita;
  telegram: FakeTelegram;
  /** The bridges started in this test (stopped after it). */
  bridges: TestBridge[];
  /** Starts a bridge against this test's fakes; `overrides` are environment variables. */
  start(overrides?: Record<string, string>): Promise<TestBridge>;
}

export function useBridgeFixture(): BridgeFixture {
  const fx = { bridges: [] } as unknown as BridgeFixture;
  beforeEach(async () => {
    fx.aksita = await startFakeAksita();
    fx.telegram = await startFakeTelegram();
    fx.bridges = [];
    fx.start = async (overrides = {}) => {
      const bridge = await startTestBridge(testEnv(fx, overrides));
      fx.bridges.push(bridge);
      return bridge;
    };
  });
  afterEach(async () => {
    for (const bridge of fx.bridges.reverse()) await bridge.cleanup();
    await fx.telegram.close();
    await fx.aksita.close();
    const logs = fx.bridges.map((b) => b.logs.text).join('');
    for (const secret of [fx.telegram.token, 'test-key']) expect(logs).not.toContain(secret);
  });
  return fx;
}
