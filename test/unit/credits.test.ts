import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CreditLedger } from '../../src/core/credits.ts';
import { deletePrefix } from '../support/bridge.ts';

const redis = new Redis(inject('redisUrl'));
let prefix: string;
let ledger: CreditLedger;
const day = Date.UTC(2026, 10, 24, 12);
const use = (over: Partial<Parameters<CreditLedger['record']>[0]> = {}) => ({
  platform: 'telegram' as const,
  thread: 'telegram:1',
  user: 'telegram:1',
  credits: 15,
  remaining: 5000,
  ...over,
});

beforeEach(async () => {
  if (prefix) await deletePrefix(redis, prefix);
  prefix = `test-credits-${randomUUID().slice(0, 8)}`;
  ledger = new CreditLedger(redis, { prefix, alertThresholds: [1000, 100, 0] });
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('CreditLedger', () => {
  it('sums spend by day, platform, chat and user, and reports the latest balance', async () => {
    await ledger.record(use({ credits: 10, remaining: 990 }), day - 3 * 86_400_000);
    await ledger.record(use({ credits: 15, remaining: 975, thread: 'telegram:2', user: 'telegram:2' }), day);
    await ledger.record(
      use({ platform: 'discord', thread: 'discord:9', user: 'discord:9', credits: 20, remaining: 955 }),
      day,
    );
    const report = await ledger.report(day);
    expect(report.balance).toEqual({ remaining: 955, at: day });
    expect(report.today).toEqual({
      total: 35,
      byPlatform: { telegram: 15, discord: 20 },
      replies: { telegram: 1, discord: 1 },
      byAgent: {},
    });
    expect(report.last7Days.total).toBe(45);
    expect(report.last30Days.byPlatform).toEqual({ telegram: 25, discord: 20 });
    expect(report.topChats).toEqual([
      { thread: 'discord:9', credits: 20 },
      { thread: 'telegram:2', credits: 15 },
      { thread: 'telegram:1', credits: 10 },
    ]);
    expect(await ledger.spentToday('telegram:2', 'telegram:2', day)).toEqual({ user: 15, chat: 15 });
    expect(await ledger.spentToday('telegram:1', 'telegram:1', day)).toEqual({ user: 0, chat: 0 });
  });

  it("keeps each routed agent's balance, spend and low-balance alerts apart from the platform key's", async () => {
    const routed = new CreditLedger(redis, {
      prefix: `${prefix}:routed`,
      alertThresholds: [100],
      agents: ['KEY_B'],
    });
    await routed.record(use({ credits: 5, remaining: 500 }), day);
    expect(await routed.record(use({ credits: 7, remaining: 90, agent: 'KEY_B' }), day)).toEqual([100]);
    // The platform key's balance is another key's: it crosses its own threshold later, once.
    expect(await routed.record(use({ credits: 5, remaining: 495 }), day)).toEqual([]);
    expect(await routed.record(use({ credits: 5, remaining: 80 }), day)).toEqual([100]);
    const report = await routed.report(day);
    expect(report.balance).toEqual({ remaining: 80, at: day });
    expect(report.agentBalances).toEqual({ KEY_B: { remaining: 90, at: day } });
    expect(report.today.total).toBe(22);
    expect(report.today.byAgent).toEqual({ KEY_B: 7 });
    await deletePrefix(redis, `${prefix}:routed`);
  });

  it('alerts once per threshold crossed going down, and again only after a top-up re-arms it', async () => {
    expect(await ledger.record(use({ remaining: 1500 }), day)).toEqual([]);
    expect(await ledger.record(use({ remaining: 990 }), day)).toEqual([1000]);
    expect(await ledger.record(use({ remaining: 980 }), day)).toEqual([]);
    expect(await ledger.record(use({ remaining: 50 }), day)).toEqual([100]);
    expect(await ledger.record(use({ remaining: 5000 }), day)).toEqual([]);
    expect(await ledger.record(use({ remaining: 0 }), day)).toEqual([1000, 100, 0]);
  });

  it('keeps every key it writes for at most 90 days', async () => {
    await ledger.record(use(), day);
    const keys = await redis.keys(`${prefix}:*`);
    for (const key of keys.filter((k) => !k.endsWith(':balance') && !k.endsWith(':alerted'))) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(90 * 86_400);
    }
    expect(keys.length).toBeGreaterThanOrEqual(3);
  });
});
