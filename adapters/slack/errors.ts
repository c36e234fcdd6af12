/**
 * Web API failures, classified once for the core (`PlatformError.kind`) from the error codes Slack
 * documents for `chat.postMessage` and its common errors, and described without the token. The
 * WebClient throws `WebAPIPlatformError` for `{ok: false, error}` (Slack answers refusals with HTTP
 * 200), `WebAPIRateLimitedError` for HTTP 429 (`rejectRateLimitedCalls`), `WebAPIHTTPError` for
 * another status, and `WebAPIRequestError` when there was no answer (network, its own timeout).
 */
import { webApi } from '@slack/bolt';
import { PlatformError, type PlatformErrorKind } from '../../src/core/errors.ts';
import { describeFailure } from '../shared/describe.ts';

/** The bridge's own token or app was refused: nothing posts until an operator acts. */
const UNAUTHORIZED = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'org_login_required',
  'team_access_not_granted',
  'two_factor_setup_required',
  'accesslimited',
  'enterprise_is_restricted',
]);
/**
 * This conversation refuses the bot for good: gone, archived, the bot not (or no longer) in it, a
 * workspace or channel rule against posting, a user who cannot get DMs from the app.
 * (`no_permission` is documented as "make sure your app is a member of the conversation".)
 */
const CHAT_REFUSED = new Set([
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'no_permission',
  'access_denied',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'messages_tab_disabled',
  'cannot_dm_bot',
  'user_not_found',
  'user_disabled',
]);
const TOO_LONG = new Set(['msg_too_long', 'msg_blocks_too_long']);
/** `ratelimited` with HTTP 200 carries no `Retry-After`; wait this long then. */
const RATE_LIMITED = new Set(['ratelimited', 'rate_limited']);
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** Errors that go away by themselves (Slack's own failures, a workspace migrating, a usage cap). */
const TRANSIENT = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
  'message_limit_exceeded',
]);

/** What the core should do about a failed Web API call. */
export function slackErrorKind(err: unknown): PlatformErrorKind {
  if (err instanceof webApi.WebAPIRateLimitedError) return 'rate_limited';
  if (err instanceof webApi.WebAPIPlatformError) return codeKind(String(err.data.error));
  if (err instanceof webApi.WebAPIHTTPError) {
    if (err.statusCode === 429) return 'rate_limited';
    return err.statusCode >= 500 || err.statusCode === 408 ? 'transient' : 'rejected';
  }
  return 'transient'; // no answer: network error, timeout
}

/** The kind of a Web API error code; unknown codes are a refusal of this one call. */
export function codeKind(code: string): PlatformErrorKind {
  if (UNAUTHORIZED.has(code)) return 'unauthorized';
  if (CHAT_REFUSED.has(code)) return 'chat_refused';
  if (TOO_LONG.has(code)) return 'too_long';
  if (RATE_LIMITED.has(code)) return 'rate_limited';
  if (TRANSIENT.has(code)) return 'transient';
  return 'rejected';
}

/** Maps a failed call of `method` to the core's `PlatformError`; the message never holds a token. */
export function toPlatformError(err: unknown, method: string): PlatformError {
  const kind = slackErrorKind(err);
  const message = `slack ${method}: ${describe(err)}`;
  if (kind !== 'rate_limited') return new PlatformError(message, { kind });
  const retryAfterMs =
    err instanceof webApi.WebAPIRateLimitedError
      ? Math.max(1, err.retryAfter) * 1000
      : DEFAULT_RETRY_AFTER_MS;
  return new PlatformError(message, { kind, retryAfterMs });
}

/** One line about a failure, without a token. */
export function describe(err: unknown): string {
  return describeFailure(err, (e) => {
    if (e instanceof webApi.WebAPIRateLimitedError) return `ratelimited (retry after ${e.retryAfter} s)`;
    if (e instanceof webApi.WebAPIPlatformError) return String(e.data.error);
    if (e instanceof webApi.WebAPIHTTPError) return `HTTP ${e.statusCode}`;
    if (e instanceof webApi.WebAPIRequestError) {
      const { name, message } = e.original;
      return name === 'TimeoutError' ? 'no answer in time' : `network error (${message})`;
    }
    return undefined;
  });
}
