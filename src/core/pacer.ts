/**
 * Paces sends before a platform's limits, so that it rarely has to refuse one with a 429: a send
 * waits until its chat's limit allows it, then reserves the bot's next free global slot and waits
 * for that.
 * The slots live in Redis (one generic cell rate per limit, on Redis's clock), so every worker
 * process shares them, and a chat's key expires once its slots are in the past.
 */
import type { Redis } from 'ioredis';
import type { Address, IncomingMessage, Platform, Rate, SendPacing } from './contract.ts';
import { sleep } from './retry.ts';

/**
 * KEYS: the global limit's key, the chat's key. ARGV: interval and burst of each, in that order.
 * When the chat's limit allows a send now, reserves the global limit's next slot, counts the chat's
 * send at that slot, and returns how long until it comes (ms, >= 0). Otherwise reserves nothing and
 * returns minus the time until the chat allows a send. Only chats ready to send take global slots, so
 * a chat's later messages never hold the slots of other chats.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function tat(key)
  local v = tonumber(redis.call('GET', key) or now)
  if v < now then return now end
  return v
end
local function earliest(tat, i)
  return tat - tonumber(ARGV[2 * i - 1]) * (tonumber(ARGV[2 * i]) - 1)
end
local global, chat = tat(KEYS[1]), tat(KEYS[2])
local chatAt = earliest(chat, 2)
if chatAt > now then return now - chatAt end
local at = math.max(now, earliest(global, 1))
local function take(key, tat, i)
  local nextTat = math.max(tat, at) + tonumber(ARGV[2 * i - 1])
  redis.call('SET', key, string.format('%d', nextTat), 'PX', nextTat - now + 1000)
end
take(KEYS[1], global, 1)
take(KEYS[2], chat, 2)
return at - now
`;

type Script = (...args: Array<string | number>) => Promise<number>;

export class Pacer {
  readonly #prefix: string;
  readonly #reserve: Script;

  constructor(redis: Redis, prefix: string) {
    this.#prefix = prefix;
    redis.defineCommand('paceReserve', { lua: RESERVE });
    this.#reserve = (redis as unknown as { paceReserve: Script }).paceReserve.bind(redis);
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
      const ms = await this.reserve(platform, pacing, address, chatType);
      if (ms !== 0) {
        waited = true;
        await sleep(Math.abs(ms), signal);
      }
      if (ms >= 0) break;
    }
    return waited;
  }

  /**
   * One try at a slot: how long until the reserved slot comes (ms, >= 0), or, when the chat is not
   * ready yet, minus how long until it is (nothing reserved).
   */
  reserve(
    platform: Platform,
    pacing: SendPacing,
    address: Address,
    chatType: IncomingMessage['chatType'],
  ): Promise<number> {
    const chat: Rate = chatType === 'group' ? pacing.group : pacing.direct;
    const base = `${this.#prefix}:pace:${platform}`;
    return this.#reserve(
      2,
      `${base}:all`,
      `${base}:chat:${address.channel}`,
      pacing.global.intervalMs,
      pacing.global.burst,
      chat.intervalMs,
      chat.burst,
    );
  }
}
