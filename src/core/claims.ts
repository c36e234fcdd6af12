/**
 * One-time claims on keys (`Claims`): an adapter claims what identifies a signed request (Slack's
 * signature) for as long as that request would be accepted, refuses a copy of it while the claim
 * lasts, and gives the claim up when the request could not be processed, so the platform's retry is
 * taken. In Redis for every process of the bridge; in memory for an adapter on its own.
 */
import type { Redis } from 'ioredis';
import type { Claims } from './contract.ts';

/** Claims under `<prefix>:claim:<key>`, seen by every process of the bridge. */
export class RedisClaims implements Claims {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    return (await this.#redis.set(this.#key(key), '1', 'EX', ttl, 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.#redis.del(this.#key(key));
  }

  #key(key: string): string {
    return `${this.#prefix}:claim:${key}`;
  }
}

/** Claims in this process's memory, each forgotten once its time is up. */
export class MemoryClaims implements Claims {
  /** Each claimed key with when it may be forgotten, epoch ms, in the order claimed. */
  readonly #until = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.#now();
    for (const [claimed, until] of this.#until) if (until <= now) this.#until.delete(claimed);
    if (this.#until.has(key)) return false;
    this.#until.set(key, now + ttlSeconds * 1000);
    return true;
  }

  async release(key: string): Promise<void> {
    this.#until.delete(key);
  }
}
