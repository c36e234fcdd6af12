/**
 * What the Discord adapter and its commands share about REST: the no-pings rule of every post, and
 * failures classified once for the core (`PlatformError.kind`, from the HTTP status and Discord's
 * JSON error code) or described without secrets (an interaction's URL holds its token). discord.js
 * throws `DiscordAPIError` for a 4xx (`{code, message, errors}`), `HTTPError` for a 5xx,
 * `RateLimitError` for a limit longer than it may wait, and undici's `AbortError` when its `timeout`
 * passed without an answer.
 */
import { RESTJSONErrorCodes as Code, DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PlatformError, type PlatformErrorKind } from '../../src/core/errors.ts';
import { describeFailure } from '../shared/describe.ts';

/** Never ping anyone from an agent's answer, not even the user replied to. */
export const NO_PINGS = { parse: [], replied_user: false };

/** JSON error codes with which a channel, thread or user refuses the bot for good. */
const CHAT_REFUSED = new Set<number>([
  Code.UnknownChannel,
  Code.UnknownGuild,
  Code.UnknownUser,
  Code.MissingAccess,
  Code.CannotSendMessagesToThisUser,
  Code.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds,
  Code.CannotSendMessagesInNonTextChannel,
  Code.CannotSendAMessageInAForumChannel,
  Code.ChannelVerificationLevelTooHighForYouToGainAccess,
  Code.MissingPermissions,
  Code.CannotExecuteActionOnThisChannelType,
  Code.InvalidActionOnArchivedThread,
  Code.ThreadLocked,
]);
/** Codes of refusals that pass later by themselves. */
const TRANSIENT = new Set<number>([Code.APIResourceOverloaded, Code.SendMessagesHasBeenTemporarilyDisabled]);

/** What the core should do about a failed REST call. */
export function discordErrorKind(err: unknown): PlatformErrorKind {
  if (err instanceof RateLimitError) return 'rate_limited';
  if (!(err instanceof DiscordAPIError)) return 'transient'; // 5xx (`HTTPError`), network, timeout
  const code = Number(err.code);
  if (err.status === 401 || code === Code.Unauthorized || code === Code.VerifyYourAccount)
    return 'unauthorized';
  if (err.status === 429) return 'rate_limited';
  if (CHAT_REFUSED.has(code)) return 'chat_refused';
  if (TRANSIENT.has(code) || err.status >= 500) return 'transient';
  if (code === Code.InvalidFormBodyOrContentType && contentTooLong(err)) return 'too_long';
  return 'rejected';
}

/** True when a 50035 Invalid Form Body says `content` is over the length limit. */
function contentTooLong(err: DiscordAPIError): boolean {
  const raw = err.rawError as { errors?: { content?: { _errors?: Array<{ code?: unknown }> } } };
  return raw.errors?.content?._errors?.some((e) => e.code === 'BASE_TYPE_MAX_LENGTH') ?? false;
}

/** Maps a REST failure of `what`; the message never holds the token. */
export function toPlatformError(err: unknown, what: string): PlatformError {
  const kind = discordErrorKind(err);
  if (err instanceof RateLimitError) {
    return new PlatformError(`discord ${what}: rate limited on ${err.route}`, {
      kind,
      retryAfterMs: err.retryAfter,
    });
  }
  if (err instanceof DiscordAPIError) {
    const message = `discord ${what}: ${err.status} ${err.code} ${err.message.replaceAll('\n', '; ')}`;
    if (kind !== 'rate_limited') return new PlatformError(message, { kind });
    const retryAfter = (err.rawError as { retry_after?: unknown }).retry_after;
    return new PlatformError(message, {
      kind,
      retryAfterMs: typeof retryAfter === 'number' ? Math.ceil(retryAfter * 1000) : 1_000,
    });
  }
  return new PlatformError(`discord ${what}: ${describe(err)}`, { kind });
}

/** One line about a failure, with no URL in it (interaction URLs hold a token). */
export function describe(err: unknown): string {
  return describeFailure(err, (e) => {
    if (e instanceof DiscordAPIError || e instanceof HTTPError) return `${e.status} ${e.message}`;
    if (e instanceof RateLimitError) return `rate limited for ${e.retryAfter} ms`;
    return undefined;
  });
}
