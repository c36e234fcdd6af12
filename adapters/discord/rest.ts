/**
 * What the Discord adapter and its commands share about REST: the no-pings rule of every post, and
 * failures mapped to `PlatformError` (4xx permanent, 5xx and network transient, long rate limits
 * `retryAfterMs`) or described without secrets (an interaction's URL holds its token).
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PlatformError } from '../../src/core/errors.ts';

/** Never ping anyone from an agent's answer, not even the user replied to. */
export const NO_PINGS = { parse: [], replied_user: false };

/** A refusal that will not change on a retry: a 4xx other than 429. */
export function isPermanent(err: unknown): boolean {
  return err instanceof DiscordAPIError && err.status >= 400 && err.status < 500 && err.status !== 429;
}

/** Maps a REST failure of `what`; the message never holds the token. */
export function toPlatformError(err: unknown, what: string): PlatformError {
  if (err instanceof RateLimitError) {
    return new PlatformError(`discord ${what}: rate limited on ${err.route}`, {
      retryAfterMs: err.retryAfter,
    });
  }
  if (err instanceof DiscordAPIError) {
    return new PlatformError(`discord ${what}: ${err.status} ${err.code} ${err.message}`, {
      permanent: isPermanent(err),
    });
  }
  return new PlatformError(`discord ${what}: ${describe(err)}`);
}

/** One line about a failure, with no URL in it (interaction URLs hold a token). */
export function describe(err: unknown): string {
  if (err instanceof DiscordAPIError) return `${err.status} ${err.message}`;
  if (err instanceof HTTPError) return `${err.status} ${err.message}`;
  if (err instanceof RateLimitError) return `rate limited for ${err.retryAfter} ms`;
  if (err instanceof Error) {
    const { code, cause } = err as { code?: unknown; cause?: { code?: unknown } };
    const network = typeof code === 'string' ? code : cause?.code;
    return typeof network === 'string' ? `network error (${network})` : err.message;
  }
  return String(err);
}
