/**
 * Chaos 4: the platform refuses sends at random: Telegram's 429 with `retry_after: 1`, and 5xx.
 * Answers come in two parts, so every chunk of every answer must arrive, in order, exactly once:
 * a refused send was never accepted, so nothing may be doubled, and the agent is asked once.
 */
import { describe, expect, it } from 'vitest';
import type { SendStep } from '../fakes/telegram.ts';
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
  pushLoad,
  randomLatency,
  report,
  scriptPlatform,
  seededRandom,
  totalMessages,
  useChaos,
  waitForReplies,
} from './harness.ts';

const cx = useChaos();
const LOAD: Load = { threads: 50, perThread: 10, firstChat: 4_000 };

/** One sendMessage's fate: 12 % 429 (retry after 1 s), 8 % 500/502, else accepted. */
function platformMood(random: () => number): SendStep {
  const r = random();
  if (r < 0.12) return { status: 429, retryAfter: 1 };
  if (r < 0.2) return { status: random() < 0.5 ? 500 : 502 };
  return { pass: true };
}

describe('chaos: the platform refuses sends at random', () => {
  it('delivers every chunk in order, once, asking the agent once per message', async () => {
    const seed = chaosSeed();
    const latency = seededRandom(seed);
    const reply = agentReply(2);
    cx.aksita.reply = reply;
    randomLatency(cx.aksita, () => between(latency, 0, 200));
    const moods = seededRandom(seed + 1);
    scriptPlatform(cx.telegram, 20_000, () => platformMood(moods));
    const env = cx.env();
    const prefix = env.REDIS_PREFIX as string;
    const startedAt = Date.now();
    const bridge = await cx.spawn(env);
    await pushLoad(cx.telegram, LOAD, 10_000, seededRandom(seed + 2));
    await waitForReplies(cx.telegram, LOAD, 2, 150_000);
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');
    const seconds = (Date.now() - startedAt) / 1000;

    const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none' });
    const calls = agentCalls(cx.aksita);
    const refused = (status: number) => cx.telegram.sendAttempts.filter((a) => a.status === status).length;
    const tooMany = refused(429);
    const serverErrors = refused(500) + refused(502);
    // How soon a chat's next send followed a 429: never before the retry_after of 1 s.
    const last429 = new Map<string, number>();
    let shortestWaitMs = Number.POSITIVE_INFINITY;
    for (const attempt of cx.telegram.sendAttempts) {
      const refusedAt = last429.get(attempt.chatId);
      if (refusedAt !== undefined) shortestWaitMs = Math.min(shortestWaitMs, attempt.at - refusedAt);
      if (attempt.status === 429) last429.set(attempt.chatId, attempt.at);
      else last429.delete(attempt.chatId);
    }
    report('4. flaky platform', {
      seed,
      messages: totalMessages(LOAD),
      threads: LOAD.threads,
      sendAttempts: cx.telegram.sendAttempts.length,
      refused429: tooMany,
      refused5xx: serverErrors,
      shortestWaitAfter429Ms: shortestWaitMs,
      chunks: seen.chunks,
      agentCalls: calls.total,
      seconds,
    });

    expect(seen.problems).toEqual([]);
    expect(seen.chunks).toBe(totalMessages(LOAD) * 2);
    expect(calls.total).toBe(totalMessages(LOAD));
    expect(tooMany).toBeGreaterThan(50);
    expect(serverErrors).toBeGreaterThan(30);
    expect(shortestWaitMs).toBeGreaterThanOrEqual(990); // 1 s, less a little for the clock
    // A 429 is waited out, never counted as a failure: no message gave up on its chunks.
    expect(bridge.output()).not.toContain('message skipped');
    expect(alive(bridge)).toBe(true);
    expect(bridge.output()).not.toContain('unhandled rejection');
  });
});
