/**
 * Fencing of a turn's runs (real Redis): when BullMQ hands a job whose lock expired to a second run
 * while the first is still alive, the latest claim wins, and the superseded run can neither act nor
 * pop a message.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import type { IncomingMessage } from '../../src/core/contract.ts';
import { Inbox } from '../../src/queue/inbox.ts';
import { deletePrefix } from '../support/bridge.ts';

const redis = new Redis(inject('redisUrl'));
const prefix = `test-claim-${randomUUID().slice(0, 8)}`;
const inbox = new Inbox(redis, { prefix, dedupeTtlSeconds: 60 });

afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

function message(n: number): IncomingMessage {
  return {
    id: `telegram:5:${n}`,
    platform: 'telegram',
    thread: 'telegram:5',
    address: { channel: '5' },
    messageId: String(n),
    chatType: 'direct',
    addressed: true,
    text: `question ${n}`,
    user: { id: '5', displayName: 'Ana' },
    sentAt: 0,
  };
}

it('lets only the latest run of a turn act, so a job handed out twice never answers twice', async () => {
  const first = await inbox.accept({ id: 'telegram:5:1', kind: 'ask', message: message(1), acceptedAt: 0 });
  await inbox.accept({ id: 'telegram:5:2', kind: 'ask', message: message(2), acceptedAt: 0 });
  const job = first.outcome === 'queued' ? (first.startTurn as string) : '';
  expect(job).not.toBe('');

  expect(await inbox.claim('telegram:5', job, 'run-a')).toBe(true);
  const head = (await inbox.head('telegram:5')) as string;
  // The lock expired and BullMQ gave the same job to a second run.
  expect(await inbox.claim('telegram:5', job, 'run-b')).toBe(true);
  expect(await inbox.isCurrent('telegram:5', 'run-a')).toBe(false);
  expect(await inbox.isCurrent('telegram:5', 'run-b')).toBe(true);

  // The first run cannot pop the head it was answering; the second can.
  expect(await inbox.advance('telegram:5', job, 'run-a', head)).toBe(-1);
  expect(await inbox.head('telegram:5')).toBe(head);
  expect(await inbox.advance('telegram:5', job, 'run-b', head)).toBe(1);
  expect(JSON.parse((await inbox.head('telegram:5')) as string).id).toBe('telegram:5:2');

  // Another job cannot claim the turn at all.
  expect(await inbox.claim('telegram:5', 't-other', 'run-c')).toBe(false);
  // Ending the turn releases the claim key too.
  const last = (await inbox.head('telegram:5')) as string;
  expect(await inbox.advance('telegram:5', job, 'run-b', last)).toBe(0);
  expect(await redis.exists(`${prefix}:run:telegram:5`, `${prefix}:active:telegram:5`)).toBe(0);
});
