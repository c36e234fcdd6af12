/**
 * The per-thread mailbox in Redis: what gives the bridge order, dedupe and durability. It is the
 * `ThreadStore` of `core/thread-store.ts` (which says what each method promises); its Lua scripts are
 * in `lua/`, each headed with its KEYS, ARGV and return values (`inbox-scripts.ts` types them).
 *
 * - `accept` (one Lua script): drop a message seen before (`seen:<id>`, with a TTL); append it to
 *   `inbox:<thread>`; if the thread has no turn (`active:<thread>`), start one and tell the caller
 *   to enqueue its BullMQ job.
 * - A turn claims the thread (`run:<thread>`, a fencing token per run). Each step `begin`s with the
 *   head and its progress in `turn:<thread>` (one script, which also checks the claim), stores the
 *   answer before posting, counts the chunks posted, then `advance` pops exactly that head and, when
 *   the inbox is empty, ends the turn in the same script, so a message arriving at that instant is
 *   never stranded. Each script checks the claim, so a step costs few round trips.
 * - `turns` (a sorted set of threads with a turn, by start time) lets `staleTurns` find a turn whose
 *   job was never enqueued (a crash between `accept` and the enqueue) or has failed.
 *
 * Every key has a TTL or is removed when its thread is idle, except `conv:<thread>`, the thread's
 * Aksita conversation, which must outlive restarts.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type AcceptResult,
  type AdvanceResult,
  DEFAULT_MAX_PENDING,
  type InboxEntry,
  type PostedRecord,
  type Step,
  type ThreadStore,
  type TurnRef,
} from '../core/thread-store.ts';
import { defineInboxScripts } from './inbox-scripts.ts';

/** How long a head's progress record lives (it is deleted as soon as the head is done). */
const TURN_STATE_TTL_SECONDS = 7 * 24 * 3600;

/** How long a run's claim lives. */
const CLAIM_TTL_SECONDS = 86_400;

/** A fresh turn id; BullMQ job ids may not contain `:`. */
function newJobId(): string {
  return `t-${randomUUID()}`;
}

