/**
 * The agent outage: one incident shared by every worker through Redis, so that while the agent fails
 * for everyone (5xx, 429, timeouts, unreachable) the bridge stops calling it per message.
 *
 * - The first retryable failure opens the outage (`outage`, a hash: id, since, next probe time,
 *   probes, code, announced). Calls already in flight that fail too only extend it.
 * - While it is open, a turn about to call the agent asks the `gate`: before the next probe time it
 *   waits; at that time exactly one turn gets the probe slot. It probes cheaply (a new session costs
 *   no credits) and, when that works, its own question is the trial call. A failed probe or trial
 *   pushes the next probe time out with a capped exponential backoff (honouring `Retry-After`).
 * - The first answer from the agent closes the outage and wakes the turns that were waiting for it.
 * - Each waiting chat is told once per outage, and admins once when it starts and once when it ends,
 *   but only once it has lasted `noticeAfterMs`: a two-second blip says nothing.
 *
 * Every key expires within a day, whatever happens.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The outage as a turn sees it. */
export interface OutageState {
  id: string;
  /** When it started, epoch ms. */
  since: number;
  /** What the latest failure was (`server`, `timeout`, `rate_limited`, …). */
  code: string;
}

/** The gate's answer to a turn about to call the agent. */
export type Gate =
  /** No outage: call. */
  | { kind: 'open' }
  /** Wait until `until` (epoch ms), the next probe time. */
  | { kind: 'wait'; until: number; outage: OutageState }
  /** This turn probes: check the agent cheaply, then make its own call as the trial. */
  | { kind: 'probe'; outage: OutageState };

/** What a failure did to the outage. */
export interface Failure {
  /** False when this failure opened the outage. */
  existed: boolean;
  outage: OutageState;
  /** The next probe time, epoch ms. */
  next: number;
}

const DAY_SECONDS = 86_400;

// KEYS[1] outage. ARGV: now, new id, code, min delay ms, base ms, max ms, jitter 0..1, probe failed ('1'/'0').
// Opens the outage (or extends it) and pushes its next probe time out; returns {existed, id, since, next}.
const FAIL = `
local now = tonumber(ARGV[1])
local existed = 1
if redis.call('EXISTS', KEYS[1]) == 0 then
  existed = 0
  redis.call('HSET', KEYS[1], 'id', ARGV[2], 'since', now, 'probes', 0, 'next', 0)
end
local probes = tonumber(redis.call('HGET', KEYS[1], 'probes') or '0')
if ARGV[8] == '1' then
  probes = probes + 1
  redis.call('HSET', KEYS[1], 'probes', probes)
end
local delay = math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) * 2 ^ math.min(probes, 30))
delay = math.floor(math.min(tonumber(ARGV[6]), delay * (0.75 + tonumber(ARGV[7]) * 0.5)))
delay = math.max(delay, tonumber(ARGV[4]))
-- A failed probe sets the next probe time (the probe had held it while it ran); other failures only push it out.
local next = now + delay
if ARGV[8] ~= '1' then next = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), next) end
redis.call('HSET', KEYS[1], 'next', next, 'code', ARGV[3])
redis.call('EXPIRE', KEYS[1], ${DAY_SECONDS})
local s = redis.call('HMGET', KEYS[1], 'id', 'since')
return {existed, s[1], s[2], next}`;

// KEYS[1] outage. ARGV: now, hold ms. {0} no outage; {1, next, id, since, code} wait;
// {2, 0, id, since, code}: the caller probes, and the next probe time moves `hold` ahead meanwhile.
const GATE = `
local s = redis.call('HMGET', KEYS[1], 'id', 'since', 'code', 'next')
if not s[1] then return {0} end
local now = tonumber(ARGV[1])
local next = tonumber(s[4] or '0')
if now < next then return {1, next, s[1], s[2], s[3] or ''} end
redis.call('HSET', KEYS[1], 'next', now + tonumber(ARGV[2]))
return {2, 0, s[1], s[2], s[3] or ''}`;

// KEYS[1] outage, KEYS[2] waiting threads. ARGV[1] id. Ends outage ARGV[1] (not a later one).
// Returns {0} when it was not open, else {1, announced, since, waiting threads…}.
const CLOSE = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return {0} end
local s = redis.call('HMGET', KEYS[1], 'announced', 'since')
redis.call('DEL', KEYS[1])
local waiting = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
local out = {1, s[1] or '', s[2]}
for i = 1, #waiting do out[#out + 1] = waiting[i] end
return out`;

// KEYS[1] outage. ARGV[1] id. Marks outage ARGV[1] announced; 1 for the first caller only (0 when
// it was announced already or is over: never recreates an ended outage's hash).
const ANNOUNCE = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
return redis.call('HSETNX', KEYS[1], 'announced', '1')`;

