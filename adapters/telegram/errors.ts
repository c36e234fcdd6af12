/**
 * Bot API failures, classified once for the core (`PlatformError.kind`), and described without the
 * token (it is part of every Bot API URL; neither grammY's errors nor these descriptions hold it).
 * grammY throws a `GrammyError` when the Bot API answered `{ok: false, error_code, description}` and an
 * `HttpError` when it could not be reached or its answer was no JSON (a 502 page of Telegram's front).
 */
import { GrammyError, HttpError } from 'grammy';
import { PlatformError, type PlatformErrorKind } from '../../src/core/errors.ts';
import { describeFailure } from '../shared/describe.ts';

/**
 * Descriptions with which a chat refuses the bot for good: every 403 (blocked, kicked, deactivated
 * user, not a member, a user who never started the bot) and the 400s that mean the same.
 */
const CHAT_REFUSED = new RegExp(
  [
    'chat not found',
    'bot was blocked by the user',
    'bot was kicked',
    'user is deactivated',
    'bot is not a member',
    "bot can't initiate conversation",
    "bot can't send messages to bots",
    'CHAT_WRITE_FORBIDDEN',
    'CHAT_RESTRICTED',
    'not enough rights to send',
    'have no rights to send',
    'need administrator rights',
    'TOPIC_CLOSED',
    'TOPIC_DELETED',
    'message thread not found',
    // The group now lives on under another id (`parameters.migrate_to_chat_id`): the adapter sends
    // there instead (`migratedTo`); without that id, this chat is gone.
    'group chat was upgraded to a supergroup',
    'PEER_ID_INVALID',
  ].join('|'),
  'i',
);
/** 400 for a text over 4096 characters (after entity parsing). */
const TOO_LONG = /message is too long|text is too long|MESSAGE_TOO_LONG/i;
/** undici's codes for a request that got no answer in time. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** What the core should do about a failed Bot API call. */
export function telegramErrorKind(err: unknown): PlatformErrorKind {
  if (!(err instanceof GrammyError)) return 'transient'; // not reached, no JSON answer, timed out
  const code = err.error_code;
  if (code === 429) return 'rate_limited';
  // An invalid token gets 404 Not Found on every method, a revoked one 401 Unauthorized.
  if (code === 401 || code === 404) return 'unauthorized';
  if (code === 403) return 'chat_refused';
  if (code >= 500) return 'transient';
  if (CHAT_REFUSED.test(err.description)) return 'chat_refused';
  if (TOO_LONG.test(err.description)) return 'too_long';
  return 'rejected';
}

/** Maps a failed call of `method` to the core's `PlatformError`; the message never holds the token. */
export function toPlatformError(err: unknown, method: string): PlatformError {
  const kind = telegramErrorKind(err);
  if (kind === 'rate_limited' && err instanceof GrammyError) {
    return new PlatformError(`telegram ${method}: ${err.description}`, {
      kind,
      retryAfterMs: (err.parameters.retry_after ?? 1) * 1000,
    });
  }
  return new PlatformError(`telegram ${method}: ${describe(err)}`, { kind });
}

/**
 * The supergroup a group was upgraded to, when Telegram refused a call to the group for that reason
 * (400 with `parameters.migrate_to_chat_id`); undefined for any other failure.
 */
export function migratedTo(err: unknown): string | undefined {
  if (!(err instanceof GrammyError)) return undefined;
  const to = err.parameters.migrate_to_chat_id;
  return typeof to === 'number' && Number.isSafeInteger(to) ? String(to) : undefined;
}

/** True when the call got no answer in time (undici's timeouts, or grammY's own timer). */
export function isTimeout(err: unknown): boolean {
  const cause = err instanceof HttpError ? err.error : err;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return true;
  return cause instanceof Error && /timed out after/.test(cause.message);
}

/** Telegram's 400 for HTML it cannot parse ("can't parse entities: Unsupported start tag …"). */
export function refusedFormatting(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /can't parse entities|unsupported start tag/i.test(err.description)
  );
}

/** One line about a failure, without the token. */
export function describe(err: unknown): string {
  return describeFailure(err, (e) => {
    if (e instanceof GrammyError) return `${e.error_code} ${e.description}`;
    if (isTimeout(e)) return 'no answer in time';
    if (e instanceof HttpError) return `network error (${(e.error as Error)?.message ?? 'unknown'})`;
    return undefined;
  });
}
