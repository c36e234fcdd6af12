/**
 * Hourly counters in Redis (`stats:<hour>`, kept 2 days), so `status` can say how many turns ran and
 * which errors happened in the last hour across every process of the bridge. Counts are added up in
 * memory and written once a second in one transaction, not with a transaction per answer; `flush()`
 * writes what is pending (at shutdown, and before this process reads the counters). A process killed
 * outright loses at most its last second of counts, never a message.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Platform } from './contract.ts';
import type { AgentErrorCode, PlatformErrorKind } from './errors.ts';
import type { DropReason, Observer } from './observer.ts';

const KEEP_SECONDS = 2 * 86_400;
const FLUSH_MS = 1_000;

/** `YYYY-MM-DDTHH` (UTC) of `ms`. */
function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

export interface HourStats {
  /** Agent replies in the last 60 minutes (this hour and the previous one, weighted). */
  answered: number;
  /**
   * Errors in the last 60 minutes: agent errors by code (`server`, `timeout`, `rate_limited`, …),
   * failed sends as `<platform>:<kind>` (`slack:unauthorized`), and questions or answers dropped
   * unposted as `<platform>:dropped_<reason>`.
   */
  errors: Record<string, number>;
}

export class Stats implements Observer {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Counts not yet written: key → field → count. */
  #pending = new Map<string, Map<string, number>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: Redis, options: { prefix: string; log: Logger; now?: () => number }) {
    this.#redis = redis;
    this.#p = options.prefix;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  #bump(field: string): void {
    const key = `${this.#p}:stats:${hourOf(this.#now())}`;
    let fields = this.#pending.get(key);
    if (fields === undefined) {
      fields = new Map();
      this.#pending.set(key, fields);
    }
    fields.set(field, (fields.get(field) ?? 0) + 1);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  /** Writes the pending counts. Never rejects: stats that cannot be written are logged and dropped. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Map();
    const multi = this.#redis.multi();
    for (const [key, fields] of pending) {
      for (const [field, count] of fields) multi.hincrby(key, field, count);
      multi.expire(key, KEEP_SECONDS);
    }
    await multi.exec().catch((err: unknown) => this.#log.debug({ err }, 'stats not recorded'));
  }

  received(): void {}
  posted(): void {}
  inFlight(): void {}
  billed(): void {}

  answered(_platform: Platform): void {
    this.#bump('answered');
  }

  agentFailed(code: AgentErrorCode): void {
    this.#bump(`err:${code}`);
  }

  sendFailed(platform: Platform, kind: PlatformErrorKind): void {
    this.#bump(`err:${platform}:${kind}`);
  }

  dropped(platform: Platform, _what: 'question' | 'answer', reason: DropReason): void {
    this.#bump(`err:${platform}:dropped_${reason}`);
  }

  /** Counts of the last 60 minutes: this hour in full plus the share of the previous hour still inside the window. */
  async lastHour(): Promise<HourStats> {
    await this.flush();
    const now = this.#now();
    const [current, previous] = await Promise.all([
      this.#redis.hgetall(`${this.#p}:stats:${hourOf(now)}`),
      this.#redis.hgetall(`${this.#p}:stats:${hourOf(now - 3_600_000)}`),
    ]);
    const share = 1 - (now % 3_600_000) / 3_600_000;
    const result: HourStats = { answered: 0, errors: {} };
    for (const [hash, weight] of [
      [current, 1],
      [previous, share],
    ] as const) {
      for (const [field, raw] of Object.entries(hash)) {
        const n = Number(raw) * weight;
        if (field === 'answered') result.answered += n;
        else if (field.startsWith('err:')) {
          const code = field.slice(4);
          result.errors[code] = (result.errors[code] ?? 0) + n;
        }
      }
    }
    result.answered = Math.round(result.answered);
    for (const code of Object.keys(result.errors)) result.errors[code] = Math.round(result.errors[code] ?? 0);
    return result;
  }
}
