/**
 * Web API failures → `PlatformError` kinds, with errors built the way the WebClient builds them: a
 * `WebAPIPlatformError` from `{ok: false, error}`, a `WebAPIRateLimitedError` from a 429's
 * `Retry-After`, a `WebAPIHTTPError` for another status, a `WebAPIRequestError` around what fetch
 * threw (its own timeout is a `TimeoutError`).
 */
import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { toPlatformError } from '../../adapters/slack/errors.ts';

const refusal = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error });

describe('slack error kinds', () => {
  it.each([
    ['invalid_auth', 'unauthorized'],
    ['not_authed', 'unauthorized'],
    ['token_revoked', 'unauthorized'],
    ['token_expired', 'unauthorized'],
    ['account_inactive', 'unauthorized'],
    ['missing_scope', 'unauthorized'],
    ['ekm_access_denied', 'unauthorized'],
    ['org_login_required', 'unauthorized'],
    ['team_access_not_granted', 'unauthorized'],
    ['channel_not_found', 'chat_refused'],
    ['is_archived', 'chat_refused'],
    ['not_in_channel', 'chat_refused'],
    ['no_permission', 'chat_refused'],
    ['restricted_action', 'chat_refused'],
    ['restricted_action_read_only_channel', 'chat_refused'],
    ['messages_tab_disabled', 'chat_refused'],
    ['cannot_dm_bot', 'chat_refused'],
    ['user_disabled', 'chat_refused'],
    ['msg_too_long', 'too_long'],
    ['internal_error', 'transient'],
    ['fatal_error', 'transient'],
    ['service_unavailable', 'transient'],
    ['request_timeout', 'transient'],
    ['team_added_to_org', 'transient'],
    ['no_text', 'rejected'],
    ['invalid_blocks', 'rejected'],
    ['too_many_attachments', 'rejected'],
    ['a_code_slack_adds_next_year', 'rejected'],
  ] as const)('%s → %s', (code, kind) => {
    const err = toPlatformError(refusal(code), 'chat.postMessage');
    expect(err.kind).toBe(kind);
    expect(err.message).toBe(`slack chat.postMessage: ${code}`);
  });

  it('waits the Retry-After of a 429, and a second for a ratelimited refusal without one', () => {
    const limited = toPlatformError(new webApi.WebAPIRateLimitedError(30), 'chat.postMessage');
    expect(limited).toMatchObject({ kind: 'rate_limited', options: { retryAfterMs: 30_000 } });
    const refused = toPlatformError(refusal('ratelimited'), 'chat.postMessage');
    expect(refused).toMatchObject({ kind: 'rate_limited', options: { retryAfterMs: 1_000 } });
  });

  it('takes 5xx, 408, network errors and timeouts for transient, other statuses for rejected', () => {
    const http = (status: number) => new webApi.WebAPIHTTPError(status, 'x', {}, 'upstream error');
    expect(toPlatformError(http(503), 'chat.postMessage').kind).toBe('transient');
    expect(toPlatformError(http(408), 'chat.postMessage').kind).toBe('transient');
    expect(toPlatformError(http(404), 'chat.postMessage').kind).toBe('rejected');
    const timeout = new webApi.WebAPIRequestError(
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    );
    expect(toPlatformError(timeout, 'chat.postMessage')).toMatchObject({
      kind: 'transient',
      message: 'slack chat.postMessage: no answer in time',
    });
    const refused = new webApi.WebAPIRequestError(new TypeError('fetch failed'));
    expect(toPlatformError(refused, 'chat.postMessage')).toMatchObject({
      kind: 'transient',
      message: 'slack chat.postMessage: network error (fetch failed)',
    });
  });
});
