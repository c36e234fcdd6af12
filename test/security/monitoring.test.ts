/**
 * What monitoring reads is not the internet's: `/metrics` (the credit balance and spend that
 * `/admin/credits` protects) answers only the metrics or admin token on the public port, or a private
 * listener of its own; public `/healthz` says healthy or not, and its details (error texts with
 * addresses and ports) need a token.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';
const ADMIN_TOKEN = 'admin-http-token-0123456789';
const fx = useBridgeFixture();

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Starts a bridge, has it answer one message (so that spend and balance are in its metrics). */
async function startAnswered(overrides: Record<string, string>) {
  fx.secrets.push(METRICS_TOKEN, ADMIN_TOKEN);
  const { bridge } = await fx.start(overrides);
  fx.telegram.userMessage({ chatId: 10, text: 'hello' });
  await fx.telegram.waitFor(() => fx.telegram.sentTo(10).length === 1, 10_000, 'the answer');
  return bridge;
}

describe('/metrics on the public port', () => {
  it('refuses a scrape without a token even when no token is configured at all', async () => {
    const bridge = await startAnswered({ METRICS_TOKEN: '' });
    const res = await fetch(`http://127.0.0.1:${bridge.port}/metrics`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const text = await res.text();
    expect(text).not.toContain('aksita_bridge_');
    expect(text).toContain('METRICS_TOKEN');
  });

  it('answers Prometheus with the metrics token or the admin token, and no other', async () => {
    const bridge = await startAnswered({ METRICS_TOKEN, ADMIN_HTTP_TOKEN: ADMIN_TOKEN });
    const url = `http://127.0.0.1:${bridge.port}/metrics`;
    for (const wrong of [
      {},
      bearer('prometheus-scrape-token-012345678'),
      bearer(`${METRICS_TOKEN}x`),
      { headers: { authorization: METRICS_TOKEN } },
      { headers: { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}` } },
    ]) {
      const res = await fetch(url, wrong);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('aksita_bridge_credits');
    }
    for (const token of [METRICS_TOKEN, ADMIN_TOKEN]) {
      const res = await fetch(url, bearer(token));
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/aksita_bridge_credits_remaining \d+/);
      expect(text).toMatch(/aksita_bridge_credits_used_total\{platform="telegram"\} 15/);
    }
  });

  it('moves to a private listener with METRICS_PORT: open there, absent on the public port', async () => {
    const bridge = await startAnswered({ METRICS_TOKEN: '', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    expect(bridge.metricsPort).toBeGreaterThan(0);
    expect(bridge.metricsPort).not.toBe(bridge.port);
    const publicRes = await fetch(`http://127.0.0.1:${bridge.port}/metrics`, bearer(ADMIN_TOKEN));
    expect(publicRes.status).toBe(404);
    const privateRes = await fetch(`http://127.0.0.1:${bridge.metricsPort}/metrics`);
    expect(privateRes.status).toBe(200);
    expect(await privateRes.text()).toMatch(/aksita_bridge_credits_remaining \d+/);
    const health = await fetch(`http://127.0.0.1:${bridge.metricsPort}/healthz`);
    expect(await health.json()).toEqual({
      status: 'ok',
      checks: { redis: { ok: true, detail: 'ok' }, telegram: { ok: true, detail: 'polling' } },
    });
  });

  it('keeps the token on the private listener too when METRICS_TOKEN is set', async () => {
    const bridge = await startAnswered({ METRICS_TOKEN, METRICS_PORT: '0' });
    const url = `http://127.0.0.1:${bridge.metricsPort}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, bearer(METRICS_TOKEN))).status).toBe(200);
  });
});

describe('/healthz', () => {
  it('tells the internet only healthy or not; the details need a token', async () => {
    const { bridge } = await fx.start({ METRICS_TOKEN, ADMIN_HTTP_TOKEN: ADMIN_TOKEN });
    fx.secrets.push(METRICS_TOKEN, ADMIN_TOKEN);
    const url = `http://127.0.0.1:${bridge.port}/healthz`;
    const healthy = await fetch(url);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok' });

    await fx.telegram.close();
    let text = '';
    await eventually(
      async () => {
        const res = await fetch(url);
        text = await res.text();
        return res.status === 503;
      },
      10_000,
      '/healthz to turn 503',
    );
    expect(JSON.parse(text)).toEqual({ status: 'unhealthy' });
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);

    for (const token of [METRICS_TOKEN, ADMIN_TOKEN]) {
      const res = await fetch(url, bearer(token));
      expect(res.status).toBe(503);
      const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
      expect(body.checks.redis?.ok).toBe(true);
      expect(body.checks.telegram).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^polling failing/),
      });
    }
  });
});

describe('configuration', () => {
  it('names METRICS_TOKEN when it is too short, without echoing it', async () => {
    await expect(fx.start({ METRICS_TOKEN: 'short-secret' })).rejects.toThrow(/METRICS_TOKEN/);
    await expect(fx.start({ METRICS_TOKEN: 'short-secret' })).rejects.not.toThrow(/short-secret/);
  });
});
