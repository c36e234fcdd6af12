/**
 * The pacer's slots (real Redis): each reservation says how long a send must wait so that the bot
 * stays under its global limit and the chat's limit, with a group's burst allowed first.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import type { SendPacing } from '../../src/core/contract.ts';
import { Pacer } from '../../src/core/pacer.ts';
import { deletePrefix } from '../support/bridge.ts';

const redis = new Redis(inject('redisUrl'));
const prefix = `test-pacer-${randomUUID().slice(0, 8)}`;
const pacer = new Pacer(redis, prefix);
const pacing: SendPacing = {
  global: { intervalMs: 100, burst: 1 },
  direct: { intervalMs: 1_000, burst: 1 },
  group: { intervalMs: 3_000, burst: 3 },
};

afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

/**
 * `n` tries at a slot made at once, rounded to 50 ms (Redis's clock moves between them): how long until
 * the reserved slot, or minus how long until the chat is ready.
 */
async function tries(channel: string, chatType: 'direct' | 'group', n: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < n; i++) {
    const slot = await pacer.reserve('telegram', pacing, { channel }, chatType);
    result.push(slot.kind === 'reserved' ? slot.ms : -slot.ms);
  }
  return result.map((ms) => Math.round(ms / 50) * 50 || 0);
}

it('spaces sends to one chat by its interval, reserving no global slot while the chat waits', async () => {
  // The second try is told to come back in a second (negative: nothing reserved).
  expect(await tries('d1', 'direct', 3)).toEqual([0, -1_000, -1_000]);
  // Other chats were not held up by the waiting chat.
  expect(await tries('d2', 'direct', 1)).toEqual([100]);
});

it('lets a group have its burst at the global pace, then one per interval', async () => {
  await new Promise((r) => setTimeout(r, 300)); // the global slots of the test above have passed
  expect(await tries('g1', 'group', 4)).toEqual([0, 100, 200, -3_000]);
});

it('queues every chat behind the global limit', async () => {
  await new Promise((r) => setTimeout(r, 400));
  const first = await Promise.all(['a', 'b', 'c', 'd'].map((c) => tries(c, 'direct', 1)));
  expect(first.flat().sort((x, y) => x - y)).toEqual([0, 100, 200, 300]);
});

it('waits for its slot and then lets the send go', async () => {
  await new Promise((r) => setTimeout(r, 500));
  const started = Date.now();
  const signal = new AbortController().signal;
  await pacer.wait('telegram', pacing, { channel: 'w1' }, 'direct', signal);
  await pacer.wait('telegram', pacing, { channel: 'w1' }, 'direct', signal);
  expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  expect(Date.now() - started).toBeLessThan(1_500);
});

it('leaves no key behind once its slots are in the past', async () => {
  const keys = await redis.keys(`${prefix}:pace:*`);
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) {
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(9_000 + 1_000);
  }
});
