/**
 * What a client without credentials can make the bridge spend on request bodies (issue 13): a real
 * bridge process (`src/main.ts`) with Slack over HTTP and a Telegram webhook, against the fakes and
 * the real Redis, flooded with 200 MB chunked bodies, dribbled bodies and headers, and more bodies at
 * once than it reads. Memory is the child's VmRSS. The figures are in docs/reliability.md.
 */
import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BODY_READ_DEADLINE_MS, MAX_BODY_READS } from '../../src/http/body-limit.ts';
import { type FakeAksita, startFakeAksita } from '../fakes/aksita.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram.ts';
import {
  bridgeStarted,
  type ChildBridge,
  deletePrefix,
  eventually,
  spawnBridge,
  testEnv,
} from '../support/bridge.ts';
import { freePort } from '../support/net.ts';
import { dribble, dribbleHeaders, flood, type Outcome, rssMiB, watchRss } from './body-wire.ts';

/** Each flooding body, bytes. */
const FLOOD_BYTES = 200 * 1024 * 1024;
/** The highest RSS the flooded bridge may reach: a 512 MB container keeps room to spare. */
const PEAK_RSS_BOUND_MIB = 300;
const HOOK_SECRET = 'hook-secret-flood-1';
const USER = 'U0FLOOD01';

let aksita: FakeAksita;
let slack: FakeSlack;
let telegram: FakeTelegram;
let bridge: ChildBridge;
let env: Record<string, string>;
let port: number;
let events: string;
let hook: string;

/** Headers that pass the Slack screen (a signature, a fresh timestamp) and a signature that is wrong. */
function forgedSlack(): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)),
    'X-Slack-Signature': `v0=${'0'.repeat(64)}`,
  };
}

