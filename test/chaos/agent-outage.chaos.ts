/**
 * Chaos 7: the agent is down (every request answered 503) for 15 s in the middle of the load, then
 * answers again. The outage must be one incident: questions wait instead of being sent and retried
 * one by one, the agent gets only the calls that were in flight when it went down plus one probe at a
 * time, each waiting chat is told once that its message is kept, the admins once at the start and
 * once at the end, and afterwards every question is answered, in order, none lost. One receiver and
 * two workers share the incident through Redis, so "one probe at a time", "told once" and "one alert"
 * hold across processes.
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
const LOAD: Load = { threads: 30, perThread: 10, firstChat: 7_000 };
const ADMIN = 999;
const OUTAGE_MS = 15_000;
const NOTICE_AFTER_SECONDS = 3;
const RETRY_MAX_MS = 2_000;

describe('chaos: the agent is down for 15 s under load', () => {
  it('keeps every question, tells each waiting chat once, probes instead of retrying, and answers all in order after', async () => {
    const seed = chaosSeed();
    const latency = seededRandom(seed);
    const moments = seededRandom(seed + 1);
    const reply = agentReply(1);
    cx.aksita.reply = reply;
    randomLatency(cx.aksita, () => between(latency, 50, 300));
    const env = cx.env({
      ADMIN_USERS: `telegram:${ADMIN}`,
      AKSITA_RETRY_BASE_MS: '200',
      AKSITA_RETRY_MAX_MS: String(RETRY_MAX_MS),
      OUTAGE_NOTICE_AFTER_SECONDS: String(NOTICE_AFTER_SECONDS),
    });
    const prefix = env.REDIS_PREFIX as string;
    const kept = renderTelegram(loadNotices('en').agentDown);
    const pushedAt = trackPushes(cx.telegram);
    const startedAt = Date.now();
    const processes = await Promise.all([
      cx.spawn({ ...env, BRIDGE_ROLE: 'receiver' }),
      cx.spawn({ ...env, BRIDGE_ROLE: 'worker' }),
      cx.spawn({ ...env, BRIDGE_ROLE: 'worker' }),
    ]);
    const loadAt = Date.now();
    const loading = pushLoad(cx.telegram, LOAD, 12_000, seededRandom(seed + 2));

    await new Promise((r) => setTimeout(r, between(moments, 2_000, 4_000)));
    cx.aksita.down = { status: 503 };
    const downAt = Date.now();
    const answeredBefore = cx.telegram.sent.length;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const upAt = Date.now();
    const probes = cx.aksita.sessionFailures;
    const callsDuring = cx.aksita.chats.filter((c) => c.at >= downAt && c.at < upAt);
    const refused = callsDuring.filter((c) => c.outcome === 503).length;
    const noticesDuring = cx.telegram.sent.filter((s) => s.text === kept[0]).length;
    cx.aksita.down = null;

    await loading;
    await waitForReplies(cx.telegram, LOAD, 1, 90_000);
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');
    await cx.telegram.waitFor(() => cx.telegram.sentTo(ADMIN).length >= 2, 10_000, 'the recovery alert');
    const seconds = (Date.now() - startedAt) / 1000;

    const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none', besides: kept });
    const calls = agentCalls(cx.aksita);
    const answers = cx.telegram.sent.filter((s) => s.text.startsWith('re: '));
    const firstAfter = answers.find((s) => s.at >= upAt);
    const firstNotice = cx.telegram.sent.find((s) => s.text === kept[0]);
    const admin = cx.telegram.sentTo(ADMIN);
    const out = processes.map((p) => p.output()).join('\n');
    // Which worker answered after the recovery: both should have taken part.
    const workersAnswering = processes
      .slice(1)
      .filter((p) => p.output().split('"agent answered"').length > 1).length;
    report('7. agent down 15 s', {
      seed,
      messages: totalMessages(LOAD),
      threads: LOAD.threads,
      downAtMs: downAt - loadAt,
      outageMs: upAt - downAt,
      answeredBeforeOutage: answeredBefore,
      chatCallsDuringOutage: callsDuring.length,
      refused503: refused,
      probes,
      agentCalls: calls.total,
      maxCallsPerMessage: calls.maxPerMessage,
      keptNotices: seen.besides,
      chatsTold: seen.chatsWithBesides,
      maxNoticesPerChat: seen.maxBesidesPerChat,
      noticesDuringOutage: noticesDuring,
      firstNoticeAfterMs: firstNotice ? firstNotice.at - downAt : null,
      adminAlerts: admin.length,
      workersAnswering,
      answersLost: totalMessages(LOAD) - answers.length,
      firstAnswerAfterRecoveryMs: firstAfter ? firstAfter.at - upAt : null,
      allAnsweredAfterRecoveryMs: Math.max(...answers.map((s) => s.at)) - upAt,
      longestWaitMs: longestWait(cx.telegram, pushedAt).ms,
      seconds,
    });

    // Nothing lost, nothing doubled, every chat's answers in order; the notice at most once per chat.
    expect(seen.problems).toEqual([]);
    expect(answers).toHaveLength(totalMessages(LOAD));
    expect(seen.maxBesidesPerChat).toBeLessThanOrEqual(1);
    // Chats were waiting when the outage had lasted 3 s, and they were told (all during the outage).
    expect(seen.chatsWithBesides).toBeGreaterThan(LOAD.threads / 2);
    expect(noticesDuring).toBe(seen.besides);
    // While it was down: at most one refused call per chat (the one in flight), then probes (free sessions).
    expect(refused).toBeLessThanOrEqual(LOAD.threads);
    expect(callsDuring.length).toBeLessThanOrEqual(LOAD.threads + probes);
    expect(probes).toBeGreaterThan(0);
    // Probes back off to at most AKSITA_RETRY_MAX_MS, never one per waiting question.
    expect(probes).toBeLessThanOrEqual(Math.ceil(OUTAGE_MS / 200) + 1);
    expect(calls.maxPerMessage).toBeLessThanOrEqual(2);
    // One alert when it started (once it had lasted a while), one when it ended.
    expect(admin).toHaveLength(2);
    expect(admin[0]).toContain('failing since');
    expect(admin[1]).toContain('answers again');
    // Answering resumes within a probe period of the recovery.
    expect(firstAfter && firstAfter.at - upAt).toBeLessThan(RETRY_MAX_MS + 3_000);
    for (const p of processes) expect(alive(p)).toBe(true);
    expect(out).not.toContain('unhandled rejection');
    expect(out).not.toContain('"turn failed"');
    expect(out).not.toContain('giving up on message');
  });
});
