/**
 * The gate of `/admin/*`. A request passes with `Authorization: Bearer <ADMIN_HTTP_TOKEN>` (scripts,
 * Prometheus-style clients) or with the session cookie a browser gets by opening any admin URL once
 * with `?token=<token>`: that answers 303 to the same URL without the token and sets the cookie. The
 * cookie holds an expiry signed with a key derived from the token (never the token; changing the token
 * logs every browser out). A request changing state with only the cookie must come from the admin
 * pages' own origin. Every `/admin` response, refusals included, forbids caching, referrers and framing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

/** The session cookie's name. */
export const ADMIN_COOKIE = 'aksita_admin';
/** How long a browser session lasts: 12 hours. */
export const ADMIN_SESSION_MS = 12 * 60 * 60 * 1000;
/** Where the cookie is sent: the admin routes only. */
const COOKIE_PATH = '/admin';
/** Versioned so a future format is told apart; a value is `v1.<expires epoch ms>.<HMAC, base64url>`. */
const SESSION_VERSION = 'v1';
const SESSION_PATTERN = /^v1\.(\d{1,15})\.[A-Za-z0-9_-]{43}$/;

/** Sent on every `/admin` response. */
const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
};

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export interface AdminAuthOptions {
  /** `ADMIN_HTTP_TOKEN`. Secret. */
  token: string;
  /** The clock, in epoch ms. Default: `Date.now`. */
  now?: () => number;
  /** How long a session lasts. Default: {@link ADMIN_SESSION_MS}. */
  sessionMs?: number;
}

/** A session value that is valid until `expiresAt` (epoch ms) for this `token`. */
export function signSession(token: string, expiresAt: number): string {
  const payload = `${SESSION_VERSION}.${Math.floor(expiresAt)}`;
  return `${payload}.${createHmac('sha256', sessionKey(token)).update(payload).digest('base64url')}`;
}

/** Whether `value` was signed for `token` and has not expired at `now`. */
export function verifySession(token: string, value: string, now: number): boolean {
  const expires = SESSION_PATTERN.exec(value)?.[1];
  if (expires === undefined) return false;
  return equal(value, signSession(token, Number(expires))) && Number(expires) > now;
}

/** The key sessions are signed with: derived from the token, so a new token voids every session. */
function sessionKey(token: string): Buffer {
  return createHmac('sha256', token).update('aksita-bridge admin session').digest();
}

/** Whether `given` is the secret `expected`, compared in constant time. */
export function equal(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Sets {@link ADMIN_HEADERS} on every response of the routes it guards, whoever answered. */
export function adminHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(ADMIN_HEADERS)) c.res.headers.set(name, value);
  };
}

/** Lets a request through with the bearer token or a valid session, as described above. */
export function adminAuth(options: AdminAuthOptions): MiddlewareHandler {
  const { token } = options;
  const now = options.now ?? Date.now;
  const sessionMs = options.sessionMs ?? ADMIN_SESSION_MS;
  return async (c, next) => {
    const safe = SAFE_METHODS.has(c.req.method);
    const url = new URL(c.req.url);
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && safe) {
      if (!equal(fromQuery, token)) return unauthorized(c);
      url.searchParams.delete('token');
      const secure = isHttps(c) ? '; Secure' : '';
      c.header(
        'Set-Cookie',
        `${ADMIN_COOKIE}=${signSession(token, now() + sessionMs)}; Max-Age=${Math.floor(sessionMs / 1000)}; ` +
          `Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict${secure}`,
      );
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const header = c.req.header('authorization');
    if (header?.startsWith('Bearer ') && equal(header.slice(7), token)) return next();
    const cookie = new RegExp(`(?:^|;\\s*)${ADMIN_COOKIE}=([^;]+)`).exec(c.req.header('cookie') ?? '')?.[1];
    if (cookie === undefined || !verifySession(token, cookie, now())) return unauthorized(c);
    // The browser sends the cookie with requests a page of another origin makes (a form, a no-cors
    // fetch): only the admin pages' own may change anything.
    if (!safe && !sameOrigin(c, url)) {
      return c.json(
        {
          error:
            'forbidden: a change with the session cookie must come from this site, or use the bearer token',
        },
        403,
      );
    }
    return next();
  };
}

function unauthorized(c: Context): Response {
  return c.json(
    {
      error:
        'unauthorized: send Authorization: Bearer <ADMIN_HTTP_TOKEN>, or open the page once with ?token=<ADMIN_HTTP_TOKEN>',
    },
    401,
    { 'WWW-Authenticate': 'Bearer' },
  );
}

/** The first value of a header a proxy may have appended to (`X-Forwarded-Proto: https, http`). */
function forwarded(c: Context, name: string): string | undefined {
  return c.req.header(name)?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** Served over HTTPS: by this process, or by a TLS proxy in front of it that says so. */
function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || forwarded(c, 'x-forwarded-proto') === 'https';
}

/**
 * Whether the browser says the request comes from the admin pages' own origin: `Sec-Fetch-Site:
 * same-origin`, or an `Origin` equal to this server's, as the browser sees it (behind a proxy, its
 * `X-Forwarded-Proto` and `X-Forwarded-Host`; a page elsewhere cannot set those without a preflight
 * that this server does not answer).
 */
function sameOrigin(c: Context, url: URL): boolean {
  if (c.req.header('sec-fetch-site') === 'same-origin') return true;
  const origin = c.req.header('origin')?.toLowerCase();
  if (!origin || origin === 'null') return false;
  const scheme = forwarded(c, 'x-forwarded-proto') ?? url.protocol.slice(0, -1);
  const host = forwarded(c, 'x-forwarded-host') ?? c.req.header('host')?.toLowerCase() ?? url.host;
  return origin === url.origin || origin === `${scheme}://${host}`;
}
