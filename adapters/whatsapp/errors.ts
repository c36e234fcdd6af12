/**
 * Graph API failures of the Cloud API, classified once for the core (`PlatformError.kind`) from
 * Meta's error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes), with the
 * HTTP status as the fallback for an answer without a code, and described without the token. The
 * same codes come back in a `failed` status of the webhook (`statuses[].errors[].code`) for a send
 * the API had accepted; `codeKind` classifies those too.
 */
import { PlatformError, type PlatformErrorKind } from '../../src/core/errors.ts';
import { describeFailure } from '../shared/describe.ts';
import { GraphError, GraphUnreachable } from './api.ts';

/** Outside the 24-hour customer service window: only a template may be sent (re-engagement). */
export const OUTSIDE_WINDOW = 131047;

/**
 * How long to wait before trying again after each rate limit, ms, when Meta says nothing (it sends no
 * `Retry-After`): 131056 is the pair limit of one message every 6 s to one user; 130429 the
 * number's throughput (80 messages/s); 80007, 4 and 613 are the account's and the app's hourly call
 * budgets, and 131048 the spam limit of a number of low quality, which last longer.
 */
const RATE_LIMITS: ReadonlyMap<number, number> = new Map([
  [131056, 6_000],
  [130429, 1_000],
  [80007, 60_000],
  [4, 60_000],
  [613, 60_000],
  [131048, 60_000],
]);
/** A 429 without a code or a known one. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * The bridge's own credentials or account are refused: an expired or revoked token (190, 102), no
 * permission (10, 200–299, 3), the account locked or restricted (131031, 368, 131005 access denied),
 * the number not registered on the Cloud API (133010). Nothing is sent until an operator acts.
 */
const UNAUTHORIZED = new Set([190, 102, 10, 3, 131005, 131031, 368, 133010]);

/**
 * This user cannot be written to now. 131047: the 24-hour window is closed. It is `chat_refused`
 * rather than `rejected` because of what the core does with that kind: it remembers the thread as
 * refused, drops what is still queued for it *without calling the agent* (nothing the agent said
 * could be delivered), and answers again as soon as the user writes (a new message reopens the
 * window, and the core answers a direct message accepted after the refusal). 131026: undeliverable
 * (not on WhatsApp, an old client, terms not accepted); 131030: not one of a test number's allowed
 * recipients; 131021: the recipient is the business number itself.
 */
const CHAT_REFUSED = new Set([OUTSIDE_WINDOW, 131026, 131030, 131021]);

/** Meta's own trouble: an unknown error, the service down or busy, a throughput upgrade in progress. */
const TRANSIENT = new Set([1, 2, 131000, 131016, 131057, 133004]);

/** Code 100 with these details is about the text's length (`text['body'] must be at most 4096 …`). */
const LENGTH_DETAILS = /at most \d+ characters|too long|length/i;

/** What the core should do about an error `code` (HTTP `status`, when there was one). */
export function codeKind(code: number | undefined, status = 0, details = ''): PlatformErrorKind {
  if (code !== undefined) {
    if (RATE_LIMITS.has(code)) return 'rate_limited';
    if (UNAUTHORIZED.has(code) || (code >= 200 && code <= 299)) return 'unauthorized';
    if (CHAT_REFUSED.has(code)) return 'chat_refused';
    if (TRANSIENT.has(code)) return 'transient';
    if (code === 100 && LENGTH_DETAILS.test(details)) return 'too_long';
  }
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'unauthorized';
  if (status >= 500 || status === 408) return 'transient';
  return 'rejected';
}

/** What the core should do about a failed Graph API call. */
export function whatsappErrorKind(err: unknown): PlatformErrorKind {
  if (err instanceof GraphError) return codeKind(err.code, err.status, err.details);
  return 'transient'; // no answer: network error, timeout
}

/** How long a rate limit asks to wait, ms: `Retry-After` when sent, else what the code means. */
export function retryAfterMs(err: GraphError): number {
  return (
    err.retryAfterMs ??
    (err.code !== undefined ? RATE_LIMITS.get(err.code) : undefined) ??
    DEFAULT_RETRY_AFTER_MS
  );
}

/** Maps a failed call (`what`: `send`, `mark read`) to the core's `PlatformError`; never holds the token. */
export function toPlatformError(err: unknown, what: string): PlatformError {
  const kind = whatsappErrorKind(err);
  const message = `whatsapp ${what}: ${describe(err)}`;
  if (kind === 'rate_limited' && err instanceof GraphError) {
    return new PlatformError(message, { kind, retryAfterMs: retryAfterMs(err) });
  }
  return new PlatformError(message, { kind });
}

/** One line about a failure, without the token. */
export function describe(err: unknown): string {
  return describeFailure(err, (e) => {
    if (e instanceof GraphError) {
      const code = e.code === undefined ? '' : ` ${e.code}`;
      return `${e.status}${code} ${e.title}${e.details ? ` (${e.details})` : ''}`;
    }
    return e instanceof GraphUnreachable ? e.message : undefined;
  });
}
