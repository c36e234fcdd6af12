/**
 * Chaos 6: a turn's job lock is lost while the turn is posting. This is what case 2b does at random
 * (Redis away longer than `JOB_LOCK_MS`; a long pause or a network partition does the same), made
 * deterministic: the platform holds the send, the test deletes the job's BullMQ lock, BullMQ's
 * stalled check hands the job out again to the same, still running, worker, and the new run claims
 * the thread. The chunk the first run had in flight must still appear once.
 */
import { describe, expect, it } from 'vitest';
import { TURN_QUEUE } from '../../src/queue/turns.ts';
import { eventually } from '../support/bridge.ts';
import {
  agentCalls,
  agentReply,
  alive,
  checkReplies,
  drained,
  type Load,
  question,
  report,
  useChaos,
  waitForReplies,
} from './harness.ts';

const cx = useChaos();
const LOAD: Load = { threads: 1, perThread: 2, firstChat: 6_000 };

describe('chaos: job lock lost while posting', () => {
  it('posts the chunk in flight once when another run of the turn takes over', async () => {
    const reply = agentReply(1);
    cx.aksita.reply = reply;
    const env = cx.env({ JOB_LOCK_MS: '2000' });
    const prefix = env.REDIS_PREFIX as string;
    const chat = LOAD.firstChat;
    const thread = `telegram:${chat}`;
    const bridge = await cx.spawn(env);

    // The first run's send of answer 1 is in flight: the platform got it and holds its answer.
    const gate = cx.telegram.gate();
    for (let seq = 1; seq <= LOAD.perThread; seq++)
      cx.telegram.userMessage({ chatId: chat, text: question(chat, seq) });
    await cx.telegram.waitFor(() => cx.telegram.held > 0, 20_000, 'the first send in flight');
    const jobId = (await cx.redis.get(`${prefix}:active:${thread}`)) as string;
    expect(jobId).toBeTruthy();
    const lockKey = `${prefix}:bull:${TURN_QUEUE}:${jobId}:lock`;
    const firstLock = await cx.redis.get(lockKey);
    expect(firstLock).toBeTruthy();

    // The lock is lost (as when Redis was away longer than JOB_LOCK_MS): BullMQ's stalled check
    // hands the job out again, here to the same worker, whose first run's send is still held.
    await cx.redis.del(lockKey);
    await eventually(
      async () => ![null, firstLock].includes(await cx.redis.get(lockKey)),
      20_000,
      'the job handed out again',
    );
    // Give the new run time to post whatever it believes unposted (its chat's pacing slot is free by
    // now), then let the platform answer every held send.
    const handedOutAt = Date.now();
    await cx.telegram.waitFor(() => cx.telegram.held > 1, 3_000, 'a second send').catch(() => undefined);
    const heldAtRelease = cx.telegram.held;
    const secondSendWaitMs = Date.now() - handedOutAt;
    gate.release();

    await waitForReplies(cx.telegram, LOAD, 1, 30_000);
    await eventually(() => drained(cx.redis, prefix), 30_000, 'the turn finished');
    const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none' });
    const calls = agentCalls(cx.aksita);
    report('6. lock lost while posting', {
      heldAtRelease,
      secondSendWaitMs,
      agentCalls: calls.total,
      posted: cx.telegram.sentTo(chat),
    });

    expect(seen.problems).toEqual([]);
    expect(calls.total).toBe(LOAD.perThread);
    expect(alive(bridge)).toBe(true);
    expect(bridge.output()).not.toContain('unhandled rejection');
  });
});
