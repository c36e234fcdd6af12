/**
 * Chaos 10: one Telegram long poll is never answered (a half-open connection: the fake holds the
 * `getUpdates` request and says nothing) in the middle of the load, while users keep writing. The
 * bridge must abandon it after its long poll (30 s) plus the request timeout (10 s), poll again, and
 * then receive and answer everything sent meanwhile, in order, once each. The case measures how long
 * receiving stalled.
 */
import { describe, expect, it } from 'vitest';
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
const LOAD: Load = { threads: 50, perThread: 6, firstChat: 10_000 };
/** The bridge's long poll (30 s) plus its Bot API request timeout (10 s). */
const POLL_SPAN_MS = 40_000;

describe('chaos: a Telegram long poll is never answered under load', () => {
  it('abandons it after the poll span, polls again and answers everything sent meanwhile, in order', async () => {
    const seed = chaosSeed();
    const latency = seededRandom(seed);
    const moments = seededRandom(seed + 1);
    const reply = agentReply(1);
    cx.aksita.reply = reply;
    randomLatency(cx.aksita, () => between(latency, 50, 300));
    const env = cx.env();
    const prefix = env.REDIS_PREFIX as string;
    const pushedAt = trackPushes(cx.telegram);
    const startedAt = Date.now();
    const bridge = await cx.spawn(env);
    const loadAt = Date.now();
    const loading = pushLoad(cx.telegram, LOAD, 10_000, seededRandom(seed + 2));

    await new Promise((r) => setTimeout(r, between(moments, 2_000, 4_000)));
    cx.telegram.holdPolls(1);
    await cx.telegram.waitFor(() => cx.telegram.heldPolls === 1, 5_000, 'a poll held');
    const heldAt = Date.now();
    const pollsAtHold = cx.telegram.getUpdatesCalls;
    const answeredBefore = cx.telegram.sent.length;
    await cx.telegram.waitFor(
      () => cx.telegram.getUpdatesCalls > pollsAtHold,
      POLL_SPAN_MS + 15_000,
      'the next poll after the stalled one',
    );
    const resumedAt = Date.now();
    const pushedDuring = [...pushedAt.values()].filter((at) => at >= heldAt && at < resumedAt).length;
    // The stalled request's connection was closed, not left open beside the new poll.
    await cx.telegram.waitFor(() => cx.telegram.heldPolls === 0, 5_000, 'the stalled poll closed');

    await loading;
    await waitForReplies(cx.telegram, LOAD, 1, 90_000);
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');
    const seconds = (Date.now() - startedAt) / 1000;

    const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none' });
    const calls = agentCalls(cx.aksita);
    const firstAfter = cx.telegram.sent.find((s) => s.at >= resumedAt);
    const lastAt = Math.max(...cx.telegram.sent.map((s) => s.at));
    const out = bridge.output();
    const abandoned = out.split('telegram getUpdates got no answer in time; polling again').length - 1;
    report('10. Telegram long poll stalled', {
      seed,
      messages: totalMessages(LOAD),
      threads: LOAD.threads,
      heldAtMs: heldAt - loadAt,
      answeredBeforeStall: answeredBefore,
      pushedDuringStall: pushedDuring,
      receivingStalledMs: resumedAt - heldAt,
      pollsAbandoned: abandoned,
      firstAnswerAfterStallMs: firstAfter ? firstAfter.at - resumedAt : null,
      allAnsweredAfterStallMs: lastAt - resumedAt,
      longestWaitMs: longestWait(cx.telegram, pushedAt).ms,
      agentCalls: calls.total,
      chunks: seen.chunks,
      answersLost: totalMessages(LOAD) - seen.chunks,
      seconds,
    });

    expect(seen.problems).toEqual([]);
    expect(seen.chunks).toBe(totalMessages(LOAD));
    expect(calls.total).toBe(totalMessages(LOAD));
    // Messages kept arriving while the poll hung, and receiving resumed after the poll span, not later.
    expect(pushedDuring).toBeGreaterThan(50);
    expect(resumedAt - heldAt).toBeGreaterThanOrEqual(POLL_SPAN_MS - 1_000);
    expect(resumedAt - heldAt).toBeLessThan(POLL_SPAN_MS + 5_000);
    expect(abandoned).toBe(1);
    expect(firstAfter && firstAfter.at - resumedAt).toBeLessThan(3_000);
    expect(alive(bridge)).toBe(true);
    expect(out).not.toContain('unhandled rejection');
    expect(out).not.toContain('"turn failed"');
  });
});
