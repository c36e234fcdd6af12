/**
 * How the fake Discord refuses: the steps a test scripts for the bot's message POSTs
 * (`DiscordSendStep`, `DISCORD_REFUSALS`), the errors they become with Discord's status, JSON code and
 * message (`{message, code}`; 401, 400 Invalid Form Body for content over 2000 characters), the 429
 * answer with `retry_after` and `Retry-After`/`X-RateLimit-*` headers, and the rate-limit headers of
 * the answers that pass. No I/O beyond writing the 429 answer.
 */
import type { ServerResponse } from 'node:http';
import { ApiError, formError, writeJson } from './discord-interactions.ts';

/** What a `POST /channels/:id/messages` gets (see `FakeDiscord.script`, `failSends`, `refuseChannel`). */
export type DiscordSendStep =
  /** 429 with `retry_after` (seconds, may be fractional); `global` sets `X-RateLimit-Global`. */
  | { status: 429; retryAfter: number; global?: boolean }
  /** A server error (discord.js: `HTTPError`). */
  | { status: 500 | 502 | 503 }
  /** `{message: '401: Unauthorized', code: 0}`, as for a token reset in the developer portal. */
  | { status: 401 }
  /**
   * A refusal `{message, code}` with a Discord JSON error code (default 50035 for 400, 50013 for 403,
   * 10003 for 404) and its message (default: Discord's for that code).
   */
  | { status: 400 | 403 | 404; code?: number; message?: string }
  /** 400 Invalid Form Body (50035) with `content` over 2000 characters (`BASE_TYPE_MAX_LENGTH`). */
  | { contentTooLong: true }
  /** Never answered; the request is dropped when the client goes away. Nothing is posted. */
  | { hold: true }
  /** Destroy the socket without answering (the message is not sent). */
  | { reset: true }
  /** Process normally. */
  | { pass: true };

/** Refusals as Discord answers them, for `script`, `refuseChannel` and `failSends`. */
export const DISCORD_REFUSALS = {
  /** A user who accepts no DMs from the bot (or shares no server with it). */
  cannotDm: { status: 403, code: 50007 },
  missingPermissions: { status: 403, code: 50013 },
  missingAccess: { status: 403, code: 50001 },
  unknownChannel: { status: 404, code: 10003 },
  archivedThread: { status: 400, code: 50083 },
  threadLocked: { status: 403, code: 160005 },
  tooLong: { contentTooLong: true },
  emptyMessage: { status: 400, code: 50006 },
  unauthorized: { status: 401 },
  serverError: { status: 502 },
} as const satisfies Record<string, DiscordSendStep>;

/** A channel id the fake does not know. */
export const unknownChannel = () => new ApiError(404, 10003, 'Unknown Channel');

/** The default JSON error code of a scripted refusal, by status. */
const STEP_CODES: Record<number, number> = { 400: 50035, 403: 50013, 404: 10003 };
/** Discord's messages for the JSON error codes a send may get. */
const CODE_MESSAGES: Record<number, string> = {
  10003: 'Unknown Channel',
  10013: 'Unknown User',
  50001: 'Missing Access',
  50006: 'Cannot send an empty message',
  50007: 'Cannot send messages to this user',
  50013: 'Missing Permissions',
  50035: 'Invalid Form Body',
  50083: 'Thread is archived',
  160005: 'Thread is locked',
};
/** Discord's limit on a message's `content`. */
export const MAX_CONTENT = 2000;

export const unauthorized = () => new ApiError(401, 0, '401: Unauthorized');
export const tooLong = () =>
  formError('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);

/** The error a scripted refusal (not a 429) answers with. */
export function stepError(
  step: Exclude<Extract<DiscordSendStep, { status: number }>, { status: 429 }>,
): ApiError {
  if (step.status === 401) return unauthorized();
  if (step.status >= 500) return new ApiError(step.status, 0, `${step.status}: Server Error`);
  const refusal: { status: number; code?: number; message?: string } = step;
  const code = refusal.code ?? STEP_CODES[refusal.status] ?? 0;
  return new ApiError(refusal.status, code, refusal.message ?? CODE_MESSAGES[code] ?? 'Error');
}

/** Answers a message POST with 429, `retry_after` in seconds and Discord's rate-limit headers. */
export function tooMany(res: ServerResponse, channelId: string, retryAfter: number, global: boolean): void {
  const seconds = Math.max(0, Math.round(retryAfter * 1000) / 1000);
  const headers: Record<string, string> = {
    'Retry-After': String(Math.max(1, Math.ceil(seconds))),
    'X-RateLimit-Limit': '5',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String((Date.now() + seconds * 1000) / 1000),
    'X-RateLimit-Reset-After': String(seconds),
    'X-RateLimit-Bucket': bucketOf(`POST /channels/${channelId}/messages`),
    'X-RateLimit-Scope': global ? 'global' : 'user',
    ...(global && { 'X-RateLimit-Global': 'true' }),
  };
  writeJson(res, 429, { message: 'You are being rate limited.', retry_after: seconds, global }, headers);
}

/** The rate-limit headers of an answer that passed. */
export function rateHeaders(route: string): Record<string, string> {
  return {
    'X-RateLimit-Limit': '50',
    'X-RateLimit-Remaining': '49',
    'X-RateLimit-Reset-After': '1',
    'X-RateLimit-Bucket': bucketOf(route),
  };
}

/** Like Discord, one bucket hash per route shape (the channel is the major parameter, not the hash). */
export function bucketOf(route: string): string {
  return `fake-${route.replace(/\d+/g, 'id').replace(/\W+/g, '-')}`;
}