const telegramSecret = { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': HOOK_SECRET };

beforeAll(async () => {
  aksita = await startFakeAksita();
  slack = await startFakeSlack();
  telegram = await startFakeTelegram();
  port = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  hook = `http://127.0.0.1:${port}/telegram/hook`;
  env = testEnv(
    { aksita, telegram },
    {
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      TELEGRAM_WEBHOOK_URL: hook,
      TELEGRAM_WEBHOOK_SECRET: HOOK_SECRET,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `${slack.url}/api`,
      LOG_LEVEL: 'info',
    },
  );
  bridge = spawnBridge(env);
  await bridgeStarted(bridge);
});

afterAll(async () => {
  if (bridge.child.exitCode === null) {
    bridge.child.kill('SIGTERM');
    await bridge.exited;
  }
  const redis = new Redis(inject('redisUrl'));
  await deletePrefix(redis, env.REDIS_PREFIX as string);
  redis.disconnect();
  await Promise.all([slack.close(), telegram.close(), aksita.close()]);
});

/** Prints a figure for docs/reliability.md. */
const report = (line: string) => process.stdout.write(`${line}\n`);

/** A signed DM event, sent the way Slack does; its HTTP status. */
const signedEvent = (text: string) => slack.sendEvent(events, slack.dm({ user: USER, text }));

describe('a flood of oversized bodies', () => {
  it('keeps the memory of the bridge flat, and signed messages get through afterwards', async () => {
    const pid = bridge.child.pid as number;
    const before = rssMiB(pid);
    const watch = watchRss(pid);
    const started = Date.now();
    const [unsigned1, unsigned2, forged1, forged2, noSecret, withSecret] = await Promise.all([
      flood(events, { 'Content-Type': 'application/json' }, FLOOD_BYTES),
      flood(events, { 'Content-Type': 'application/x-www-form-urlencoded' }, FLOOD_BYTES),
      flood(events, forgedSlack(), FLOOD_BYTES),
      flood(events, forgedSlack(), FLOOD_BYTES),
      flood(hook, { 'Content-Type': 'application/json' }, FLOOD_BYTES),
      flood(hook, telegramSecret, FLOOD_BYTES),
    ]);
    const peak = watch.stop();
    const outcomes = { unsigned1, unsigned2, forged1, forged2, noSecret, withSecret };
    report(
      `[body-flood] 6 x ${FLOOD_BYTES / 2 ** 20} MiB chunked: RSS before ${before.toFixed(0)} MiB, ` +
        `peak ${peak.toFixed(0)} MiB, ${Date.now() - started} ms; ` +
        Object.entries(outcomes)
          .map(([name, o]) => `${name} ${o.status} after ${(o.sent / 2 ** 20).toFixed(1)} MiB in ${o.ms} ms`)
          .join(', '),
    );
    expect(peak).toBeLessThan(PEAK_RSS_BOUND_MIB);
    // Without a signature or the secret nothing is read; with them, reading stops at the limit. The
    // answer may not reach a client that keeps writing (the server closes the connection, and the
    // client's next write fails before it reads the answer): no answer (null) then.
    for (const o of [unsigned1, unsigned2, noSecret]) expect([401, null]).toContain(o.status);
    for (const o of [forged1, forged2, withSecret]) expect([413, null]).toContain(o.status);
    for (const outcome of Object.values(outcomes)) expect(outcome.sent).toBeLessThan(FLOOD_BYTES / 10);
    expect(bridge.child.exitCode).toBeNull();

    expect(await signedEvent('after the flood')).toBe(200);
    await slack.waitFor(() => slack.dmsTo(USER).includes('echo: after the flood'), 10_000, 'the reply');
    telegram.userMessage({ chatId: 7, text: 'after the flood' });
    await telegram.waitFor(() => telegram.sentTo(7).length === 1, 10_000, 'the Telegram reply');
    expect(telegram.sentTo(7)).toEqual(['echo: after the flood']);
  }, 120_000);
});

describe('slow requests', () => {
  it('cuts a body dribbled one byte every 10 s, and headers dribbled, within seconds', async () => {
    const giveUp = 40_000;
    const [slackBody, telegramBody, headers] = await Promise.all([
      dribble(events, forgedSlack(), 10_000, giveUp),
      dribble(hook, telegramSecret, 10_000, giveUp),
      dribbleHeaders(port, '/slack/events', 1_000, giveUp),
    ]);
    report(
      `[body-flood] dribbled: Slack body ${slackBody.status} after ${slackBody.ms} ms, Telegram body ` +
        `${telegramBody.status} after ${telegramBody.ms} ms, headers closed after ${headers.ms} ms`,
    );
    for (const body of [slackBody, telegramBody]) {
      expect(body.status).toBe(408);
      expect(body.ms).toBeGreaterThanOrEqual(BODY_READ_DEADLINE_MS - 500);
      expect(body.ms).toBeLessThan(15_000);
    }
    expect(headers.ms).not.toBeNull();
    expect(headers.ms).toBeLessThan(15_000);
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408/);
  }, 60_000);
});

describe('many bodies at once', () => {
  it(`reads ${MAX_BODY_READS} at once, refuses the rest with 503 and Retry-After, and recovers`, async () => {
    const extra = 8;
    const stop = new AbortController();
    setMaxListeners(MAX_BODY_READS + extra, stop.signal);
    const outcomes: Outcome[] = [];
    const slow = Array.from({ length: MAX_BODY_READS + extra }, () =>
      dribble(events, forgedSlack(), 1_000, 30_000, stop.signal).then((outcome) => {
        outcomes.push(outcome);
        return outcome;
      }),
    );
    try {
      await eventually(async () => outcomes.length >= extra, 5_000, `${extra} refusals`);
      // The rest are still being read.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(outcomes).toHaveLength(extra);
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 503, retryAfter: '2' });
      // A signed event meanwhile is refused the same way (Slack sends it again).
      expect(await signedEvent('while busy')).toBe(503);
    } finally {
      stop.abort();
      await Promise.all(slow);
    }
    await eventually(async () => (await signedEvent('once free')) === 200, 5_000, 'a signed event taken');
    await slack.waitFor(() => slack.dmsTo(USER).includes('echo: once free'), 10_000, 'the reply');
    expect(slack.dmsTo(USER)).not.toContain('echo: while busy');
  }, 60_000);
});