/** The `ThreadStore` on Redis (the scripts are `lua/*.lua`). */
export class Inbox implements ThreadStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #dedupeTtl: number;
  readonly #maxPending: number;
  readonly #coalesce: number;

  /**
   * `coalesce`: the most messages one question may join (burst coalescing, `COALESCE_WINDOW_MS`);
   * default 1, off.
   */
  constructor(
    redis: Redis,
    options: { prefix: string; dedupeTtlSeconds: number; maxPending?: number; coalesce?: number },
  ) {
    this.#redis = redis;
    defineInboxScripts(redis);
    this.#prefix = options.prefix;
    this.#dedupeTtl = options.dedupeTtlSeconds;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#coalesce = options.coalesce ?? 1;
  }

  #key(kind: string, thread: string): string {
    return `${this.#prefix}:${kind}:${thread}`;
  }

  async accept(entry: InboxEntry): Promise<AcceptResult> {
    const thread = entry.message.thread;
    const reply = await this.#redis.inboxAccept(
      `${this.#prefix}:seen:${entry.id}`,
      this.#key('inbox', thread),
      this.#key('active', thread),
      `${this.#prefix}:turns`,
      JSON.stringify(entry),
      this.#dedupeTtl,
      thread,
      entry.acceptedAt,
      this.#maxPending,
      newJobId(),
    );
    switch (reply[0]) {
      case 'duplicate':
        return { outcome: 'duplicate' };
      case 'full':
        return { outcome: 'full' };
      case 'started':
        return { outcome: 'queued', startTurn: reply[1] };
      case 'queued':
        return { outcome: 'queued' };
    }
  }

  async claim(thread: string, jobId: string, run: string): Promise<boolean> {
    const claimed = await this.#redis.inboxClaim(
      this.#key('active', thread),
      this.#key('run', thread),
      jobId,
      run,
      CLAIM_TTL_SECONDS,
    );
    return claimed === 1;
  }

  async isCurrent(thread: string, run: string): Promise<boolean> {
    return (await this.#redis.get(this.#key('run', thread))) === run;
  }

  async begin(thread: string, run: string): Promise<Step> {
    const reply = await this.#redis.inboxBegin(
      this.#key('run', thread),
      this.#key('inbox', thread),
      this.#key('turn', thread),
      run,
      TURN_STATE_TTL_SECONDS,
      this.#coalesce,
    );
    if (reply[0] === 'stale') return { kind: 'stale' };
    if (reply[0] === 'empty') return { kind: 'empty' };
    const [, raw, tries, posted, chunks, timeouts, joined] = reply;
    return {
      kind: 'head',
      raw,
      ...(joined.length > 0 && { joined }),
      state: {
        tries,
        posted,
        timeouts,
        ...(chunks !== '' && { chunks: JSON.parse(chunks) as string[] }),
      },
    };
  }

  async advance(
    thread: string,
    jobId: string,
    run: string,
    rawHead: string,
    posted?: PostedRecord,
    count = 1,
  ): Promise<AdvanceResult> {
    const reply = await this.#redis.inboxAdvance(
      this.#key('inbox', thread),
      this.#key('active', thread),
      `${this.#prefix}:turns`,
      this.#key('turn', thread),
      this.#key('run', thread),
      rawHead,
      thread,
      jobId,
      run,
      posted?.entryId ?? '',
      posted?.count ?? '',
      count,
    );
    return reply[0] === 'stale' ? { kind: 'stale' } : { kind: 'advanced', left: reply[1] };
  }

  bump(thread: string, field: 'tries' | 'timeouts', by = 1): Promise<number> {
    return this.#redis.hincrby(this.#key('turn', thread), field, by);
  }

  async failed(
    thread: string,
    what: 'call' | 'post',
    now: number,
  ): Promise<{ since: number; tries: number }> {
    const key = this.#key('turn', thread);
    const field = what === 'call' ? 'failingSince' : 'postFailingSince';
    const multi = this.#redis.multi().hsetnx(key, field, String(now)).hget(key, field);
    if (what === 'post') multi.hincrby(key, 'postTries', 1);
    const res = await multi.exec();
    return { since: Number(res?.[1]?.[1] ?? now), tries: Number(res?.[2]?.[1] ?? 0) };
  }

  async saveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean> {
    const saved = await this.#redis.inboxSave(
      this.#key('run', thread),
      this.#key('turn', thread),
      run,
      entryId,
      JSON.stringify(chunks),
      TURN_STATE_TTL_SECONDS,
    );
    return saved === 1;
  }

  async resaveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean> {
    const saved = await this.#redis.inboxResave(
      this.#key('run', thread),
      this.#key('turn', thread),
      run,
      entryId,
      JSON.stringify(chunks),
    );
    return saved === 1;
  }

  async markPosted(thread: string, run: string, entryId: string, count: number): Promise<boolean> {
    const current = await this.#redis.inboxMark(
      this.#key('run', thread),
      this.#key('turn', thread),
      run,
      entryId,
      count,
    );
    return current === 1;
  }

  async staleTurns(olderThan: number, limit = 500): Promise<TurnRef[]> {
    const threads = await this.#redis.zrangebyscore(
      `${this.#prefix}:turns`,
      '-inf',
      olderThan,
      'LIMIT',
      0,
      limit,
    );
    if (threads.length === 0) return [];
    const ids = await this.#redis.mget(threads.map((t) => this.#key('active', t)));
    return threads.map((thread, i) => ({ thread, jobId: ids[i] ?? null }));
  }

  async restartTurn(thread: string, jobId: string, now: number): Promise<string | null> {
    const next = newJobId();
    const moved = await this.#redis.inboxRestart(
      this.#key('active', thread),
      `${this.#prefix}:turns`,
      jobId,
      thread,
      now,
      next,
    );
    return moved === 1 ? next : null;
  }

  jobOf(thread: string): Promise<string | null> {
    return this.#redis.get(this.#key('active', thread));
  }

  async hasTurn(thread: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key('active', thread))) === 1;
  }

  async oldestTurnStartedAt(): Promise<number | null> {
    const [, score] = await this.#redis.zrange(`${this.#prefix}:turns`, '0', '0', 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  async forgetTurn(thread: string): Promise<void> {
    await this.#redis.zrem(`${this.#prefix}:turns`, thread);
  }
}
