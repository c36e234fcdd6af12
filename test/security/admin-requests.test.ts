/**
 * What every `/admin` response says to the browser (no caching, no referrer, no framing), and that
 * a request changing state with only the session cookie must come from the dashboard's own origin:
 * a page elsewhere cannot pause the queue or add jobs through the operator's browser.
 */
import { describe, expect, it } from 'vitest';
import { useBridgeFixture } from '../support/fixture.ts';

const TOKEN = 'requests-token-0123456789';
const fx = useBridgeFixture();
const bearer = { Authorization: `Bearer ${TOKEN}` };

async function start(): Promise<{ base: string; cookie: string }> {
  fx.secrets.push(TOKEN);
  const { bridge } = await fx.start({ ADMIN_HTTP_TOKEN: TOKEN });
  const base = `http://127.0.0.1:${bridge.port}`;
  const login = await fetch(`${base}/admin/queues?token=${TOKEN}`, { redirect: 'manual' });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^aksita_admin=./);
  return { base, cookie };
}

/** The turns queue as the dashboard's API reports it (read with the bearer token). */
async function turnsQueue(base: string): Promise<{ isPaused: boolean; counts: Record<string, number> }> {
  const res = await fetch(`${base}/admin/queues/api/queues`, { headers: bearer });
  const body = (await res.json()) as {
    queues: Array<{ name: string; isPaused: boolean; counts: Record<string, number> }>;
  };
  const queue = body.queues.find((q) => q.name === 'turns');
  if (!queue) throw new Error(`no turns queue in ${JSON.stringify(body)}`);
  return queue;
}

describe('every /admin response', () => {
  it('forbids caching, referrers and framing, refusals and the dashboard assets included', async () => {
    const { base, cookie } = await start();
    const page = await fetch(`${base}/admin/queues`, { headers: { cookie } });
    const html = await page.text();
    // The page names its assets relative to `<base href="/admin/queues/">`.
    const asset = /src="(static\/js\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const responses = {
      'the dashboard page': page,
      'a dashboard asset': await fetch(`${base}/admin/queues/${asset}`, { headers: { cookie } }),
      'the dashboard API': await fetch(`${base}/admin/queues/api/queues`, { headers: { cookie } }),
      'a JSON report': await fetch(`${base}/admin/status`, { headers: bearer }),
      'a refusal': await fetch(`${base}/admin/credits`),
      'a wrong token': await fetch(`${base}/admin/credits?token=wrong-token-0123456789`),
      'the login redirect': await fetch(`${base}/admin/credits?token=${TOKEN}`, { redirect: 'manual' }),
      'an unknown path': await fetch(`${base}/admin/nothing-here`, { headers: bearer }),
    };
    const seen = Object.entries(responses).map(([what, res]) => ({
      what,
      status: res.status,
      cacheControl: res.headers.get('cache-control'),
      referrerPolicy: res.headers.get('referrer-policy'),
      frameOptions: res.headers.get('x-frame-options'),
      csp: res.headers.get('content-security-policy'),
    }));
    expect(seen.map((s) => [s.what, s.status])).toEqual([
      ['the dashboard page', 200],
      ['a dashboard asset', 200],
      ['the dashboard API', 200],
      ['a JSON report', 200],
      ['a refusal', 401],
      ['a wrong token', 401],
      ['the login redirect', 303],
      ['an unknown path', 404],
    ]);
    for (const s of seen) {
      expect(s, s.what).toMatchObject({
        cacheControl: 'no-store',
        referrerPolicy: 'no-referrer',
        frameOptions: 'DENY',
        csp: expect.stringContaining("frame-ancestors 'none'"),
      });
    }
  });
});

describe('a request that changes state, with only the session cookie', () => {
  it('is refused (403) from a foreign origin or none, and accepted from the dashboard’s own', async () => {
    const { base, cookie } = await start();
    const pause = `${base}/admin/queues/api/queues/turns/pause`;
    const refused = [
      await fetch(pause, { method: 'PUT', headers: { cookie, Origin: 'http://evil.example' } }),
      await fetch(pause, {
        method: 'PUT',
        headers: { cookie, Origin: `http://localhost:${new URL(base).port}`, 'Sec-Fetch-Site': 'same-site' },
      }),
      await fetch(pause, { method: 'PUT', headers: { cookie, 'Sec-Fetch-Site': 'cross-site' } }),
      await fetch(pause, { method: 'PUT', headers: { cookie, Origin: 'null' } }),
      // A simple request: a form or `fetch(…, {mode: 'no-cors'})` sends it without a preflight.
      await fetch(`${base}/admin/queues/api/queues/turns/add`, {
        method: 'POST',
        headers: { cookie, Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
        body: JSON.stringify({ name: 'forged', data: { thread: 'telegram:1' } }),
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    const queue = await turnsQueue(base);
    expect(queue.isPaused).toBe(false);
    expect(Object.values(queue.counts).reduce((a, b) => a + b, 0)).toBe(0);

    const sameOrigin = await fetch(pause, { method: 'PUT', headers: { cookie, Origin: base } });
    expect(sameOrigin.status).toBeLessThan(300);
    expect((await turnsQueue(base)).isPaused).toBe(true);
    // Behind a TLS proxy: the browser's origin is https://<public host>.
    const viaProxy = await fetch(`${base}/admin/queues/api/queues/turns/resume`, {
      method: 'PUT',
      headers: {
        cookie,
        Origin: 'https://bridge.example.com',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'bridge.example.com',
      },
    });
    expect(viaProxy.status).toBeLessThan(300);
    expect((await turnsQueue(base)).isPaused).toBe(false);
    // The bearer header is never sent by a browser on its own: it needs no origin check.
    const withBearer = await fetch(pause, {
      method: 'PUT',
      headers: { ...bearer, Origin: 'http://evil.example' },
    });
    expect(withBearer.status).toBeLessThan(300);
    expect((await turnsQueue(base)).isPaused).toBe(true);
    // Even an admin's body is read only up to the webhooks' limit.
    const huge = await fetch(`${base}/admin/queues/api/queues/turns/add`, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'turn', data: { thread: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(huge.status).toBe(413);
  });
});
