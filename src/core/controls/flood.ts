/**
 * Flood protection (`USER_RATE_LIMIT`): how many messages one person sent in the current minute, in
 * Redis, so the count survives restarts and is shared by every receiver. Past the limit, the first
 * extra message gets one polite notice and the rest of that minute's are not sent to the agent.
 */
import type { Redis } from 'ioredis';

/** What to do with a message, by its sender's count this minute. */
export type FloodVerdict = 'ok' | 'notice' | 'drop';

export class FloodGuard {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limit: number;

  /** `limit`: messages per minute per person; 0 turns the guard off. */
  constructor(redis: Redis, prefix: string, limit: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#limit = limit;
  }

  /** Counts a message of `person` (`platform:id`) at `now` and says what to do with it. */
  async count(person: string, now: number): Promise<FloodVerdict> {
    if (this.#limit <= 0) return 'ok';
    const key = `${this.#prefix}:flood:${person}:${Math.floor(now / 60_000)}`;
    const [[, n] = []] = (await this.#redis.multi().incr(key).expire(key, 120).exec()) ?? [];
    const sent = Number(n);
    if (sent <= this.#limit) return 'ok';
    return sent === this.#limit + 1 ? 'notice' : 'drop';
  }
}
