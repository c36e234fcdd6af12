/**
 * Paces sends before a platform's limits, so that it rarely has to refuse one with a 429: a send
 * waits until its chat's limit allows it, then reserves the bot's next free global slot and waits
 * for that.
 * The slots live in Redis (one generic cell rate per limit, on Redis's clock, `lua/pace-reserve.lua`),
 * so every worker process shares them, and a chat's key expires once its slots are in the past.
 */
import type { Redis, Result } from 'ioredis';
import { loadLua } from '../lua.ts';
import type { Address, IncomingMessage, Platform, Rate, SendPacing } from './contract.ts';
import { sleep } from './retry.ts';

/** Reply of `lua/pace-reserve.lua`. */
type ReserveReply = ['reserved', number] | ['chat_busy', number];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** `lua/pace-reserve.lua`. */
    paceReserve(all: string, chat: string, ...argv: number[]): Result<ReserveReply, Context>;
  }
}

const RESERVE = loadLua(new URL('./lua/', import.meta.url), 'pace-reserve');

/** One try at a send slot. */
export type Reservation =
  /** A slot is reserved; it comes in `ms` (0: now). */
  | { kind: 'reserved'; ms: number }
  /** The chat's limit allows no send for `ms`; nothing is reserved. */
  | { kind: 'chat-busy'; ms: number };

export class Pacer {
  readonly #prefix: string;
  readonly #redis: Redis;

  constructor(redis: Redis, prefix: string) {
    this.#prefix = prefix;
    this.#redis = redis;
    redis.defineCommand('paceReserve', { numberOfKeys: 2, lua: RESERVE });
  }

  /**
   * Resolves when one message to `address` may be sent under the limits (at once when they leave
   * room), or when `signal` aborts; true when it had to wait. A slot it reserved is spent whether or
   * not the send happens.
   */
  async wait(
    platform: Platform,
    pacing: SendPacing,
    address: Address,
    chatType: IncomingMessage['chatType'],
    signal: AbortSignal,
  ): Promise<boolean> {
    let waited = false;
    while (!signal.aborted) {
      const slot = await this.reserve(platform, pacing, address, chatType);
      if (slot.ms !== 0) {
        waited = true;
        await sleep(slot.ms, signal);
      }
      if (slot.kind === 'reserved') break;
    }
    return waited;
  }

  /** One try at a slot: reserved, and how long until it comes, or how long until the chat is ready. */
  async reserve(
    platform: Platform,
    pacing: SendPacing,
    address: Address,
    chatType: IncomingMessage['chatType'],
  ): Promise<Reservation> {
    const chat: Rate = chatType === 'group' ? pacing.group : pacing.direct;
    const base = `${this.#prefix}:pace:${platform}`;
    const [kind, ms] = await this.#redis.paceReserve(
      `${base}:all`,
      `${base}:chat:${address.channel}`,
      pacing.global.intervalMs,
      pacing.global.burst,
      chat.intervalMs,
      chat.burst,
    );
    return { kind: kind === 'reserved' ? 'reserved' : 'chat-busy', ms };
  }
}
