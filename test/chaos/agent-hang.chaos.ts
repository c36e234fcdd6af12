/**
 * Chaos 8: the agent hangs (accepts every request and never answers) for 10 s in the middle of the
 * load, with `AKSITA_TIMEOUT_MS=1000`, then answers again. A timed-out call may have been answered
 * and billed upstream, so no question may be sent more than twice (1 + `AKSITA_TIMEOUT_RESENDS`);
 * the calls hung when the agent stopped answering open one outage, the rest wait for it, and
 * afterwards every question is answered, in order, none lost and none given up.
 */
import { describe, expect, it } from 'vitest';
import { renderTelegram } from '../../adapters/telegram/format.ts';
import { loadNotices } from '../../src/notices.ts';
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
const LOAD: Load = { threads: 50, perThread: 6, firstChat: 8_000 };
const HANG_MS = 10_000;
const TIMEOUT_MS = 1_000;
const RETRY_MAX_MS = 2_000;

describe('chaos: the agent hangs for 10 s under load', () => {
  it('sends no question more than twice, and answers every one in order after', async () => {
    const seed = chaosSeed();
    const latency = seededRandom(seed);
    const moments = seededRandom(seed + 1);
    const reply = agentReply(1);
    cx.aksita.reply = reply;
    randomLatency(cx.aksita, () => between(latency, 20, 200));
    const env = cx.env({
      AKSITA_TIMEOUT_MS: String(TIMEOUT_MS),
      AKSITA_RETRY_BASE_MS: '200',
      AKSITA_RETRY_MAX_MS: String(RETRY_MAX_MS),
      OUTAGE_NOTICE_AFTER_SECONDS: '3',
    });
    const prefix = env.REDIS_PREFIX as string;
    const kept = renderTelegram(loadNotices('en').agentDown);
    const pushedAt = trackPushes(cx.telegram);
    const startedAt = Date.now();
    const bridge = await cx.spawn(env);
    const loadAt = Date.now();
    const loading = pushLoad(cx.telegram, LOAD, 10_000, seededRandom(seed + 2));

    await new Promise((r) => setTimeout(r, between(moments, 2_000, 4_000)));
    cx.aksita.down = { hang: true };
    const hungAt = Date.now();
    await new Promise((r) => setTimeout(r, HANG_MS));
    const upAt = Date.now();
    const probes = cx.aksita.sessionFailures;
    const callsDuring = cx.aksita.chats.filter((c) => c.at >= hungAt && c.at < upAt).length;
    cx.aksita.down = null;

    await loading;
    await waitForReplies(cx.telegram, LOAD, 1, 90_000);
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');
    const seconds = (Date.now() - startedAt) / 1000;

    const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none', besides: kept });
    const calls = agentCalls(cx.aksita);
    const perMessage = new Map<string, number>();
    for (const c of cx.aksita.chats) perMessage.set(c.message, (perMessage.get(c.message) ?? 0) + 1);
    const twice = [...perMessage.values()].filter((n) => n === 2).length;
    const answers = cx.telegram.sent.filter((s) => s.text.startsWith('re: '));
    const firstAfter = answers.find((s) => s.at >= upAt);
    const out = bridge.output();
    const timeouts = out.split('"code":"timeout"').length - 1;
    report('8. agent hangs 10 s', {
      seed,
      messages: totalMessages(LOAD),
      threads: LOAD.threads,
      hungAtMs: hungAt - loadAt,
      hangMs: upAt - hungAt,
      chatCallsDuringHang: callsDuring,
      probes,
      bridgeSawTimeouts: timeouts,
      agentCalls: calls.total,
      messagesSentTwice: twice,
      maxCallsPerMessage: calls.maxPerMessage,
      keptNotices: seen.besides,
      chatsTold: seen.chatsWithBesides,
      maxNoticesPerChat: seen.maxBesidesPerChat,
      answersLost: totalMessages(LOAD) - answers.length,
      firstAnswerAfterRecoveryMs: firstAfter ? firstAfter.at - upAt : null,
      allAnsweredAfterRecoveryMs: Math.max(...answers.map((s) => s.at)) - upAt,
      longestWaitMs: longestWait(cx.telegram, pushedAt).ms,
      seconds,
    });

    // Nothing lost or given up ("Sorry, I can't answer…" would be a problem here), in order, once.
    expect(seen.problems).toEqual([]);
    expect(answers).toHaveLength(totalMessages(LOAD));
    expect(seen.maxBesidesPerChat).toBeLessThanOrEqual(1);
    // A question that timed out is sent once more at most.
    expect(calls.maxPerMessage).toBeLessThanOrEqual(2);
    // The hang was real: calls timed out and were sent again; while it lasted, only the calls in
    // flight when it began (one per chat at most) and the probes reached the agent.
    expect(twice).toBeGreaterThan(0);
    expect(timeouts).toBeGreaterThan(0);
    expect(callsDuring).toBeLessThanOrEqual(LOAD.threads + probes);
    expect(calls.total).toBeLessThanOrEqual(totalMessages(LOAD) + LOAD.threads);
    expect(alive(bridge)).toBe(true);
    expect(out).not.toContain('unhandled rejection');
    expect(out).not.toContain('"turn failed"');
    expect(out).not.toContain('timed out again');
  });
});
