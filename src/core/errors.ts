/**
 * The bridge's small error family. "The API refused" is kept apart from "could not reach it": an
 * `AgentError` carries the HTTP status (when there was one) and what the worker should do about it.
 */

/** What the worker does with an agent failure. */
export type AgentErrorKind =
  /** 5xx, timeout, connection error, malformed reply: back off and try again. */
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

/** A platform refused or could not take a send. */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  constructor(
    message: string,
    readonly options: {
      /** The platform asked us to wait this long before trying again (HTTP 429 `retry_after`). */
      retryAfterMs?: number;
      /** True when trying again cannot help (chat not found, bot blocked, message rejected). */
      permanent?: boolean;
    } = {},
  ) {
    super(message);
  }
}

/** The configuration is invalid; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
