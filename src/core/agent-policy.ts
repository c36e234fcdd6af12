/**
 * The bridge's agent error policy as pure functions, from a failed call to what happens next; the
 * side effects (the shared outage, counters, notices, logs) stay with the caller (`agent-calls.ts`).
 *
 * - `finalFailure`: a reply billed but unusable, or a refusal (400/401/402/403, a session that
 *   expired again), ends the message with a notice; the agent answered, so it is not down.
 * - `afterRetryableFailure`: a retryable failure (5xx, 429, timeout, unreachable, malformed) is
 *   retried with backoff, or waits for the outage it belongs to, until the message has timed out too
 *   often (each timed-out call may have been billed), failed too often on its own, or for an hour.
 */
import type { NoticeKey } from '../notices.ts';
import { backoffDelay } from './backoff.ts';
import type { AgentError, AgentErrorCode } from './errors.ts';
import type { Failure, OutageState } from './outage.ts';

/** How the bridge treats agent failures and late questions. */
export interface AgentPolicy {
  /** Failed calls of one message (that opened an outage, or were cut off by crashes) before it is given up. */
  maxAttempts: number;
  /** First probe backoff, ms. */
  baseMs: number;
  /** Longest probe backoff, ms. */
  maxMs: number;
  /** Timeout of one agent call, ms (a probe holds the gate for about two of them). */
  timeoutMs: number;
  /** Calls again after a timed-out one. */
  timeoutResends: number;
  /** How long an outage lasts before waiting chats and admins are told, ms. */
  outageNoticeAfterMs: number;
  /** A question older than this when its turn comes is late, ms; 0: never. */
  staleAfterMs: number;
  /** What a late question gets. */
  stalePolicy: 'apologize' | 'drop' | 'answer';
}

/** A question whose calls have failed for this long is given up, outage or not. */
export const GIVE_UP_AFTER_MS = 3_600_000;

/** The notice of a refusal, by code; any other refusal gets `unavailable`. */
const FINAL_NOTICES: Partial<Record<AgentErrorCode, NoticeKey>> = {
  'bad-request': 'badRequest',
  unauthorized: 'serviceDown',
  forbidden: 'serviceDown',
  'payment-required': 'outOfCredits',
};

/** The end of a message whose call failed for good. */
export type FinalFailure =
  /** The reply was billed but cannot be used: never asked again. */
  | { kind: 'billed'; notice: 'unavailable' }
  /** The agent refused the message (`serviceDown` is meant for when admins were alerted). */
  | { kind: 'refused'; notice: NoticeKey };

/** What a failed call ends in when it is not to be retried; null when it is retryable. */
export function finalFailure(err: Pick<AgentError, 'kind' | 'code' | 'details'>): FinalFailure | null {
  if (err.details.billed) return { kind: 'billed', notice: 'unavailable' };
  if (err.kind === 'retryable') return null;
  return { kind: 'refused', notice: FINAL_NOTICES[err.code] ?? 'unavailable' };
}

/** What is known after a retryable failure was counted. */
export interface RetryableFailure {
  /** The failure (its code, `Retry-After`, whether it may have been billed). */
  err: Pick<AgentError, 'code' | 'details'>;
  /** What it did to the shared outage: `none` when it counts against this message alone. */
  outage: Failure;
  /** Failed calls counted against the message, this one included when it counts. */
  attempts: number;
  /** The message's calls that timed out, this one included. */
  timeouts: number;
  /** How long the message's calls have been failing, ms. */
  failingForMs: number;
  /** The call was the outage's trial (after a probe answered). */
  trial: boolean;
  /** Now, epoch ms. */
  now: number;
}

/** What happens after a retryable failure. */
export type RetryPlan =
  /** The message gets `notice` instead of an answer. */
  | { kind: 'give-up'; notice: 'tooSlow' | 'unavailable'; why: 'timed-out-again' | 'failed-too-long' }
  /** Call again in `ms` (the message's own backoff). */
  | { kind: 'retry'; ms: number }
  /** Wait for `outage` until `until` (epoch ms). */
  | { kind: 'wait-for-outage'; until: number; outage: OutageState };

/** What happens after a retryable failure (`random` jitters the backoff). */
export function afterRetryableFailure(
  failure: RetryableFailure,
  policy: Pick<AgentPolicy, 'maxAttempts' | 'timeoutResends' | 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): RetryPlan {
  const { err, outage, attempts, now } = failure;
  if (err.details.mayBeBilled && failure.timeouts > policy.timeoutResends)
    return { kind: 'give-up', notice: 'tooSlow', why: 'timed-out-again' };
  if (attempts >= policy.maxAttempts || failure.failingForMs >= GIVE_UP_AFTER_MS)
    return { kind: 'give-up', notice: 'unavailable', why: 'failed-too-long' };
  if (outage.kind === 'none') {
    const backoff = backoffDelay(attempts, policy.baseMs, policy.maxMs, random);
    return { kind: 'retry', ms: Math.max(err.details.retryAfterMs ?? 0, backoff) };
  }
  // A failed trial waits twice as long as the others, so that the next trial is another chat's:
  // one question the agent cannot answer must not hold the whole outage open.
  const until = now + Math.max(0, outage.next - now) * (failure.trial ? 2 : 1);
  return { kind: 'wait-for-outage', until, outage: outage.outage };
}
