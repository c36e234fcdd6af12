/**
 * Chaos 9: Telegram answers every sendMessage with its front's 502 page for 12 s in the middle of the
 * load, then accepts them again. The answers were paid for, so each is kept and retried (on
 * `SEND_RETRY_*`) until it is posted: every answer must arrive, in order, exactly once (a refused
 * send was not accepted), and the agent is asked exactly once per message.
 */
import { describe, expect, it } from 'vitest';
import { TELEGRAM_REFUSALS } from '../fakes/telegram-wire.ts';
import { eventually } from '../support/bridge.ts';
import {
  agentCalls,
  agentReply,
  alive,
  between,
  chaosSeed,
  checkReplies,
  drained,
  type Load,
  longestWait,
  pushLoad,
  randomLatency,
  report,
  seededRandom,
  totalMessages,
  trackPushes,
  useChaos,
  waitForReplies,
} from './harness.ts';

const cx = useChaos();
const LOAD: Load = { threads: 50, perThread: 6, firstChat: 9_000 };
const FAILING_MS = 12_000;
const SEND_RETRY_MAX_MS = 2_000;

describe('chaos: Telegram answers 502 to every send for 12 s under load', () => {
  it('posts every answer once, in order, after the failures, asking the agent once per message', async () => {
    const seed = chaosSeed();
    const latency = seededRandom(seed);
    const moments = seededRandom(seed + 1);
    const reply = agentReply(1);
    cx.aksita.reply = reply;
    randomLatency(cx.aksita, () => between(latency, 50, 300));
    const env = cx.env({ SEND_RETRY_BASE_MS: '250', SEND_RETRY_MAX_MS: String(SEND_RETRY_MAX_MS) });
    const prefix = env.REDIS_PREFIX as string;
    const pushedAt = trackPushes(cx.telegram);
    const startedAt = Date.now();
    const bridge = await cx.spawn(env);
    const loadAt = Date.now();
    const loading = pushLoad(cx.telegram, LOAD, 10_000, seededRandom(seed + 2));

    await new Promise((r) => setTimeout(r, between(moments, 2_000, 4_000)));
    cx.telegram.failSends(TELEGRAM_REFUSALS.badGatewayPage);
    const failingAt = Date.now();
    const postedBefore = cx.telegram.sent.length;
    await new Promise((r) => setTimeout(r, FAILING_MS));
    cx.telegram.failSends(null);
    const upAt = Date.now();
    const callsDuring = cx.aksita.chats.filter((c) => c.at >= failingAt && c.at < upAt).length;

    await loading;
    await waitForReplies(cx.telegram, LOAD, 1, 90_000);
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');
    const seconds = (Date.now() - startedAt) / 1000;

    const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none' });
    const calls = agentCalls(cx.aksita);
    const failed = cx.telegram.sendAttempts.filter((a) => a.status === 502);
    const failedPerChat = new Map<string, number>();
    for (const a of failed) failedPerChat.set(a.chatId, (failedPerChat.get(a.chatId) ?? 0) + 1);
    const firstAfter = cx.telegram.sent.find((s) => s.at >= upAt);
    const lastAt = Math.max(...cx.telegram.sent.map((s) => s.at));
    const out = bridge.output();
    report('9. Telegram sends 502 for 12 s', {
      seed,
      messages: totalMessages(LOAD),
      threads: LOAD.threads,
      failingAtMs: failingAt - loadAt,
      failingMs: upAt - failingAt,
      postedBeforeFailures: postedBefore,
      refused502: failed.length,
      chatsRefused: failedPerChat.size,
      maxRefusedPerChat: Math.max(0, ...failedPerChat.values()),
      agentCallsDuringFailures: callsDuring,
      agentCalls: calls.total,
      maxCallsPerMessage: calls.maxPerMessage,
      chunks: seen.chunks,
      answersLost: totalMessages(LOAD) - seen.chunks,
      firstPostAfterRecoveryMs: firstAfter ? firstAfter.at - upAt : null,
      allPostedAfterRecoveryMs: lastAt - upAt,
      longestWaitMs: longestWait(cx.telegram, pushedAt).ms,
      seconds,
    });

    // Every answer once, in order; nothing given up; the agent asked once per message.
    expect(seen.problems).toEqual([]);
    expect(seen.chunks).toBe(totalMessages(LOAD));
    expect(calls.total).toBe(totalMessages(LOAD));
    expect(calls.maxPerMessage).toBe(1);
    // The failures were real, and retried with a backoff (capped at 2 s), not hammered.
    expect(failedPerChat.size).toBeGreaterThan(LOAD.threads / 2);
    expect(Math.max(...failedPerChat.values())).toBeLessThanOrEqual(FAILING_MS / 1_000 + 5);
    // A chat whose answer waits to be posted asks nothing more meanwhile: one call per chat at most.
    expect(callsDuring).toBeLessThanOrEqual(LOAD.threads);
    // Posting resumes within one retry period of the recovery.
    expect(firstAfter && firstAfter.at - upAt).toBeLessThan(SEND_RETRY_MAX_MS + 2_000);
    expect(out).not.toContain('answer dropped');
    expect(out).not.toContain('message skipped');
    expect(alive(bridge)).toBe(true);
    expect(out).not.toContain('unhandled rejection');
    expect(out).not.toContain('"turn failed"');
  });
});
