/**
 * The bridge's small error family. "The API refused" is kept apart from "could not reach it": an
 * `AgentError` carries the HTTP status (when there was one) and what the worker should do about it.
 */

/** What the worker does with an agent failure. */
export type AgentErrorKind =
  /** 5xx, 429, timeout, connection error, malformed reply: back off and try again. */
  | 'retryable'
  /** 404: the conversation is gone; create a new session and try once more. */
  | 'session-expired'
  /** 400/401/402/403: do not retry; tell the user, alert admins. */
  | 'final';

/** Why the agent call failed, finer than `kind`; decides the user notice and the admin alert. */
export type AgentErrorCode =
  | 'bad-request'
  | 'unauthorized'
  | 'payment-required'
  | 'forbidden'
  | 'not-found'
  | 'server'
  | 'timeout'
  | 'network'
  | 'rate_limited'
  | 'malformed';

/** An Aksita API call failed. The message never contains the API key. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    /** Why it failed. */
    readonly code: AgentErrorCode,
    /** The HTTP status, when the API answered at all. */
    readonly status: number | undefined,
    /** The API's `reason`, or a description of the transport failure. */
    readonly reason: string,
    readonly details: {
      /** The API asked us to wait this long (`Retry-After` on a 429 or 503), ms. */
      retryAfterMs?: number;
      /**
       * What the call cost when the API billed it although its reply cannot be used (a 200 whose
       * `response` is unusable): recorded like any answer's credits.
       */
      billed?: { credits: number; remainingCredits: number };
      /**
       * The question may have reached the agent and been answered and billed although no reply came
       * (a chat call that timed out); a session call never is.
       */
      mayBeBilled?: boolean;
    } = {},
  ) {
    super(`Aksita API ${status ?? 'request'} ${code}: ${reason}`);
  }

  /** What the worker should do. */
  get kind(): AgentErrorKind {
    switch (this.code) {
      case 'not-found':
        return 'session-expired';
      case 'bad-request':
      case 'unauthorized':
      case 'payment-required':
      case 'forbidden':
        return 'final';
      default:
        return 'retryable';
    }
  }
}

/**
 * Why a platform refused or could not take a send; decides what the core does with the answer.
 * - `rate_limited`: the platform asked to wait (`retryAfterMs`); try again then.
 * - `transient`: 5xx, a timeout, a connection error; try again with a capped backoff, for hours.
 * - `unauthorized`: the platform refused the bridge's own credentials (revoked or invalid token,
 *   deactivated app): nothing can be sent on this platform until an operator acts.
 * - `chat_refused`: this chat refused the bot for good (blocked, kicked, not found, archived, no
 *   permission to write); what is still queued for it need not be answered.
 * - `too_long`: the platform refused the message's length; a smaller cut may pass.
 * - `rejected`: the platform refused this message (a bad request); the next one may pass.
 */
export type PlatformErrorKind =
  | 'rate_limited'
  | 'transient'
  | 'unauthorized'
  | 'chat_refused'
  | 'too_long'
  | 'rejected';

/** A platform refused or could not take a send. The message never holds a token. */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  /** What the core should do about it. */
  readonly kind: PlatformErrorKind;
  constructor(
    message: string,
    readonly options: {
      /** Why it failed. Default `rate_limited` with `retryAfterMs`, else `transient`. */
      kind?: PlatformErrorKind;
      /** The platform asked us to wait this long before trying again (HTTP 429 `retry_after`). */
      retryAfterMs?: number;
    } = {},
  ) {
    super(message);
    this.kind = options.kind ?? (options.retryAfterMs !== undefined ? 'rate_limited' : 'transient');
  }
}

/** The configuration is invalid; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
