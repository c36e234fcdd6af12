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
 * Every key expires within a day, whatever happens. The scripts are `lua/outage-*.lua`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { loadLua } from '../lua.ts';

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

/** Replies of the outage's scripts (`lua/outage-*.lua`). */
type FailReply = ['none'] | ['opened' | 'existed', string, string, number];
type GateReply = ['open'] | ['wait', number, string, string, string] | ['probe', string, string, string];
type CloseReply = ['none'] | ['closed', string, string, ...string[]];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** `lua/outage-fail.lua`. */
    outageFail(outage: string, ...argv: Array<string | number>): Result<FailReply, Context>;
    /** `lua/outage-gate.lua`. */
    outageGate(outage: string, now: number, holdMs: number): Result<GateReply, Context>;
    /** `lua/outage-close.lua`. */
    outageClose(outage: string, waiting: string): Result<CloseReply, Context>;
    /** `lua/outage-release.lua`. */
    outageRelease(outage: string, id: string, now: number): Result<0 | 1, Context>;
    /** `lua/outage-announce.lua`. */
    outageAnnounce(outage: string, id: string): Result<0 | 1, Context>;
  }
}

const LUA_DIR = new URL('./lua/', import.meta.url);
/** Each script: its command, file and number of keys. */
const SCRIPTS = (
  [
    ['outageFail', 'outage-fail', 1],
    ['outageGate', 'outage-gate', 1],
    ['outageClose', 'outage-close', 2],
    ['outageRelease', 'outage-release', 1],
    ['outageAnnounce', 'outage-announce', 1],
  ] as const
).map(([name, file, keys]) => ({ name, lua: loadLua(LUA_DIR, file), keys }));

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
    for (const { name, lua, keys } of SCRIPTS) redis.defineCommand(name, { numberOfKeys: keys, lua });
  }

  get #key(): string {
    return `${this.#p}:outage`;
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
    const reply = await this.#redis.outageGate(this.#key, now, holdMs);
    if (reply[0] === 'open') return { kind: 'open' };
    if (reply[0] === 'probe') {
      const [, id, since, code] = reply;
      return { kind: 'probe', outage: { id, since: Number(since), code } };
    }
    const [, next, id, since, code] = reply;
    return { kind: 'wait', until: Number(next), outage: { id, since: Number(since), code } };
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
    const reply = await this.#redis.outageFail(
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
      DAY_SECONDS,
    );
    if (reply[0] === 'none') return { kind: 'none' };
    const [kind, id, since, next] = reply;
    return {
      kind,
      outage: { id, since: Number(since), code },
      next: Number(next),
    };
  }

  /** The agent answered: ends the failure streak, and the outage if one was open (null when none was). */
  async close(): Promise<{ announced: boolean; since: number; waiting: string[] } | null> {
    const reply = await this.#redis.outageClose(this.#key, `${this.#key}:waiting`);
    if (reply[0] === 'none') return null;
    const [, announced, since, ...waiting] = reply;
    return { announced: announced === '1', since: Number(since), waiting };
  }

  /** Gives back the probe slot of outage `id` (its probe was aborted): another turn may probe now. */
  async release(id: string, now: number): Promise<void> {
    await this.#redis.outageRelease(this.#key, id, now);
  }

  /** Marks outage `id` as announced to admins; true for the first caller only. */
  async announce(id: string): Promise<boolean> {
    return (await this.#redis.outageAnnounce(this.#key, id)) === 1;
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
