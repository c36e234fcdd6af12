/**
 * What an operator reads at start-up and from the probes, with the bridge as a real process where the
 * message is what matters: one line per Redis failure naming its cause and fix (against real
 * redis-servers with a password, an eviction policy, TLS); a Redis that may evict keys refused unless
 * allowed; a busy HTTP_PORT in one line; a missing .env named; a warning when no admin can be
 * alerted; what "bridge started" says; pretty logs; a Redis outage as one line lost and one back; and
 * `/livez` and `/readyz` beside `/healthz`.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHttpApp } from '../../src/http/server.ts';
import { checkRedis } from '../../src/redis.ts';
import { waitFor } from '../fakes/http.ts';
import { bridgeStarted, type ChildBridge, eventually, spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';
import { freePort } from '../support/net.ts';
import { type OwnRedis, selfSignedCertificate, startOwnRedis } from '../support/redis-server.ts';

const fx = useBridgeFixture();

/** The process's exit code and its output, once it has exited. */
async function finished(bridge: ChildBridge): Promise<{ code: number | null; out: string }> {
  const { code } = await bridge.exited;
  return { code, out: bridge.output().trim() };
}

/** Stops a child bridge that started. */
async function stopChild(bridge: ChildBridge): Promise<void> {
  bridge.child.kill('SIGTERM');
  await bridge.exited;
}

/** The parsed JSON log lines of a child's output (every line must be JSON). */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a Redis that wants a password', () => {
  const password = 'p@ss#word 1';
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis(['--requirepass', password]);
  });
  afterAll(() => redis.stop());

  it('without one, says a password is needed and how to write it in REDIS_URL', async () => {
    const { code, out } = await finished(spawnBridge(fx.env({ REDIS_URL: redis.url })));
    expect(code).toBe(1);
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ requires a password \(NOAUTH\)\. Put it in REDIS_URL/,
    );
    expect(out).toContain('percent-encoded (@ is %40');
    expect(out).not.toContain('redis-server');
  });

  it('with a wrong one, says it was refused, without printing it', async () => {
    const url = `redis://:wrong-password@127.0.0.1:${redis.port}`;
    const { code, out } = await finished(spawnBridge(fx.env({ REDIS_URL: url })));
    expect(code).toBe(1);
    expect(out).toMatch(
      /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the user name or password in REDIS_URL \(WRONGPASS\)/,
    );
    expect(out.split('\n')).toHaveLength(1);
    expect(out).not.toContain('wrong-password');
  });

  it('with reserved characters left unencoded, says which and how to encode them', async () => {
    const url = `redis://:${password}@127.0.0.1:${redis.port}`;
    const { code, out } = await finished(spawnBridge(fx.env({ REDIS_URL: url })));
    expect(code).toBe(1);
    expect(out).toContain('REDIS_URL has @ # a space in its password or user name: percent-encode them');
    expect(out).not.toContain(password);
  });

  it('percent-encoded, starts', async () => {
    const url = `redis://:${encodeURIComponent(password)}@127.0.0.1:${redis.port}`;
    const bridge = spawnBridge(fx.env({ REDIS_URL: url }));
    try {
      await bridgeStarted(bridge);
    } finally {
      await stopChild(bridge);
    }
    expect(bridge.output()).not.toContain(password);
  });
});

describe('a Redis that may evict keys', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis(['--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(() => redis.stop());

  it('is refused, saying why and how to fix it or override', async () => {
    const { code, out } = await finished(spawnBridge(fx.env({ REDIS_URL: redis.url })));
    expect(code).toBe(1);
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ may evict keys \(maxmemory-policy allkeys-lru\): an evicted key is a lost message/,
    );
    expect(out).toContain('maxmemory-policy noeviction');
    expect(out).toContain('REDIS_ALLOW_EVICTION=true');
  });

  it('runs with REDIS_ALLOW_EVICTION=true, warning once, and the log stays JSON', async () => {
    const bridge = spawnBridge(fx.env({ REDIS_URL: redis.url, REDIS_ALLOW_EVICTION: 'true' }));
    try {
      await bridgeStarted(bridge);
    } finally {
      await stopChild(bridge);
    }
    // BullMQ prints its own plain-text warning once per connection: not into this log.
    const lines = jsonLines(bridge.output());
    const warnings = lines.filter((line) => String(line.msg).startsWith('redis may evict keys'));
    expect(warnings).toEqual([expect.objectContaining({ level: 40, policy: 'allkeys-lru' })]);
    expect(bridge.output()).not.toContain('IMPORTANT! Eviction policy');
  });
});

