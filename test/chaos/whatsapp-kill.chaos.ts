/**
 * Chaos: WhatsApp, the bridge (one process, every role) killed with SIGKILL twice mid-stream while
 * 30 users write 8 messages each through Meta's signed webhook. Meta keeps retrying every delivery
 * that got no 200 (refused connections while the bridge is down, answers lost in the kill) with
 * growing delays, as it does for days; each user's messages are delivered one after another. Every
 * message must end answered once, in order per user: the agent is asked again only for calls a crash
 * interrupted, and a chunk appears twice only where a crash fell between Meta accepting it and Redis
 * recording it.
 */
import { describe, expect, it } from 'vitest';
import { type FakeWhatsApp, waMessages as m, startFakeWhatsApp } from '../fakes/whatsapp.ts';
import { eventually } from '../support/bridge.ts';
import { freePort } from '../support/net.ts';
import {
  agentCalls,
  agentReply,
  between,
  chaosSeed,
  crashSnapshot,
  drained,
  randomLatency,
  report,
  seededRandom,
  useChaos,
} from './harness.ts';

const cx = useChaos();
const USERS = 30;
const PER_USER = 8;
const KILLS = 2;

const userId = (i: number): string => `62811000${String(i).padStart(4, '0')}`;
const text = (user: string, seq: number): string => `user ${user} question ${seq}`;

/** Delivers each user's messages in order, each retried by Meta until the bridge answers 200. */
async function pushUsers(wa: FakeWhatsApp, url: string, random: () => number): Promise<void> {
  await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const user = userId(i);
      for (let seq = 1; seq <= PER_USER; seq++) {
        await new Promise((r) => setTimeout(r, between(random, 50, 900)));
        const status = await wa.sendMessages(url, [m.text(text(user, seq), { from: user })], {
          attempts: 12,
        });
        if (status !== 200) throw new Error(`Meta gave up on ${text(user, seq)}: ${status}`);
      }
    }),
  );
}

describe('chaos: WhatsApp bridge killed with SIGKILL while Meta retries its webhooks', () => {
  it('answers every message once, in order per user, after two kills', async () => {
    const seed = chaosSeed();
    const latency = seededRandom(seed);
    const moments = seededRandom(seed + 1);
    const wa = await startFakeWhatsApp();
    cx.onCleanup.push(() => wa.close());
    // Meta's retries, scaled down from minutes: 100 ms, then doubling.
    wa.retryBaseMs = 100;
    const reply = agentReply(2);
    cx.aksita.reply = reply;
    randomLatency(cx.aksita, () => between(latency, 50, 500));
    const port = await freePort();
    const env = cx.env({
      HTTP_PORT: String(port),
      JOB_LOCK_MS: '2000',
      WHATSAPP_ACCESS_TOKEN: wa.token,
      WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
      WHATSAPP_APP_SECRET: wa.appSecret,
      WHATSAPP_VERIFY_TOKEN: wa.verifyToken,
      WHATSAPP_API_ROOT: wa.url,
      WHATSAPP_API_VERSION: wa.version,
    });
    const prefix = env.REDIS_PREFIX as string;
    const url = `http://127.0.0.1:${port}/whatsapp/webhook`;
    const startedAt = Date.now();
    let bridge = await cx.spawn(env);
    const bridges = [bridge];
    const pushing = pushUsers(wa, url, seededRandom(seed + 2));
    // Awaited below; a rejection meanwhile is not unhandled.
    pushing.catch(() => {});

    const crashes: Array<{ atMs: number; reAsk: number; rePost: number; downMs: number }> = [];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, between(moments, 1_000, 3_000)));
      const killedAt = Date.now();
      await cx.kill(bridge);
      const snapshot = await crashSnapshot(cx.redis, prefix);
      bridge = await cx.spawn(env);
      bridges.push(bridge);
      crashes.push({ atMs: killedAt - startedAt, ...snapshot, downMs: Date.now() - killedAt });
    }
    await pushing;
    const expected = (user: string) =>
      Array.from({ length: PER_USER }, (_, s) => reply(text(user, s + 1))).flat();
    const users = Array.from({ length: USERS }, (_, i) => userId(i));
    await wa.waitFor(
      () => users.every((u) => new Set(wa.sentTo(u)).size >= PER_USER * 2),
      120_000,
      'every user answered',
    );
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');

    const problems: string[] = [];
    let duplicates = 0;
    for (const user of users) {
      const posted = wa.sentTo(user);
      const once = posted.filter((t, i) => i === 0 || t !== posted[i - 1]);
      duplicates += posted.length - once.length;
      if (JSON.stringify(once) !== JSON.stringify(expected(user))) {
        problems.push(`${user}: ${JSON.stringify(posted)}`);
      }
    }
    const calls = agentCalls(cx.aksita);
    const reAsked = crashes.reduce((n, c) => n + c.reAsk, 0);
    const rePostable = crashes.reduce((n, c) => n + c.rePost, 0);
    const retried = wa.deliveries.filter((d) => d.attempt > 1).length;
    report('WhatsApp bridge SIGKILL x2 under webhook retries', {
      seed,
      messages: USERS * PER_USER,
      users: USERS,
      crashes,
      webhookDeliveries: wa.deliveries.length,
      retriedDeliveries: retried,
      agentCalls: calls.total,
      maxCallsPerMessage: calls.maxPerMessage,
      duplicateChunks: duplicates,
      seconds: (Date.now() - startedAt) / 1000,
    });

    expect(problems).toEqual([]);
    // The kills hit deliveries in flight, or this case would prove nothing: Meta had to retry.
    expect(retried).toBeGreaterThan(0);
    // One agent call per message, plus one per call a crash interrupted.
    expect(calls.maxPerMessage).toBeLessThanOrEqual(1 + KILLS);
    expect(calls.total).toBeLessThanOrEqual(USERS * PER_USER + reAsked);
    expect(duplicates).toBeLessThanOrEqual(rePostable);
    for (const b of bridges) expect(b.output()).not.toContain('unhandled rejection');
  });
});
