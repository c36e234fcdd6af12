/**
 * REST failures → `PlatformError` kinds, with errors built the way discord.js builds them: a
 * `DiscordAPIError` from Discord's `{code, message, errors}` body and the HTTP status, an `HTTPError`
 * for a 5xx, a `RateLimitError` for a limit longer than discord.js may wait, and the `AbortError` of
 * its request timeout.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { toPlatformError } from '../../adapters/discord/rest.ts';

const URL = 'https://discord.com/api/v10/channels/123/messages';

type ErrorBody = ConstructorParameters<typeof DiscordAPIError>[0];

function apiError(status: number, body: ErrorBody & { code: number }): DiscordAPIError {
  return new DiscordAPIError(body, body.code, status, 'POST', URL, { body: { content: 'hi' } });
}

describe('discord error kinds', () => {
  it.each([
    [401, 0, '401: Unauthorized', 'unauthorized'],
    [403, 50001, 'Missing Access', 'chat_refused'],
    [403, 50013, 'Missing Permissions', 'chat_refused'],
    [403, 50007, 'Cannot send messages to this user', 'chat_refused'],
    [403, 50278, 'Cannot send messages to this user due to having no mutual guilds', 'chat_refused'],
    [404, 10003, 'Unknown Channel', 'chat_refused'],
    [404, 10013, 'Unknown User', 'chat_refused'],
    [400, 50083, 'Thread is archived', 'chat_refused'],
    [403, 160005, 'Thread is locked', 'chat_refused'],
    [400, 50008, 'Cannot send messages in a non-text channel', 'chat_refused'],
    [400, 50006, 'Cannot send an empty message', 'rejected'],
    [403, 20009, 'Explicit content cannot be sent to the desired recipient(s)', 'rejected'],
    [400, 200000, 'Message was blocked by automatic moderation', 'rejected'],
    [400, 50035, 'Invalid Form Body', 'rejected'],
    [429, 20016, 'This action cannot be performed due to slowmode rate limit', 'rate_limited'],
    [503, 130000, 'API resource is currently overloaded. Try again a little later', 'transient'],
  ] as const)('%i %i %s → %s', (status, code, message, kind) => {
    const err = toPlatformError(apiError(status, { code, message }), 'send message');
    expect(err.kind).toBe(kind);
    expect(err.message).toBe(`discord send message: ${status} ${code} ${message}`);
  });

  it('takes a 50035 about the content length for too long, and other form errors for rejected', () => {
    const tooLong = apiError(400, {
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
      },
    });
    const err = toPlatformError(tooLong, 'send message');
    expect(err.kind).toBe('too_long');
    expect(err.message).toBe(
      'discord send message: 400 50035 Invalid Form Body; content[BASE_TYPE_MAX_LENGTH]: Must be 2000 or fewer in length.',
    );
    const badReference = apiError(400, {
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        message_reference: {
          _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }],
        },
      },
    });
    expect(toPlatformError(badReference, 'send message').kind).toBe('rejected');
  });

  it('waits a long rate limit as discord.js reports it', () => {
    const limit = new RateLimitError({
      timeToReset: 30_000,
      limit: 5,
      method: 'POST',
      hash: 'abc',
      url: URL,
      route: '/channels/:id/messages',
      majorParameter: '123',
      global: false,
      retryAfter: 30_000,
      sublimitTimeout: 0,
      scope: 'user',
    });
    const err = toPlatformError(limit, 'send message');
    expect(err.kind).toBe('rate_limited');
    expect(err.options.retryAfterMs).toBe(30_000);
    expect(err.message).toBe('discord send message: rate limited on /channels/:id/messages');
  });

  it('takes server errors, timeouts and network failures for transient', () => {
    const serverError = new HTTPError(502, 'Bad Gateway', 'POST', URL, { body: {} });
    const timeout = new DOMException('This operation was aborted', 'AbortError');
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    expect(toPlatformError(serverError, 'send message').kind).toBe('transient');
    expect(toPlatformError(timeout, 'send message')).toMatchObject({
      kind: 'transient',
      message: 'discord send message: no answer in time',
    });
    expect(toPlatformError(reset, 'send message')).toMatchObject({
      kind: 'transient',
      message: 'discord send message: network error (ECONNRESET)',
    });
  });
});