describe('Redis over TLS', () => {
  const certificate = selfSignedCertificate();
  let redis: OwnRedis | undefined;
  beforeAll(async () => {
    if (!certificate) return;
    redis = await startOwnRedis(
      [
        '--tls-cert-file',
        certificate.cert,
        '--tls-key-file',
        certificate.key,
        '--tls-ca-cert-file',
        certificate.cert,
        '--tls-auth-clients',
        'no',
      ],
      { tls: true },
    ).catch(() => undefined);
  });
  afterAll(() => redis?.stop());

  it('with a self-signed certificate, names NODE_EXTRA_CA_CERTS, and starts with it', async (ctx) => {
    if (!certificate || !redis) {
      ctx.skip(certificate ? 'redis-server was built without TLS' : 'openssl is not installed');
      return;
    }
    const url = `rediss://127.0.0.1:${redis.port}`;
    const refused = await finished(spawnBridge(fx.env({ REDIS_URL: url })));
    expect(refused.code).toBe(1);
    expect(refused.out.split('\n')).toHaveLength(1);
    expect(refused.out).toMatch(/presents a TLS certificate Node does not trust \(self-signed certificate/);
    expect(refused.out).toContain('NODE_EXTRA_CA_CERTS=/path/to/ca.pem');

    const trusted = spawnBridge(fx.env({ REDIS_URL: url, NODE_EXTRA_CA_CERTS: certificate.cert }));
    try {
      await bridgeStarted(trusted);
    } finally {
      await stopChild(trusted);
    }
  });

  it('with redis:// against its TLS port, says to use rediss://', async (ctx) => {
    if (!redis) {
      ctx.skip('no TLS redis-server here');
      return;
    }
    const { code, out } = await finished(
      spawnBridge(fx.env({ REDIS_URL: `redis://127.0.0.1:${redis.port}` })),
    );
    expect(code).toBe(1);
    expect(out).toBe(
      `Redis at 127.0.0.1:${redis.port} expects TLS: use rediss:// instead of redis:// in REDIS_URL.`,
    );
  });

  it('with rediss:// against a plain port, says to use redis://', async () => {
    const plain = new URL(inject('redisUrl'));
    plain.protocol = 'rediss:';
    const { code, out } = await finished(spawnBridge(fx.env({ REDIS_URL: plain.toString() })));
    expect(code).toBe(1);
    expect(out).toMatch(
      /^REDIS_URL asks for TLS \(rediss:\/\/\), but Redis at .* speaks plain Redis: use redis:\/\//,
    );
  });

  it('finds a plain port without waiting out the connect timeout', async () => {
    const plain = new URL(inject('redisUrl'));
    plain.protocol = 'rediss:';
    const startedAt = Date.now();
    await expect(checkRedis(plain.toString(), { timeoutMs: 30_000 })).rejects.toThrow(/speaks plain Redis/);
    // A TLS handshake there never completes; the plain PING after a second of silence tells.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });
});

describe('start-up messages', () => {
  it('names a busy HTTP_PORT in one line, without a stack trace', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '0.0.0.0', resolve));
    try {
      const { code, out } = await finished(spawnBridge(fx.env({ HTTP_PORT: String(port) })));
      expect(code).toBe(1);
      expect(out).not.toMatch(/\n\s+at /);
      // Log lines before it are JSON; the one line for the operator is not.
      const plain = out.split('\n').filter((line) => !line.startsWith('{'));
      expect(plain).toEqual([
        `HTTP_PORT ${port} is already in use on 0.0.0.0 (another bridge or program listens there): stop it, or set HTTP_PORT to a free port.`,
      ]);
    } finally {
      holder.close();
    }
  });

  it('says that no .env was found, and how to make one, when required variables are missing', async () => {
    const env = fx.env();
    delete env.AKSITA_API_KEY;
    const { code, out } = await finished(spawnBridge(env));
    expect(code).toBe(1);
    expect(out).toMatch(/AKSITA_API_KEY is required/);
    expect(out).toMatch(
      /No \.env file was found at \/.*\/\.env: create it from the example \(cp \.env\.example \.env\)/,
    );
  });

  it('warns once that nobody will be alerted without ADMIN_USERS, and says what started where', async () => {
    const bridge = spawnBridge(fx.env({ LOG_LEVEL: 'info' }));
    try {
      await bridgeStarted(bridge);
    } finally {
      await stopChild(bridge);
    }
    const lines = jsonLines(bridge.output());
    const warnings = lines.filter((line) => String(line.msg).startsWith('no admin can be alerted'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('set ADMIN_USERS');
    const started = lines.find((line) => line.msg === 'bridge started');
    expect(started).toMatchObject({ role: 'all', platforms: ['telegram'], adminRoutes: [] });
    expect(started?.http).toMatch(/^0\.0\.0\.0:\d+$/);
  });

  it('with an admin and ADMIN_HTTP_TOKEN, does not warn and lists the admin routes on HTTP_HOST', async () => {
    const bridge = spawnBridge(
      fx.env({
        LOG_LEVEL: 'info',
        ADMIN_USERS: 'telegram:42',
        ADMIN_HTTP_TOKEN: 'a-long-admin-token-0123456789',
        HTTP_HOST: '127.0.0.1',
      }),
    );
    try {
      await bridgeStarted(bridge);
    } finally {
      await stopChild(bridge);
    }
    const lines = jsonLines(bridge.output());
    expect(lines.filter((line) => String(line.msg).startsWith('no admin can be alerted'))).toEqual([]);
    expect(lines.find((line) => line.msg === 'bridge started')).toMatchObject({
      http: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      adminRoutes: ['/admin/credits', '/admin/status', '/admin/queues'],
    });
  });

  it('with LOG_FORMAT=pretty, writes level names and messages for people, secrets still redacted', async () => {
    fx.telegram.script({ status: 500 });
    const bridge = spawnBridge(fx.env({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' }));
    try {
      await waitFor(() => bridge.output().includes('bridge started'), 20_000, `start:\n${bridge.output()}`);
      fx.telegram.userMessage({ chatId: 5, text: 'hello' });
      await fx.telegram.waitFor(() => fx.telegram.sentTo(5).length === 1, 15_000, 'reply');
    } finally {
      await stopChild(bridge);
    }
    const out = bridge.output();
    expect(out).toMatch(/INFO.*: bridge started/);
    expect(out).toMatch(/WARN.*: no admin can be alerted/);
    expect(out).not.toContain('"level":');
    expect(out).not.toContain(fx.telegram.token);
    expect(out).not.toContain('test-key');
  });
});

describe('probes and a Redis outage', () => {
  it('logs one line when Redis is lost and one when it is back; /readyz follows Redis, /livez stays up', async () => {
    const redis = await startOwnRedis();
    const started = await fx.start({ REDIS_URL: redis.url, LOG_LEVEL: 'info' });
    const { bridge, logs } = started;
    // The test's own client of this Redis (for cleanup) sees the outage too.
    started.redis.on('error', () => {});
    try {
      const base = `http://127.0.0.1:${bridge.port}`;
      const status = async (path: string) => (await fetch(`${base}${path}`)).status;
      expect(await status('/readyz')).toBe(200);
      expect(await status('/livez')).toBe(200);

      await redis.kill();
      await waitFor(
        () => logs.find('redis connection lost: retrying until it is back').length > 0,
        10_000,
        'lost',
      );
      // Down long enough for PING to time out, and for several reconnect attempts.
      await eventually(
        async () => (await status('/readyz')) === 503,
        10_000,
        '/readyz 503 while Redis is down',
      );
      const readyz = await (await fetch(`${base}/readyz`)).json();
      expect(readyz).toEqual({ status: 'not ready', detail: 'redis: no answer to PING' });
      expect(await status('/livez')).toBe(200);

      await redis.restart();
      await waitFor(() => logs.find('redis connection back').length > 0, 15_000, 'back');
      await eventually(async () => (await status('/readyz')) === 200, 10_000, '/readyz 200 again');
      expect(logs.find('redis connection lost: retrying until it is back')).toHaveLength(1);
      expect(logs.find('redis connection back')).toHaveLength(1);
      for (const noise of ['redis connection error', 'queue error', 'worker error']) {
        expect(logs.find(noise), noise).toEqual([]);
      }
    } finally {
      // Stopped here, while its Redis still runs (the fixture would stop it after the Redis is gone).
      fx.bridges.splice(fx.bridges.indexOf(started), 1);
      await redis.restart().catch(() => {});
      await started.cleanup();
      await redis.stop();
    }
  });

  it('keeps /livez and /readyz up while a platform is down, and /healthz says so', async () => {
    const { bridge } = await fx.start();
    const base = `http://127.0.0.1:${bridge.port}`;
    fx.telegram.revokeToken();
    // Wakes the long poll in flight; the next one is refused.
    fx.telegram.userMessage({ chatId: 7, text: 'wake the poll' });
    await eventually(async () => (await fetch(`${base}/healthz`)).status === 503, 10_000, '/healthz 503');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('answers /readyz 503 while the process is not ready, with the reason', async () => {
    const app = createHttpApp({
      routes: [],
      health: async () => ({}),
      ready: async () => ({ ok: false, detail: 'starting' }),
    });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', detail: 'starting' });
    expect((await app.request('/livez')).status).toBe(200);
  });
});
