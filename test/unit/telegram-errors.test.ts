/**
 * Bot API failures → `PlatformError` kinds, with errors built the way grammY builds them: a
 * `GrammyError` from the Bot API's `{ok:false, error_code, description, parameters}` answer, an
 * `HttpError` around whatever the fetch threw (undici's timeouts, a refused connection, an HTML page).
 */
import { GrammyError, HttpError } from 'grammy';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  describe as describeError,
  isTimeout,
  migratedTo,
  toPlatformError,
} from '../../adapters/telegram/errors.ts';

function apiError(error_code: number, description: string, parameters?: object): GrammyError {
  const answer = { ok: false as const, error_code, description, ...(parameters && { parameters }) };
  return new GrammyError("Call to 'sendMessage' failed!", answer, 'sendMessage', { chat_id: 1, text: 'hi' });
}

const network = (cause: Error) => new HttpError("Network request for 'sendMessage' failed!", cause);

describe('telegram error kinds', () => {
  it.each([
    [401, 'Unauthorized', 'unauthorized'],
    [404, 'Not Found', 'unauthorized'],
    [403, 'Forbidden: bot was blocked by the user', 'chat_refused'],
    [403, 'Forbidden: bot was kicked from the group chat', 'chat_refused'],
    [403, 'Forbidden: bot was kicked from the supergroup chat', 'chat_refused'],
    [403, 'Forbidden: user is deactivated', 'chat_refused'],
    [403, 'Forbidden: bot is not a member of the channel chat', 'chat_refused'],
    [403, "Forbidden: bot can't initiate conversation with a user", 'chat_refused'],
    [403, "Forbidden: bot can't send messages to bots", 'chat_refused'],
    [400, 'Bad Request: chat not found', 'chat_refused'],
    [400, 'Bad Request: CHAT_WRITE_FORBIDDEN', 'chat_refused'],
    [400, 'Bad Request: not enough rights to send text messages to the chat', 'chat_refused'],
    [400, 'Bad Request: TOPIC_CLOSED', 'chat_refused'],
    [400, 'Bad Request: message thread not found', 'chat_refused'],
    [400, 'Bad Request: group chat was upgraded to a supergroup chat', 'chat_refused'],
    [400, 'Bad Request: message is too long', 'too_long'],
    [400, 'Bad Request: message text is empty', 'rejected'],
    [400, 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0', 'rejected'],
    [400, 'Bad Request: message to be replied not found', 'rejected'],
    [409, 'Conflict: terminated by other getUpdates request', 'rejected'],
    [500, 'Internal Server Error', 'transient'],
    [502, 'Bad Gateway', 'transient'],
  ] as const)('%i %s → %s', (code, description, kind) => {
    const err = toPlatformError(apiError(code, description), 'sendMessage');
    expect(err.kind).toBe(kind);
    expect(err.message).toBe(`telegram sendMessage: ${code} ${description}`);
  });

  it('waits the retry_after of a 429', () => {
    const err = toPlatformError(
      apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }),
      'sendMessage',
    );
    expect(err.kind).toBe('rate_limited');
    expect(err.options.retryAfterMs).toBe(7_000);
  });

  it('names the supergroup a group was upgraded to, from the refusal of the old group', () => {
    const upgraded = 'Bad Request: group chat was upgraded to a supergroup chat';
    expect(migratedTo(apiError(400, upgraded, { migrate_to_chat_id: -1001234567890 }))).toBe(
      '-1001234567890',
    );
    expect(migratedTo(apiError(400, upgraded))).toBeUndefined();
    expect(migratedTo(apiError(400, 'Bad Request: chat not found'))).toBeUndefined();
    expect(migratedTo(network(new Error('HTTP 502 without a JSON answer')))).toBeUndefined();
  });

  it('treats every failure to get an answer as transient: timeouts, refused connections, HTML pages', () => {
    const refused = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:443`), { code: 'ECONNREFUSED' });
    for (const cause of [
      new errors.HeadersTimeoutError(),
      new errors.BodyTimeoutError(),
      new errors.SocketError('other side closed'),
      refused,
      new Error('HTTP 502 without a JSON answer'),
      new Error("Request to 'sendMessage' timed out after 50 seconds"),
    ]) {
      expect(toPlatformError(network(cause), 'sendMessage').kind).toBe('transient');
    }
    expect(toPlatformError(new Error('anything else'), 'sendMessage').kind).toBe('transient');
  });

  it('tells a timeout from other network failures', () => {
    expect(isTimeout(network(new errors.HeadersTimeoutError()))).toBe(true);
    expect(isTimeout(network(new errors.BodyTimeoutError()))).toBe(true);
    expect(isTimeout(network(new Error("Request to 'getUpdates' timed out after 50 seconds")))).toBe(true);
    expect(isTimeout(network(new errors.SocketError('other side closed')))).toBe(false);
    expect(describeError(network(new errors.HeadersTimeoutError()))).toBe('no answer in time');
    expect(describeError(network(new Error('HTTP 502 without a JSON answer')))).toBe(
      'network error (HTTP 502 without a JSON answer)',
    );
  });
});
