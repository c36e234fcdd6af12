/**
 * The agent outage: one incident shared by every worker through Redis, so that while the agent fails
 * for everyone (5xx, 429, timeouts, unreachable) the bridge stops calling it per message.
 *
 * - Retryable failures make a streak (`outage`, a hash); any answer from the agent ends it. A streak
 *   of `threshold` failures with no answer in between opens the outage (one 429 is enough: a rate
 *   limit holds for every chat), so an agent that fails now and then is not taken for down.
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

/** What a failure did: `none`, a streak still too short to be an outage; `opened` one; or one `existed`. */
export type Failure =
  | { kind: 'none' }
  | {
      kind: 'opened' | 'existed';
      outage: OutageState;
      /** The next probe time, epoch ms. */
      next: number;
    };

/** What a turn reads before its step: the open outage's id, and whether a failure streak is on. */
export interface AgentHealth {
  /** The open outage, or null. */
  outageId: string | null;
  /** True while failures with no answer in between are counted (an open outage included). */
  failing: boolean;
}

const DAY_SECONDS = 86_400;

// KEYS[1] outage. ARGV: now, new id, code, min delay ms, base ms, max ms, jitter 0..1, probe failed
// ('1'/'0'), streak that opens an outage. Counts the failure in the streak; opens the outage once the
// streak is long enough, or pushes its next probe time out. Returns {0} (no outage), or
// {1 opened | 2 existed, id, since, next}.
const FAIL = `
local now = tonumber(ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures == 1 then redis.call('HSET', KEYS[1], 'since', now) end
redis.call('HSET', KEYS[1], 'code', ARGV[3])
redis.call('EXPIRE', KEYS[1], ${DAY_SECONDS})
local state = 2
if not redis.call('HGET', KEYS[1], 'id') then
  if failures < tonumber(ARGV[9]) then return {0} end
  state = 1
  redis.call('HSET', KEYS[1], 'id', ARGV[2], 'probes', 0, 'next', 0)
end
local probes = tonumber(redis.call('HGET', KEYS[1], 'probes') or '0')
if ARGV[8] == '1' then
  probes = probes + 1
  redis.call('HSET', KEYS[1], 'probes', probes)
end
-- The first probe comes as late as the streak's next retry would have (base * 2^2), then later.
local delay = math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) * 2 ^ math.min(probes + 2, 30))
delay = math.floor(math.min(tonumber(ARGV[6]), delay * (0.75 + tonumber(ARGV[7]) * 0.5)))
delay = math.max(delay, tonumber(ARGV[4]))
-- A failed probe sets the next probe time (the probe had held it while it ran); other failures only push it out.
local next = now + delay
if ARGV[8] ~= '1' then next = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), next) end
redis.call('HSET', KEYS[1], 'next', next)
local s = redis.call('HMGET', KEYS[1], 'id', 'since')
return {state, s[1], s[2], next}`;

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

// KEYS[1] outage, KEYS[2] waiting threads. The agent answered: ends the failure streak and the
// outage, if one is open. Returns {0} when none was open, else {1, announced, since, waiting threads…}.
const CLOSE = `
local s = redis.call('HMGET', KEYS[1], 'id', 'announced', 'since')
redis.call('DEL', KEYS[1])
if not s[1] then return {0} end
local waiting = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
local out = {1, s[2] or '', s[3]}
for i = 1, #waiting do out[#out + 1] = waiting[i] end
return out`;

// KEYS[1] outage. ARGV: id, now. A probe of outage ARGV[1] was given up (the bridge is stopping):
// the next turn may probe at once.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then redis.call('HSET', KEYS[1], 'next', ARGV[2]) end
return 0`;

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
  readonly #threshold: number;

  constructor(
    redis: Redis,
    options: {
      prefix: string;
      /** Backoff between probes: the agent retry settings. */
      retry: { baseMs: number; maxMs: number };
      /** Retryable failures in a row, with no answer between, that make an outage. Default 3. */
      threshold?: number;
      random?: () => number;
    },
  ) {
    this.#redis = redis;
    this.#p = options.prefix;
    this.#retry = options.retry;
    this.#random = options.random ?? Math.random;
    this.#threshold = options.threshold ?? 3;
    redis.defineCommand('outageFail', { numberOfKeys: 1, lua: FAIL });
    redis.defineCommand('outageGate', { numberOfKeys: 1, lua: GATE });
    redis.defineCommand('outageClose', { numberOfKeys: 2, lua: CLOSE });
    redis.defineCommand('outageAnnounce', { numberOfKeys: 1, lua: ANNOUNCE });
    redis.defineCommand('outageRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  get #key(): string {
    return `${this.#p}:outage`;
  }

  #script(name: string): Script {
    return (this.#redis as unknown as Record<string, Script>)[name] as Script;
  }

  /** The open outage and the failure streak (one command: cheap enough to read before every call). */
  async current(): Promise<AgentHealth> {
    const [id, failures] = await this.#redis.hmget(this.#key, 'id', 'failures');
    return { outageId: id ?? null, failing: failures !== null || id !== null };
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
   * further); `minDelayMs` is the API's `Retry-After`; `opens`: this failure alone opens an outage
   * (a rate limit).
   */
  async fail(
    code: string,
    options: { now: number; minDelayMs?: number; probe?: boolean; opens?: boolean },
  ): Promise<Failure> {
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
      options.opens ? 1 : this.#threshold,
    )) as [0] | [1 | 2, string, string, number];
    if (res[0] === 0) return { kind: 'none' };
    const [state, id, since, next] = res;
    return {
      kind: state === 1 ? 'opened' : 'existed',
      outage: { id, since: Number(since), code },
      next: Number(next),
    };
  }

  /** The agent answered: ends the failure streak, and the outage if one was open (null when none was). */
  async close(): Promise<{ announced: boolean; since: number; waiting: string[] } | null> {
    const res = (await this.#script('outageClose').call(this.#redis, this.#key, `${this.#key}:waiting`)) as
      | [0]
      | [1, string, string, ...string[]];
    if (res[0] === 0) return null;
    const [, announced, since, ...waiting] = res;
    return { announced: announced === '1', since: Number(since), waiting };
  }

  /** Gives back the probe slot of outage `id` (its probe was aborted): another turn may probe now. */
  async release(id: string, now: number): Promise<void> {
    await this.#script('outageRelease').call(this.#redis, this.#key, id, now);
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
