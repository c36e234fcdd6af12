/**
 * The agent error policy, table by table: which failures end a message with which notice, and when a
 * retryable failure is retried, waits for the outage, or is given up.
 */
import { describe, expect, it } from 'vitest';
import { afterRetryableFailure, finalFailure, GIVE_UP_AFTER_MS } from '../../src/core/agent-policy.ts';
import { AgentError, type AgentErrorCode } from '../../src/core/errors.ts';
import type { Failure } from '../../src/core/outage.ts';

const policy = { maxAttempts: 3, timeoutResends: 1, baseMs: 1_000, maxMs: 60_000 };
const mid = () => 0.5;
const outage = { id: 'o-1', since: 0, code: 'server' };

describe('finalFailure', () => {
  it.each<[string, AgentError, ReturnType<typeof finalFailure>]>([
    ['a bad request', new AgentError('bad-request', 400, 'no'), { kind: 'refused', notice: 'badRequest' }],
    ['a refused key', new AgentError('unauthorized', 401, 'no'), { kind: 'refused', notice: 'serviceDown' }],
    ['a forbidden call', new AgentError('forbidden', 403, 'no'), { kind: 'refused', notice: 'serviceDown' }],
    [
      'no credits',
      new AgentError('payment-required', 402, 'no'),
      { kind: 'refused', notice: 'outOfCredits' },
    ],
    [
      'a session gone again',
      new AgentError('not-found', 404, 'gone'),
      { kind: 'refused', notice: 'unavailable' },
    ],
    [
      'a billed reply that cannot be used',
      new AgentError('malformed', 200, 'bad', { billed: { credits: 3, remainingCredits: 10 } }),
      { kind: 'billed', notice: 'unavailable' },
    ],
    ['a server error', new AgentError('server', 503, 'busy'), null],
    ['a timeout', new AgentError('timeout', undefined, 'late', { mayBeBilled: true }), null],
    ['a rate limit', new AgentError('rate_limited', 429, 'slow down'), null],
    ['an unreachable agent', new AgentError('network', undefined, 'ECONNREFUSED'), null],
  ])('%s', (_what, err, expected) => {
    expect(finalFailure(err)).toEqual(expected);
  });
});

describe('afterRetryableFailure', () => {
  const none: Failure = { kind: 'none' };
  const existing: Failure = { kind: 'existed', outage, next: 15_000 };
  const base = { outage: none, attempts: 1, timeouts: 0, failingForMs: 0, trial: false, now: 10_000 };
  const err = (code: AgentErrorCode, details: AgentError['details'] = {}) =>
    new AgentError(code, undefined, 'failed', details);

  it.each<[string, Parameters<typeof afterRetryableFailure>[0], ReturnType<typeof afterRetryableFailure>]>([
    [
      'first failure of its own: the base backoff',
      { ...base, err: err('server') },
      { kind: 'retry', ms: 1_000 },
    ],
    ['second: twice that', { ...base, attempts: 2, err: err('server') }, { kind: 'retry', ms: 2_000 }],
    [
      'a Retry-After longer than the backoff is honoured',
      { ...base, err: err('server', { retryAfterMs: 30_000 }) },
      { kind: 'retry', ms: 30_000 },
    ],
    [
      'the last attempt: given up',
      { ...base, attempts: 3, err: err('server') },
      { kind: 'give-up', notice: 'unavailable', why: 'failed-too-long' },
    ],
    [
      'failing for an hour: given up, even in an outage',
      { ...base, outage: existing, attempts: 0, failingForMs: GIVE_UP_AFTER_MS, err: err('server') },
      { kind: 'give-up', notice: 'unavailable', why: 'failed-too-long' },
    ],
    [
      'one timeout resent',
      { ...base, timeouts: 1, err: err('timeout', { mayBeBilled: true }) },
      { kind: 'retry', ms: 1_000 },
    ],
    [
      'timed out again: too slow (it may have been billed)',
      { ...base, timeouts: 2, err: err('timeout', { mayBeBilled: true }) },
      { kind: 'give-up', notice: 'tooSlow', why: 'timed-out-again' },
    ],
    [
      'in an outage: wait for its next probe',
      { ...base, outage: existing, attempts: 0, err: err('server') },
      { kind: 'wait-for-outage', until: 15_000, outage },
    ],
    [
      'a failed trial waits twice as long',
      { ...base, outage: existing, attempts: 0, trial: true, err: err('server') },
      { kind: 'wait-for-outage', until: 20_000, outage },
    ],
    [
      'an outage opened by a rate limit',
      { ...base, outage: { kind: 'opened', outage, next: 40_000 }, attempts: 0, err: err('rate_limited') },
      { kind: 'wait-for-outage', until: 40_000, outage },
    ],
    [
      'a next probe time already past: at once',
      { ...base, outage: { kind: 'existed', outage, next: 5_000 }, attempts: 0, err: err('server') },
      { kind: 'wait-for-outage', until: 10_000, outage },
    ],
  ])('%s', (_what, failure, expected) => {
    expect(afterRetryableFailure(failure, policy, mid)).toEqual(expected);
  });
});
