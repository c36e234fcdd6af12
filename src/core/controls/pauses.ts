/**
 * Human takeover: the chats where a person from the business has paused the agent (`/pause`, or by
 * replying when `HANDOFF_ON_HUMAN_REPLY` is on), each until a time. Kept in Redis, so a pause
 * outlives restarts: a hash of thread → pause, and a sorted set of threads by end time, from which
 * one process claims each pause that has run out (`claimEnded`) to tell its chat, once, that the
 * agent answers again.
 */
import type { Redis, Result } from 'ioredis';
import { loadLua } from '../../lua.ts';
import type { IncomingMessage } from '../contract.ts';

/** One paused chat. Plain JSON. */
export interface Pause {
  thread: string;
  /** When the agent answers again, epoch ms. */
  until: number;
  /** Who paused it: `platform:user id`, or `auto` for a human reply. */
  by: string;
  /** The message that paused it, when it was given in that chat: where the "back" notice goes. */
  message?: IncomingMessage;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** `lua/pauses-claim-ended.lua`: the claimed pauses' JSON values. */
    pausesClaimEnded(pauses: string, due: string, now: number, max: number): Result<string[], Context>;
  }
}

const CLAIM_ENDED = loadLua(new URL('../lua/', import.meta.url), 'pauses-claim-ended');

export class Pauses {
  readonly #redis: Redis;
  readonly #hash: string;
  readonly #due: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#hash = `${prefix}:pauses`;
    this.#due = `${prefix}:pauses:due`;
    redis.defineCommand('pausesClaimEnded', { numberOfKeys: 2, lua: CLAIM_ENDED });
  }

  /** Pauses `pause.thread` until `pause.until` (a later `/pause` replaces an earlier one). */
  async pause(pause: Pause): Promise<void> {
    await this.#redis
      .multi()
      .hset(this.#hash, pause.thread, JSON.stringify(pause))
      .zadd(this.#due, pause.until, pause.thread)
      .exec();
  }

  /**
   * Keeps `message` (the first one written during `pause`, which was given from another chat) as where
   * its end is announced, for as long as the pause lasts.
   */
  async noteWhere(pause: Pause, message: IncomingMessage, now: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil((pause.until - now) / 1000) + 3_600);
    await this.#redis.set(this.#whereKey(pause.thread), JSON.stringify(message), 'EX', ttl, 'NX');
  }

  #whereKey(thread: string): string {
    return `${this.#hash}:where:${thread}`;
  }

  /** Ends the pause of `thread` now; the pause it ended, if there was one. */
  async resume(thread: string): Promise<Pause | null> {
    const [[, value] = [], , [, removed] = []] =
      (await this.#redis
        .multi()
        .hget(this.#hash, thread)
        .zrem(this.#due, thread)
        .hdel(this.#hash, thread)
        .del(this.#whereKey(thread))
        .exec()) ?? [];
    return removed === 1 && typeof value === 'string' ? (JSON.parse(value) as Pause) : null;
  }

  /** The pause of `thread` if it is paused at `now`. */
  async get(thread: string, now: number): Promise<Pause | null> {
    const value = await this.#redis.hget(this.#hash, thread);
    if (value === null) return null;
    const pause = JSON.parse(value) as Pause;
    return pause.until > now ? pause : null;
  }

  /** Every chat paused at `now`, soonest end first. */
  async list(now: number): Promise<Pause[]> {
    const values = Object.values(await this.#redis.hgetall(this.#hash));
    return values
      .map((v) => JSON.parse(v) as Pause)
      .filter((p) => p.until > now)
      .sort((a, b) => a.until - b.until);
  }

  /** Takes up to `max` pauses that ended by `now` for this caller alone. */
  async claimEnded(now: number, max = 50): Promise<Pause[]> {
    const pauses = (await this.#redis.pausesClaimEnded(this.#hash, this.#due, now, max)).map(
      (v) => JSON.parse(v) as Pause,
    );
    // A pause given from another chat is announced where someone wrote during it, if anyone did.
    for (const pause of pauses) {
      if (pause.message) continue;
      const key = this.#whereKey(pause.thread);
      const [[, where] = []] = (await this.#redis.multi().get(key).del(key).exec()) ?? [];
      if (typeof where === 'string') pause.message = JSON.parse(where) as IncomingMessage;
    }
    return pauses;
  }
}
