/**
 * Why Redis could not be used at start-up, and what the operator should do about it: one line per
 * cause (nothing listening, a password needed or refused, a TLS certificate Node does not trust, TLS
 * against a plain port or the reverse, …). Pure: `redis.ts` gathers the facts, this turns them into
 * advice.
 */
import { safeRedisUrl } from './config.ts';

/** Why the first connection to Redis failed. */
export type RedisFailureCause =
  /** Nothing listens there (ECONNREFUSED), or the network has no route to it. */
  | 'unreachable'
  /** The host name does not resolve. */
  | 'unknown-host'
  /** No answer in time. */
  | 'timeout'
  /** The server wants a password and got none (NOAUTH). */
  | 'password-required'
  /** The server refused the user name or password (WRONGPASS). */
  | 'password-refused'
  /** The server's TLS certificate is self-signed or signed by a CA Node does not know. */
  | 'tls-untrusted'
  /** The server's TLS certificate names another host. */
  | 'tls-wrong-host'
  /** The server's TLS certificate is refused for another reason (expired, not yet valid, …). */
  | 'tls-certificate'
  /** `rediss://` against a port that speaks plain Redis. */
  | 'tls-on-plain-port'
  /** `redis://` against a port that expects TLS. */
  | 'plain-on-tls-port'
  /** Anything else. */
  | 'other';

/** What start-up saw when it tried Redis. */
export interface RedisFailureFacts {
  /** The first error the connection reported (a Node system error, a TLS error or Redis's reply). */
  error: { code?: string | undefined; message: string };
  /** Whether the URL asked for TLS (`rediss://`). */
  tls: boolean;
  /** What a second look at the port found it speaks, when one was taken. */
  speaks?: 'plain' | 'tls' | undefined;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const UNKNOWN_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
/** What a connection reports when the other side hangs up or goes quiet, as one that speaks another protocol does. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'EPROTO', 'ETIMEDOUT']);
/** Codes of a connection that broke or could not be made: Redis is away, not refusing a command. */
const CONNECTION = new Set([...UNREACHABLE, ...UNKNOWN_HOST, ...BROKEN, 'ECONNABORTED']);

/**
 * True when `error` may mean the port speaks the other protocol (plain Redis or TLS): the server hung
 * up, went quiet, or the TLS layer could not make sense of its answer. Worth a second look at the port.
 */
export function mayBeWrongProtocol(error: RedisFailureFacts['error']): boolean {
  const code = error.code ?? '';
  return BROKEN.has(code) || code.startsWith('ERR_SSL') || /connection is closed/i.test(error.message);
}

/** The cause of a failed first connection. */
export function classifyRedisFailure(facts: RedisFailureFacts): RedisFailureCause {
  const { code = '', message } = facts.error;
  // A plain Redis answered on that port (a TLS client there never gets an answer), or the reverse.
  if (facts.tls && (facts.speaks === 'plain' || code.startsWith('ERR_SSL'))) return 'tls-on-plain-port';
  if (!facts.tls && facts.speaks === 'tls') return 'plain-on-tls-port';
  if (/^NOAUTH\b/.test(message)) return 'password-required';
  if (/^WRONGPASS\b|invalid password|invalid username-password/i.test(message)) return 'password-refused';
  if (UNREACHABLE.has(code)) return 'unreachable';
  if (UNKNOWN_HOST.has(code)) return 'unknown-host';
  if (UNTRUSTED.has(code)) return 'tls-untrusted';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls-wrong-host';
  if (code.startsWith('CERT_') || code.startsWith('ERR_TLS_')) return 'tls-certificate';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'other';
}

/** How to put a password in the URL, said wherever a password is the trouble. */
const PASSWORD_FORM =
  'redis://:PASSWORD@HOST:6379 (redis://USER:PASSWORD@HOST:6379 for an ACL user), with @ : / ? # % and spaces in it percent-encoded (@ is %40, # is %23, / is %2F)';

/** The one line an operator reads when Redis could not be used at start-up: what happened and what to do. */
export function redisFailureAdvice(url: string, facts: RedisFailureFacts): string {
  const where = safeRedisUrl(url);
  const { hostname, port } = new URL(url);
  const address = `${hostname}:${port || 6379}`;
  const code = facts.error.code ?? facts.error.message;
  switch (classifyRedisFailure(facts)) {
    case 'unreachable':
      return `Cannot reach Redis at ${where} (${code}). Start one (\`redis-server\`, or \`docker compose up -d redis\`) or point REDIS_URL at yours.`;
    case 'unknown-host':
      return `Cannot reach Redis at ${where}: the host name does not resolve (${code}). Check the host in REDIS_URL.`;
    case 'timeout':
      return `Cannot reach Redis at ${where}: no answer in time (${code}). Check the host and port in REDIS_URL, and that no firewall is in the way.`;
    case 'password-required':
      return `Redis at ${where} requires a password (NOAUTH). Put it in REDIS_URL: ${PASSWORD_FORM}.`;
    case 'password-refused':
      return `Redis at ${where} refused the user name or password in REDIS_URL (WRONGPASS). Check them; the URL form is ${PASSWORD_FORM}.`;
    case 'tls-untrusted':
      return `Redis at ${where} presents a TLS certificate Node does not trust (${facts.error.message}, ${code}): a self-signed certificate or a private CA. Start the bridge with NODE_EXTRA_CA_CERTS=/path/to/ca.pem (the CA that signed the server's certificate, PEM) in its environment; Node reads it at start, so it cannot come from .env.`;
    case 'tls-wrong-host':
      return `Redis at ${where} presents a TLS certificate for another host name (${facts.error.message}). Use in REDIS_URL a host name the certificate names.`;
    case 'tls-certificate':
      return `Redis at ${where} presents a TLS certificate Node refuses (${facts.error.message}, ${code}). Renew or fix the server's certificate.`;
    case 'tls-on-plain-port':
      return `REDIS_URL asks for TLS (rediss://), but Redis at ${address} speaks plain Redis: use redis://, or the port where the server offers TLS.`;
    case 'plain-on-tls-port':
      return `Redis at ${address} expects TLS: use rediss:// instead of redis:// in REDIS_URL.`;
    default:
      return `Cannot use Redis at ${where} (${facts.error.message}). Check REDIS_URL.`;
  }
}

/**
 * True when `err` says the connection to Redis broke or could not be made (which `watchRedis` reports
 * once), rather than that Redis refused a command.
 */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === 'string' && CONNECTION.has(code)) ||
    /^Connection is closed\.?$|^Stream isn't writeable|^connect E[A-Z]+/.test(err.message)
  );
}
