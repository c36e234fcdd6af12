/**
 * The hourly counters behind `status` ("Last hour: N answers, errors: …"), on real Redis: counts
 * from several processes add up, a process's own pending counts show at once, counts reach Redis
 * within a second or at shutdown, the previous hour is weighted by what is left of it, and the keys
 * expire.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { Stats } from '../../src/core/stats.ts';
import { createLogger } from '../../src/logger.ts';
import { deletePrefix } from '../support/bridge.ts';

const redis = new Redis(inject('redisUrl'));
const log = createLogger({ level: 'silent', secrets: [] });
const prefixes: string[] = [];

function newPrefix(): string {
  const prefix = `test-stats-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
}

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  redis.disconnect();
});

it('adds up answers and errors from every process, and shows a process its own counts at once', async () => {
  const prefix = newPrefix();
  const now = () => Date.UTC(2026, 10, 24, 12, 0, 0);
  const worker1 = new Stats(redis, { prefix, log, now });
  const worker2 = new Stats(redis, { prefix, log, now });
  for (let i = 0; i < 3; i++) worker1.answered('telegram');
  worker1.agentFailed('timeout');
  worker2.answered('slack');
  worker2.agentFailed('timeout');
  worker2.agentFailed('server');

  // Worker 1 sees its own counts without waiting for the flush; worker 2's are not written yet.
  expect(await worker1.lastHour()).toEqual({ answered: 3, errors: { timeout: 1 } });
  await worker2.flush();
  expect(await worker1.lastHour()).toEqual({ answered: 4, errors: { timeout: 2, server: 1 } });
  const key = `${prefix}:stats:2026-11-24T12`;
  expect(await redis.ttl(key)).toBeGreaterThan(2 * 86_400 - 10);
});

it('writes pending counts within about a second without being asked, in one write for many answers', async () => {
  const prefix = newPrefix();
  const stats = new Stats(redis, { prefix, log });
  const key = () => `${prefix}:stats:${new Date().toISOString().slice(0, 13)}`;
  for (let i = 0; i < 500; i++) stats.answered('discord');
  expect(await redis.hget(key(), 'answered')).toBeNull();
  await expect.poll(() => redis.hget(key(), 'answered'), { timeout: 3_000, interval: 100 }).toBe('500');
});

it('counts the previous hour by the share of it still inside the last 60 minutes', async () => {
  const prefix = newPrefix();
  let time = Date.UTC(2026, 10, 24, 9, 30, 0);
  const stats = new Stats(redis, { prefix, log, now: () => time });
  for (let i = 0; i < 40; i++) stats.answered('telegram');
  await stats.flush();
  time = Date.UTC(2026, 10, 24, 10, 15, 0); // a quarter into the next hour: 3/4 of 9:00–10:00 counts
  for (let i = 0; i < 5; i++) stats.answered('telegram');
  expect((await stats.lastHour()).answered).toBe(35);
});

it('never throws on the hot path when Redis is gone, and drops the counts with a log line', async () => {
  const gone = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  const lines: string[] = [];
  const stats = new Stats(gone, {
    prefix: newPrefix(),
    log: createLogger({ level: 'debug', secrets: [] }, { write: (line: string) => void lines.push(line) }),
  });
  expect(() => stats.answered('telegram')).not.toThrow();
  await expect(stats.flush()).resolves.toBeUndefined();
  expect(lines.some((line) => line.includes('stats not recorded'))).toBe(true);
  gone.disconnect();
});
