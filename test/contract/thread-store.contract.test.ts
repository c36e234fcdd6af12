/**
 * The thread-store contract run against both implementations: the Redis inbox on the real Redis
 * (its own prefix per store, deleted afterwards) and the in-memory store. Also what only the Redis
 * store can show: a thread's keys are gone once its turn has ended.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { MemoryThreadStore } from '../../src/core/memory-thread-store.ts';
import type { InboxEntry } from '../../src/core/thread-store.ts';
import { Inbox } from '../../src/queue/inbox.ts';
import { deletePrefix } from '../support/bridge.ts';
import { threadStoreContract } from './thread-store-contract.ts';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `test-store-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  redis.disconnect();
});

threadStoreContract(
  'Redis',
  async ({ maxPending, coalesce }) =>
    new Inbox(redis, {
      prefix: newPrefix(),
      dedupeTtlSeconds: 60,
      ...(maxPending && { maxPending }),
      ...(coalesce && { coalesce }),
    }),
);

threadStoreContract(
  'memory',
  async ({ maxPending, coalesce }) =>
    new MemoryThreadStore({
      dedupeTtlSeconds: 60,
      ...(maxPending && { maxPending }),
      ...(coalesce && { coalesce }),
    }),
);

it('leaves only the dedupe marks of an idle thread in Redis', async () => {
  const prefix = newPrefix();
  const inbox = new Inbox(redis, { prefix, dedupeTtlSeconds: 60 });
  const message = {
    id: 'telegram:5:1',
    platform: 'telegram',
    thread: 'telegram:5',
    address: { channel: '5' },
    messageId: '1',
    chatType: 'direct',
    addressed: true,
    text: 'question',
    user: { id: '5', displayName: 'Ana' },
    sentAt: 0,
  } as const;
  const entry: InboxEntry = { id: message.id, kind: 'ask', message, acceptedAt: 0 };
  const accepted = await inbox.accept(entry);
  const job = accepted.outcome === 'queued' ? (accepted.startTurn as string) : '';
  await inbox.claim('telegram:5', job, 'run-a');
  const step = await inbox.begin('telegram:5', 'run-a');
  await inbox.saveAnswer('telegram:5', 'run-a', message.id, ['answer']);
  expect(await inbox.advance('telegram:5', job, 'run-a', step.kind === 'head' ? step.raw : '')).toEqual({
    kind: 'advanced',
    left: 0,
  });
  expect(await redis.keys(`${prefix}:*`)).toEqual([`${prefix}:seen:telegram:5:1`]);
  expect(await redis.ttl(`${prefix}:seen:telegram:5:1`)).toBeGreaterThan(0);
});

it('remembers an id for the dedupe window of the injected clock only', async () => {
  let now = 0;
  const store = new MemoryThreadStore({ dedupeTtlSeconds: 60, now: () => now });
  const message = {
    id: 'telegram:6:1',
    platform: 'telegram',
    thread: 'telegram:6',
    address: { channel: '6' },
    messageId: '1',
    chatType: 'direct',
    addressed: true,
    text: 'question',
    user: { id: '6', displayName: 'Ana' },
    sentAt: 0,
  } as const;
  const entry: InboxEntry = { id: message.id, kind: 'ask', message, acceptedAt: 0 };
  expect(await store.accept(entry)).toMatchObject({ outcome: 'queued' });
  now = 59_999;
  expect(await store.accept(entry)).toEqual({ outcome: 'duplicate' });
  now = 60_000;
  expect(await store.accept(entry)).toEqual({ outcome: 'queued' });
});
