/**
 * Credit accounting. Every agent reply's `credits` and `remaining_credits` are recorded in one Lua
 * script (`lua/credits-record.lua`): per-day totals by platform (`credits:day:<date>`), per chat and user (`credits:by:<date>`),
 * and a sorted set of chats for the top spenders (`credits:chats:<date>`), each kept 90 days; the latest balance
 * with the time it was read; and the low-balance thresholds crossed going down (each alerts once,
 * and is re-armed when the balance goes back above it, i.e. after a top-up).
 */
import type { Redis, Result } from 'ioredis';
import { loadLua } from '../lua.ts';
import type { Platform } from './contract.ts';

/** How long daily counters are kept. */
const KEEP_DAYS = 90;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** `lua/credits-record.lua`: the thresholds crossed going down. */
    creditsRecord(
      day: string,
      chats: string,
      balance: string,
      alerted: string,
      perEntity: string,
      ...argv: Array<string | number>
    ): Result<string[], Context>;
  }
}

const RECORD = loadLua(new URL('./lua/', import.meta.url), 'credits-record');

/** UTC date `YYYY-MM-DD` of `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One recorded agent reply. */
export interface CreditUse {
  platform: Platform;
  thread: string;
  /** `<platform>:<user id>`. */
  user: string;
  /** Credits this call used. */
  credits: number;
  /** Balance after it (NaN when the reply did not say). */
  remaining: number;
  /** The routed agent that answered (`AGENT_ROUTES`); absent or '': the platform's key. */
  agent?: string;
}

/** Spend summed over a period. */
export interface Spend {
  total: number;
  byPlatform: Partial<Record<Platform, number>>;
  /** Agent replies, by platform. */
  replies: Partial<Record<Platform, number>>;
  /** Spend of each routed agent (`AGENT_ROUTES`), by its name; empty without routes. */
  byAgent: Record<string, number>;
}

export interface CreditReport {
  /** Latest known balance and when it was read (epoch ms); null before any reply. */
  balance: { remaining: number; at: number } | null;
  /** The balance of each routed agent's key that has answered, by the agent's name. */
  agentBalances: Record<string, { remaining: number; at: number }>;
  today: Spend;
  last7Days: Spend;
  last30Days: Spend;
  /** Chats that spent the most in the last 30 days. */
  topChats: Array<{ thread: string; credits: number }>;
}

export class CreditLedger {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #thresholds: number[];

  readonly #agents: readonly string[];

  /** `agents`: the routed agents' names (`AGENT_ROUTES`), whose balances the report shows. */
  constructor(
    redis: Redis,
    options: { prefix: string; alertThresholds: number[]; agents?: readonly string[] },
  ) {
    this.#redis = redis;
    this.#p = options.prefix;
    this.#agents = options.agents ?? [];
    this.#thresholds = options.alertThresholds;
    redis.defineCommand('creditsRecord', { numberOfKeys: 5, lua: RECORD });
  }

  #day(day: string): string {
    return `${this.#p}:credits:day:${day}`;
  }

  #perEntity(day: string): string {
    return `${this.#p}:credits:by:${day}`;
  }

  /** Records one reply; returns the low-balance thresholds it crossed going down (to alert on). */
  async record(use: CreditUse, now = Date.now()): Promise<number[]> {
    const day = utcDay(now);
    // Each routed agent's key has a balance (and low-balance alerts) of its own.
    const agent = use.agent ?? '';
    const own = agent === '' ? '' : `:${agent}`;
    const crossed = await this.#redis.creditsRecord(
      this.#day(day),
      `${this.#p}:credits:chats:${day}`,
      `${this.#p}:credits:balance${own}`,
      `${this.#p}:credits:alerted${own}`,
      this.#perEntity(day),
      Math.max(0, Math.round(use.credits)),
      Number.isFinite(use.remaining) ? use.remaining : '',
      now,
      KEEP_DAYS * 86_400,
      use.platform,
      use.thread,
      use.user,
      agent,
      ...this.#thresholds,
    );
    return crossed.map(Number);
  }

  /** The latest known balance and when it was read (epoch ms), or null before any reply. */
  async balance(): Promise<{ remaining: number; at: number } | null> {
    const h = await this.#redis.hgetall(`${this.#p}:credits:balance`);
    return h.remaining === undefined ? null : { remaining: Number(h.remaining), at: Number(h.at) };
  }

  /** Credits spent today (UTC) by a user (`<platform>:<id>`) and by a chat thread. */
  async spentToday(user: string, thread: string, now = Date.now()): Promise<{ user: number; chat: number }> {
    const [u, c] = await this.#redis.hmget(this.#perEntity(utcDay(now)), `u:${user}`, `c:${thread}`);
    return { user: Number(u ?? 0), chat: Number(c ?? 0) };
  }

  /** Balance, spend today / 7 days / 30 days by platform, and the top chats over 30 days. */
  async report(now = Date.now(), top = 5): Promise<CreditReport> {
    const days = Array.from({ length: 30 }, (_, i) => utcDay(now - i * 86_400_000));
    // MULTI, so the temporary union is always deleted with the read (never left without a TTL).
    const pipeline = this.#redis.multi();
    pipeline.hgetall(`${this.#p}:credits:balance`);
    for (const day of days) pipeline.hgetall(this.#day(day));
    const tmp = `${this.#p}:credits:top-tmp:${now}`;
    pipeline.zunionstore(tmp, days.length, ...days.map((d) => `${this.#p}:credits:chats:${d}`));
    pipeline.zrevrange(tmp, 0, top - 1, 'WITHSCORES');
    pipeline.del(tmp);
    for (const agent of this.#agents) pipeline.hgetall(`${this.#p}:credits:balance:${agent}`);
    const results = (await pipeline.exec()) ?? [];
    const value = (i: number) => results[i]?.[1];
    const balance = value(0) as Record<string, string>;
    const hashes = days.map((_, i) => (value(i + 1) ?? {}) as Record<string, string>);
    const flat = (value(days.length + 2) ?? []) as string[];
    const topChats: CreditReport['topChats'] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      topChats.push({ thread: flat[i] as string, credits: Number(flat[i + 1]) });
    const agentBalances: CreditReport['agentBalances'] = {};
    this.#agents.forEach((agent, i) => {
      const h = (value(days.length + 4 + i) ?? {}) as Record<string, string>;
      if (h.remaining !== undefined)
        agentBalances[agent] = { remaining: Number(h.remaining), at: Number(h.at) };
    });
    return {
      balance:
        balance.remaining === undefined
          ? null
          : { remaining: Number(balance.remaining), at: Number(balance.at) },
      agentBalances,
      today: sum(hashes.slice(0, 1)),
      last7Days: sum(hashes.slice(0, 7)),
      last30Days: sum(hashes),
      topChats,
    };
  }
}

function sum(hashes: Array<Record<string, string>>): Spend {
  const spend: Spend = { total: 0, byPlatform: {}, replies: {}, byAgent: {} };
  for (const hash of hashes) {
    for (const [field, raw] of Object.entries(hash)) {
      const n = Number(raw);
      if (field === 'total') spend.total += n;
      else if (field.startsWith('p:')) add(spend.byPlatform, field.slice(2) as Platform, n);
      else if (field.startsWith('n:')) add(spend.replies, field.slice(2) as Platform, n);
      else if (field.startsWith('g:'))
        spend.byAgent[field.slice(2)] = (spend.byAgent[field.slice(2)] ?? 0) + n;
    }
  }
  return spend;
}

function add(into: Partial<Record<Platform, number>>, key: Platform, n: number): void {
  into[key] = (into[key] ?? 0) + n;
}
