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

it("lets a superseded run record the chunks it posted, but never on another head's record", async () => {
  const thread = 'telegram:5';
  const first = await inbox.accept({ id: 'telegram:5:11', kind: 'ask', message: message(11), acceptedAt: 0 });
  await inbox.accept({ id: 'telegram:5:12', kind: 'ask', message: message(12), acceptedAt: 0 });
  const job = first.outcome === 'queued' ? (first.startTurn as string) : '';
  await inbox.claim(thread, job, 'run-a');
  const stepA = await inbox.begin(thread, 'run-a');
  expect(stepA).toMatchObject({ kind: 'head', state: { tries: 0, posted: 0 } });
  expect(await inbox.saveAnswer(thread, 'run-a', 'telegram:5:11', ['one', 'two', 'three'])).toBe(true);

  // Run b takes over while run a is posting chunk 1 of 3.
  await inbox.claim(thread, job, 'run-b');
  expect(await inbox.begin(thread, 'run-a')).toEqual({ kind: 'stale' });
  expect(await inbox.saveAnswer(thread, 'run-a', 'telegram:5:11', ['other'])).toBe(false);
  // Run a's chunk 1 went out: that is recorded, so run b does not post it again, but run a stops.
  expect(await inbox.markPosted(thread, 'run-a', 'telegram:5:11', 1)).toBe(false);
  const stepB = await inbox.begin(thread, 'run-b');
  expect(stepB).toMatchObject({ kind: 'head', state: { posted: 1, chunks: ['one', 'two', 'three'] } });

  // Run b finishes the head and moves on; a late record from run a must not touch the next head.
  const raw = stepB.kind === 'head' ? stepB.raw : '';
  expect(await inbox.advance(thread, job, 'run-b', raw)).toBe(1);
  const next = await inbox.begin(thread, 'run-b');
  expect(next).toMatchObject({ kind: 'head', state: { tries: 0, posted: 0 } });
  expect(await inbox.markPosted(thread, 'run-a', 'telegram:5:11', 3)).toBe(false);
  expect(await inbox.advance(thread, job, 'run-a', raw, { entryId: 'telegram:5:11', count: 3 })).toBe(-1);
  const again = await inbox.begin(thread, 'run-b');
  // The second begin of the same question counts a second attempt, and nothing was marked posted.
  expect(again).toMatchObject({ kind: 'head', state: { tries: 1, posted: 0 } });
  if (again.kind === 'head') expect(JSON.parse(again.raw).id).toBe('telegram:5:12');
  expect(await inbox.advance(thread, job, 'run-b', again.kind === 'head' ? again.raw : '')).toBe(0);
});
