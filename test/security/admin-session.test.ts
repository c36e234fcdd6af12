/**
 * The admin session over HTTP: `?token=` logs in once and is taken out of the URL, the cookie holds a
 * signed, expiring value (never the token) with the flags a browser needs to keep it to this site, and
 * a cookie that is expired, tampered with or signed for another token is refused.
 */
import { describe, expect, it } from 'vitest';
import { signSession } from '../../src/http/admin-auth.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const TOKEN = 'session-token-0123456789';
const fx = useBridgeFixture();

async function start(): Promise<string> {
  fx.secrets.push(TOKEN);
  const { bridge } = await fx.start({ ADMIN_HTTP_TOKEN: TOKEN });
  return `http://127.0.0.1:${bridge.port}`;
}

/** Logs in with `?token=` and returns the response (not followed) and its one Set-Cookie line. */
async function login(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { redirect: 'manual', headers });
  return { res, setCookie: res.headers.getSetCookie() };
}

/** The `name=value` part of a Set-Cookie line. */
const pair = (line: string | undefined) => (line ?? '').split(';')[0] ?? '';

describe('logging in with ?token=', () => {
  it('redirects to the same URL without it, keeping the other parameters, and sets the session; a wrong one gets 401', async () => {
    const base = await start();
    const { res, setCookie } = await login(`${base}/admin/queues?status=failed&token=${TOKEN}&page=2`);
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get('location')).toBe('/admin/queues?status=failed&page=2');
    expect(setCookie).toHaveLength(1);
    const followed = await fetch(`${base}${res.headers.get('location')}`, {
      headers: { cookie: pair(setCookie[0]) },
    });
    expect(followed.status).toBe(200);
    // A wrong token logs nobody in and sets nothing.
    const wrong = await login(`${base}/admin/status?token=wrong-token-0123456789`);
    expect(wrong.res.status).toBe(401);
    expect(wrong.setCookie).toEqual([]);
    expect(wrong.res.headers.get('location')).toBeNull();
  });
});

describe('the session cookie', () => {
  it('is not the token, and is HttpOnly, SameSite=Strict, scoped to /admin and expires', async () => {
    const base = await start();
    const { setCookie } = await login(`${base}/admin/status?token=${TOKEN}`);
    const line = setCookie[0] ?? '';
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain(encodeURIComponent(TOKEN));
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Strict/i);
    expect(line).toMatch(/;\s*Path=\/admin(;|$)/i);
    const maxAge = Number(/;\s*Max-Age=(\d+)/i.exec(line)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(24 * 3600);
    // Plain HTTP: not Secure, or the browser would drop it.
    expect(line).not.toMatch(/;\s*Secure/i);
    // The token itself in the cookie no longer opens anything.
    const raw = await fetch(`${base}/admin/status`, { headers: { cookie: `aksita_admin=${TOKEN}` } });
    expect(raw.status).toBe(401);
  });

  it('is Secure when a proxy says the request came over HTTPS', async () => {
    const base = await start();
    const { setCookie } = await login(`${base}/admin/status?token=${TOKEN}`, {
      'X-Forwarded-Proto': 'https',
    });
    expect(setCookie[0]).toMatch(/;\s*Secure/i);
  });

  it('opens the admin routes until it expires; an expired, tampered or foreign one is refused', async () => {
    const base = await start();
    const status = (cookie: string) =>
      fetch(`${base}/admin/status`, { headers: { cookie: `aksita_admin=${cookie}` } }).then((r) => r.status);
    const hour = 3600_000;
    const valid = signSession(TOKEN, Date.now() + hour);
    expect(await status(valid)).toBe(200);
    // Expired a second ago, correctly signed.
    expect(await status(signSession(TOKEN, Date.now() - 1000))).toBe(401);
    // A later expiry with the signature of the valid one, and a flipped signature.
    const [version, expires, mac] = valid.split('.');
    expect(await status(`${version}.${Number(expires) + 24 * hour}.${mac}`)).toBe(401);
    const flipped = `${mac?.slice(0, -1)}${mac?.endsWith('A') ? 'B' : 'A'}`;
    expect(await status(`${version}.${expires}.${flipped}`)).toBe(401);
    // Signed with another token's key: a changed ADMIN_HTTP_TOKEN logs everyone out.
    expect(await status(signSession('another-token-0123456789', Date.now() + hour))).toBe(401);
    // The cookie the bridge itself set works the same way.
    const { setCookie } = await login(`${base}/admin/status?token=${TOKEN}`);
    expect(await status(pair(setCookie[0]).replace(/^aksita_admin=/, ''))).toBe(200);
  });
});