type Script = (...args: Array<string | number>) => Promise<unknown>;

export class AgentOutage {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #retry: { baseMs: number; maxMs: number };
  readonly #random: () => number;

  constructor(
    redis: Redis,
    options: {
      prefix: string;
      /** Backoff between probes: the agent retry settings. */
      retry: { baseMs: number; maxMs: number };
      random?: () => number;
    },
  ) {
    this.#redis = redis;
    this.#p = options.prefix;
    this.#retry = options.retry;
    this.#random = options.random ?? Math.random;
    redis.defineCommand('outageFail', { numberOfKeys: 1, lua: FAIL });
    redis.defineCommand('outageGate', { numberOfKeys: 1, lua: GATE });
    redis.defineCommand('outageClose', { numberOfKeys: 2, lua: CLOSE });
    redis.defineCommand('outageAnnounce', { numberOfKeys: 1, lua: ANNOUNCE });
  }

  get #key(): string {
    return `${this.#p}:outage`;
  }

  #script(name: string): Script {
    return (this.#redis as unknown as Record<string, Script>)[name] as Script;
  }

  /** The open outage's id, or null (one command: cheap enough to read before every call). */
  current(): Promise<string | null> {
    return this.#redis.hget(this.#key, 'id');
  }

  /** The open outage, for reports. */
  async state(): Promise<OutageState | null> {
    const [id, since, code] = await this.#redis.hmget(this.#key, 'id', 'since', 'code');
    return id ? { id, since: Number(since), code: code ?? '' } : null;
  }

  /** Asks to call the agent; `holdMs` is how long a probe may take before another turn may try. */
  async gate(now: number, holdMs: number): Promise<Gate> {
    const res = (await this.#script('outageGate').call(this.#redis, this.#key, now, holdMs)) as
      | [0]
      | [1 | 2, number, string, string, string];
    if (res[0] === 0) return { kind: 'open' };
    const [kind, next, id, since, code] = res;
    const outage = { id, since: Number(since), code };
    return kind === 1 ? { kind: 'wait', until: Number(next), outage } : { kind: 'probe', outage };
  }

  /**
   * Records a retryable failure (`probe`: of a probe or trial call, which backs the probes off
   * further); `minDelayMs` is the API's `Retry-After`.
   */
  async fail(code: string, options: { now: number; minDelayMs?: number; probe?: boolean }): Promise<Failure> {
    const res = (await this.#script('outageFail').call(
      this.#redis,
      this.#key,
      options.now,
      `o-${randomUUID()}`,
      code,
      options.minDelayMs ?? 0,
      this.#retry.baseMs,
      this.#retry.maxMs,
      this.#random(),
      options.probe ? '1' : '0',
    )) as [number, string, string, number];
    const [existed, id, since, next] = res;
    return { existed: existed === 1, outage: { id, since: Number(since), code }, next: Number(next) };
  }

  /** Ends outage `id`; null when it had already ended. */
  async close(id: string): Promise<{ announced: boolean; since: number; waiting: string[] } | null> {
    const res = (await this.#script('outageClose').call(
      this.#redis,
      this.#key,
      `${this.#key}:waiting`,
      id,
    )) as [0] | [1, string, string, ...string[]];
    if (res[0] === 0) return null;
    const [, announced, since, ...waiting] = res;
    return { announced: announced === '1', since: Number(since), waiting };
  }

  /** Marks outage `id` as announced to admins; true for the first caller only. */
  async announce(id: string): Promise<boolean> {
    return (await this.#script('outageAnnounce').call(this.#redis, this.#key, id)) === 1;
  }

  /** Remembers that `thread` waits for the outage to end (to be woken then). */
  async waiting(thread: string): Promise<void> {
    const key = `${this.#key}:waiting`;
    await this.#redis.multi().sadd(key, thread).expire(key, DAY_SECONDS).exec();
  }

  /** True the first time `thread` is told of outage `id`. */
  async tell(id: string, thread: string): Promise<boolean> {
    const key = `${this.#key}:told:${id}`;
    const res = await this.#redis.multi().sadd(key, thread).expire(key, DAY_SECONDS).exec();
    return res?.[0]?.[1] === 1;
  }
}
