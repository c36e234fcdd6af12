/**
 * Upstream refusals that need an operator (bad key, no credits, agent disabled) are raised once per
 * incident, not once per message: the first raise in an hour logs an error with what to do.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { AdminNotifier } from './admin-notifier.ts';
import type { AgentErrorCode } from './errors.ts';

/** What an operator must do about each refusal that needs one (the terminal chat and doctor say it too). */
export const ADVICE: Partial<Record<AgentErrorCode, string>> = {
  unauthorized:
    'the Aksita API key is missing, invalid or revoked: create a new key in the dashboard and set AKSITA_API_KEY',
  'payment-required': 'the agent has no credits left or the plan expired: top up credits or renew the plan',
  forbidden: 'the agent is disabled or deleted, or this key may not use it: check the agent in the dashboard',
};

/** How long one incident lasts before the same refusal is reported again. */
const INCIDENT_TTL_SECONDS = 3600;

export class Incidents {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #notifier: AdminNotifier | undefined;

  constructor(options: { redis: Redis; prefix: string; log: Logger; notifier?: AdminNotifier }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#log = options.log;
    this.#notifier = options.notifier;
  }

  /**
   * Reports `code` unless it was reported within the last hour. `reported`: this call reported it;
   * `alerted`: an admin was sent the alert of this incident (by this call or the one that reported it),
   * so that users may be told the team knows.
   */
  async raise(
    code: AgentErrorCode,
    details: { status?: number; reason: string },
  ): Promise<{ reported: boolean; alerted: boolean }> {
    const advice = ADVICE[code];
    if (!advice) return { reported: false, alerted: false };
    const key = `${this.#prefix}:incident:${code}`;
    const first = await this.#redis.set(key, 'reported', 'EX', INCIDENT_TTL_SECONDS, 'NX');
    if (first !== 'OK') return { reported: false, alerted: (await this.#redis.get(key)) === 'alerted' };
    this.#log.error(
      { code, status: details.status, reason: details.reason, advice },
      'agent refused: operator action needed',
    );
    const reached = await this.#notifier?.notify(
      'agent-refused',
      `The Aksita agent refused messages (${details.status ?? code}): ${advice}.`,
    );
    const alerted = (reached ?? 0) > 0;
    if (alerted) await this.#redis.set(key, 'alerted', 'EX', INCIDENT_TTL_SECONDS, 'XX');
    return { reported: true, alerted };
  }
}
