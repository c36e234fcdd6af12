/**
 * Delivery guarantees that do not need a crash: webhooks are authenticated and confirmed only once
 * stored, a turn whose job was lost is revived, several workers keep order per thread, and every key
 * the bridge writes is bounded. Redeliveries dropped before the queue: `platforms.test.ts`, for every
 * platform.
 */
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import type { IncomingMessage } from '../../src/core/contract.ts';
import { Inbox } from '../../src/queue/inbox.ts';
import { eventually, monitor, startTestBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';
import { freePort } from '../support/net.ts';

const fx = useBridgeFixture();

describe('webhook mode', () => {
  it('receives updates on the webhook path and refuses requests without the secret', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/hook`;
    await fx.start({
      HTTP_PORT: String(port),
      TELEGRAM_WEBHOOK_URL: url,
      TELEGRAM_WEBHOOK_SECRET: 'hook-secret-123',
    });
    fx.telegram.userMessage({ chatId: 2, text: 'via webhook' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(2).length === 1, 10_000, 'reply');
    expect(fx.telegram.sentTo(2)).toEqual(['echo: via webhook']);

    const forged = {
      update_id: 999,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: 3, type: 'private' },
        from: { id: 3, is_bot: false, first_name: 'Mallory' },
        text: 'forged',
      },
    };
    const refused: Array<Record<string, string>> = [{}, { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' }];
    for (const headers of refused) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(forged),
      });
      expect(res.status).toBe(401);
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': 'hook-secret-123' },
      body: JSON.stringify({ ...forged, message: { ...forged.message, text: 'signed' } }),
    });
    expect(res.status).toBe(200);
    await fx.telegram.waitFor(() => fx.telegram.sentTo(3).length === 1, 10_000, 'reply to the signed update');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['via webhook', 'signed']);
  });
});

describe('health', () => {
  it('reports Redis and Telegram on GET /healthz', async () => {
    const { bridge } = await fx.start();
    const res = await monitor(bridge.port, '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      checks: { redis: { ok: true, detail: 'ok' }, telegram: { ok: true, detail: 'polling' } },
    });
  });

  it('answers 503 naming the failing part when Telegram cannot be reached', async () => {
    const { bridge } = await fx.start();
    await fx.telegram.close();
    let body: { status?: string; checks?: Record<string, { ok: boolean; detail: string }> } = {};
    await eventually(
      async () => {
        const res = await monitor(bridge.port, '/healthz');
        body = (await res.json()) as typeof body;
        return res.status === 503;
      },
      10_000,
      'health to turn 503',
    );
    expect(body.status).toBe('unhealthy');
    expect(body.checks?.redis?.ok).toBe(true);
    expect(body.checks?.telegram).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^polling failing: network error/),
    });
  });
});

describe('lost turns', () => {
  it('revives a thread whose turn was started but never enqueued (crash between the two)', async () => {
    const { bridge, redis, config } = await fx.start();
    const inbox = new Inbox(redis, { prefix: config.redisPrefix, dedupeTtlSeconds: 60 });
    const message: IncomingMessage = {
      id: 'telegram:77:1',
      platform: 'telegram',
      thread: 'telegram:77',
      address: { channel: '77' },
      messageId: '1',
      chatType: 'direct',
      addressed: true,
      text: 'stored, then the process died',
      user: { id: '77', displayName: 'Ana' },
      sentAt: Date.now(),
    };
    // Store the message exactly as the router does, but "crash" before enqueueing the turn's job.
    const accepted = await inbox.accept({ id: message.id, kind: 'ask', message, acceptedAt: Date.now() });
    expect(accepted.outcome).toBe('queued');
    expect(await bridge.worker?.sweep(0)).toBe(1);
    await fx.telegram.waitFor(() => fx.telegram.sentTo(77).length === 1, 10_000, 'reply');
    expect(fx.telegram.sentTo(77)).toEqual(['echo: stored, then the process died']);
  });
});

describe('scaling out', () => {
  it('keeps order per thread with one receiver and two workers sharing one Redis', async () => {
    fx.aksita.reply = async (message) => {
      await new Promise((r) => setTimeout(r, Math.random() * 30));
      return [`re: ${message}`];
    };
    const receiver = await fx.start({ BRIDGE_ROLE: 'receiver' });
    const prefix = receiver.config.redisPrefix;
    const workers = [
      await fx.start({ BRIDGE_ROLE: 'worker', REDIS_PREFIX: prefix }),
      await fx.start({ BRIDGE_ROLE: 'worker', REDIS_PREFIX: prefix }),
    ];
    const chats = [1, 2, 3, 4, 5, 6, 7, 8];
    for (let i = 1; i <= 10; i++)
      for (const chat of chats) fx.telegram.userMessage({ chatId: 500 + chat, text: `${chat}.${i}` });
    await fx.telegram.waitFor(() => fx.telegram.sent.length === 80, 20_000, '80 replies');
    for (const chat of chats) {
      expect(fx.telegram.sentTo(500 + chat)).toEqual(
        Array.from({ length: 10 }, (_, i) => `re: ${chat}.${i + 1}`),
      );
    }
    const answeredBy = workers.map((w) => w.logs.find('agent answered').length);
    expect(answeredBy.every((n) => n > 0)).toBe(true);
    expect((answeredBy[0] ?? 0) + (answeredBy[1] ?? 0)).toBe(80);
    expect(receiver.logs.find('agent answered')).toHaveLength(0);
  });
});

describe('bounded memory', () => {
  it('leaves only the conversation map without a TTL once threads are idle', async () => {
    const { redis, config } = await fx.start();
    for (const chatId of [61, 62, 63]) fx.telegram.userMessage({ chatId, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sent.length === 3, 10_000, 'three replies');
    await eventually(
      async () => (await redis.keys(`${config.redisPrefix}:active:*`)).length === 0,
      10_000,
      'turns to end',
    );
    const own = (await redis.keys(`${config.redisPrefix}:*`)).filter(
      (k) => !k.startsWith(`${config.redisPrefix}:bull:`),
    );
    const withoutTtl: string[] = [];
    for (const key of own) if ((await redis.ttl(key)) === -1) withoutTtl.push(key);
    // Besides the conversation map, only fixed-size records may live without a TTL: the latest
    // credit balance (one hash of two fields) and the low-balance thresholds alerted (at most one
    // member per threshold).
    const fixedSize = ['credits:balance', 'credits:alerted'].map((k) => `${config.redisPrefix}:${k}`);
    expect(withoutTtl.filter((k) => !fixedSize.includes(k)).sort()).toEqual(
      [61, 62, 63].map((c) => `${config.redisPrefix}:conv:telegram:${c}`),
    );
    expect(own.some((k) => k.includes(':seen:'))).toBe(true);
  });
});

describe('a failed start', () => {
  it('leaves no Redis connection behind when an adapter refuses to start', async () => {
    const env = fx.env({ TELEGRAM_BOT_TOKEN: '999999:WRONG-token-value' });
    await expect(startTestBridge(env)).rejects.toThrow(/Telegram refused TELEGRAM_BOT_TOKEN/);
    const redis = new Redis(inject('redisUrl'));
    try {
      await eventually(
        async () => !((await redis.client('LIST')) as string).includes(`aksita-bridge:${env.REDIS_PREFIX}:`),
        10_000,
        'the bridge connections to close',
      );
    } finally {
      redis.disconnect();
    }
  });
});
