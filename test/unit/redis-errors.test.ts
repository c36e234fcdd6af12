import { describe, expect, it } from 'vitest';
import {
  classifyRedisFailure,
  isRedisConnectionError,
  type RedisFailureCause,
  type RedisFailureFacts,
  redisFailureAdvice,
} from '../../src/redis-errors.ts';

// What ioredis and Node report, as seen against real servers (redis-server 7 with requirepass, TLS).
const seen: Array<[string, RedisFailureFacts, RedisFailureCause]> = [
  [
    'nothing listening',
    { tls: false, error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6379' } },
    'unreachable',
  ],
  [
    'a password needed',
    {
      tls: false,
      error: { message: 'NOAUTH HELLO must be called with the client already authenticated, otherwise …' },
    },
    'password-required',
  ],
  [
    'a wrong password',
    { tls: false, error: { message: 'WRONGPASS invalid username-password pair or user is disabled.' } },
    'password-refused',
  ],
  [
    'a wrong password (Redis 5)',
    { tls: false, error: { message: 'ERR invalid password' } },
    'password-refused',
  ],
  [
    'a self-signed certificate',
    { tls: true, error: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' } },
    'tls-untrusted',
  ],
  [
    'a private CA',
    {
      tls: true,
      error: { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' },
    },
    'tls-untrusted',
  ],
  [
    'a certificate for another host',
    {
      tls: true,
      error: {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
        message: "Hostname/IP does not match certificate's altnames",
      },
    },
    'tls-wrong-host',
  ],
  [
    'an expired certificate',
    { tls: true, error: { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' } },
    'tls-certificate',
  ],
  [
    'TLS to a plain port (it answered plain Redis)',
    { tls: true, speaks: 'plain', error: { message: 'no answer' } },
    'tls-on-plain-port',
  ],
  [
    'TLS to a plain port (the TLS layer saw garbage)',
    { tls: true, error: { code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' } },
    'tls-on-plain-port',
  ],
  [
    'plain to a TLS port',
    { tls: false, speaks: 'tls', error: { code: 'ECONNRESET', message: 'write ECONNRESET' } },
    'plain-on-tls-port',
  ],
  [
    'an unknown host',
    { tls: false, error: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND redis.internal' } },
    'unknown-host',
  ],
  [
    'no answer in time',
    { tls: false, error: { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' } },
    'timeout',
  ],
  [
    'a reset nobody explained',
    { tls: false, error: { code: 'ECONNRESET', message: 'read ECONNRESET' } },
    'other',
  ],
];

describe('classifyRedisFailure', () => {
  it.each(seen)('%s', (_what, facts, cause) => {
    expect(classifyRedisFailure(facts)).toBe(cause);
  });
});

describe('redisFailureAdvice', () => {
  const url = 'redis://:s3cret-pass@redis.internal:6380';

  it('is one line per cause, never shows the password, and only an absent Redis is told to start one', () => {
    for (const [what, facts, cause] of seen) {
      const advice = redisFailureAdvice(url, facts);
      expect(advice, what).not.toContain('\n');
      expect(advice, what).not.toContain('s3cret-pass');
      expect(advice.includes('redis-server'), what).toBe(cause === 'unreachable');
    }
  });

  it('says how to put a password in REDIS_URL, percent-encoded', () => {
    const [needed, refused] = ['a password needed', 'a wrong password'].map((what) =>
      redisFailureAdvice(url, seen.find(([w]) => w === what)?.[1] as RedisFailureFacts),
    );
    expect(needed).toMatch(/^Redis at redis:\/\/:\*\*\*@redis.internal:6380 requires a password \(NOAUTH\)/);
    for (const advice of [needed, refused]) {
      expect(advice).toContain('redis://:PASSWORD@HOST:6379');
      expect(advice).toContain('percent-encoded (@ is %40');
    }
    expect(refused).toContain('refused the user name or password in REDIS_URL (WRONGPASS)');
  });

  it('names NODE_EXTRA_CA_CERTS for a certificate Node does not trust', () => {
    const advice = redisFailureAdvice('rediss://redis.internal:6380', {
      tls: true,
      error: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
    });
    expect(advice).toContain('NODE_EXTRA_CA_CERTS=/path/to/ca.pem');
    expect(advice).toContain('cannot come from .env');
  });

  it('tells which scheme to use when TLS and plain are mixed up', () => {
    expect(
      redisFailureAdvice('rediss://redis.internal:6379', {
        tls: true,
        speaks: 'plain',
        error: { message: '' },
      }),
    ).toBe(
      'REDIS_URL asks for TLS (rediss://), but Redis at redis.internal:6379 speaks plain Redis: use redis://, or the port where the server offers TLS.',
    );
    expect(
      redisFailureAdvice('redis://redis.internal:6380', {
        tls: false,
        speaks: 'tls',
        error: { code: 'ECONNRESET', message: 'write ECONNRESET' },
      }),
    ).toBe('Redis at redis.internal:6380 expects TLS: use rediss:// instead of redis:// in REDIS_URL.');
  });
});

describe('isRedisConnectionError', () => {
  it('tells a lost connection from a refused command', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    expect(isRedisConnectionError(refused)).toBe(true);
    expect(isRedisConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisConnectionError(new Error('ERR unknown command'))).toBe(false);
    expect(isRedisConnectionError('ECONNREFUSED')).toBe(false);
  });
});
