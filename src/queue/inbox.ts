/**
 * The per-thread mailbox in Redis: what gives the bridge order, dedupe and durability.
 *
 * - `accept` (one Lua script): drop a message seen before (`seen:<id>`, with a TTL); append it to
 *   `inbox:<thread>`; if the thread has no turn (`active:<thread>`), start one and tell the caller
 *   to enqueue its BullMQ job.
 * - A turn peeks the head, processes it, stores the answer in `turn:<thread>` before posting, counts
 *   the chunks posted, then `advance` pops exactly that head and, when the inbox is empty, ends the
 *   turn in the same script, so a message arriving at that instant is never stranded.
 * - `turns` (a sorted set of threads with a turn, by start time) lets `staleTurns` find a turn whose
 *   job was never enqueued (a crash between `accept` and the enqueue) or has failed.
 *
 * Every key has a TTL or is removed when its thread is idle, except `conv:<thread>`, the thread's
 * Aksita conversation, which must outlive restarts.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CommandName } from '../core/commands.ts';
import type { IncomingMessage } from '../core/contract.ts';
import type { NoticeKey } from '../notices.ts';

/** One stored message of a thread's inbox (plain JSON). */
export interface InboxEntry {
  /** The platform message id (dedupe key). */
  id: string;
  /**
   * `ask`: a question for the agent; `notice`: a bridge notice to post in order; `command`: a bridge
   * command, run when its turn comes (neither of the last two calls the agent).
   */
  kind: 'ask' | 'notice' | 'command';
  /** Which notice, for `kind: 'notice'`. */
  notice?: NoticeKey;
  /** Which command, for `kind: 'command'`. */
  command?: CommandName;
  /** The normalized message (text, address, user). */
  message: IncomingMessage;
  /** When the bridge stored it, epoch ms. */
  acceptedAt: number;
}

/** What is known of the head message's progress. */
export interface TurnState {
  /** Agent attempts started for this head (a crash mid-call counts). */
  tries: number;
  /** Failed send attempts for this head (429 waits excluded). */
  postTries: number;
  /** The rendered answer, once the agent has replied. */
  chunks?: string[];
  /** How many chunks are posted. */
  posted: number;
}

/** Result of `accept`. */
export type AcceptResult =
  | { outcome: 'duplicate' }
  | { outcome: 'full' }
  | { outcome: 'queued'; startTurn?: string /* job id to enqueue */ };

const ACCEPT = `
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[5]) then return {3} end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return {0} end
redis.call('RPUSH', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then return {1} end
redis.call('SET', KEYS[3], ARGV[6])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
return {2, ARGV[6]}`;

// Pops the head if it is still ARGV[1] (or nothing when ARGV[1] is empty), forgets the head's
// state, and ends the turn when the inbox is empty and the turn is still this job's.
// Returns -1 (and does nothing) when run ARGV[4] no longer holds the thread's claim.
const ADVANCE = `
if redis.call('GET', KEYS[5]) ~= ARGV[4] then return -1 end
if ARGV[1] ~= '' and redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  redis.call('DEL', KEYS[4])
end
local left = redis.call('LLEN', KEYS[1])
if left == 0 and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
  redis.call('DEL', KEYS[5])
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return left`;

// A run of job ARGV[1] claims the thread: the latest claim wins, so a run that lost its BullMQ lock
// (and whose job was handed to another run) finds out before it asks the agent, posts or pops.
const CLAIM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', 86400)
return 1`;

// Hands a turn to the new job id ARGV[4] if it still belongs to ARGV[1].
const RESTART = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1`;

/** A fresh turn id; BullMQ job ids may not contain `:`. */
function newJobId(): string {
  return `t-${randomUUID()}`;
}

/** How long a head's progress record lives (it is deleted as soon as the head is done). */
const TURN_STATE_TTL_SECONDS = 7 * 24 * 3600;

type Script = (...args: Array<string | number>) => Promise<unknown>;
interface Scripts {
  inboxAccept: Script;
  inboxAdvance: Script;
  inboxRestart: Script;
  inboxClaim: Script;
}

export class Inbox {
  readonly #redis: Redis;
  readonly #scripts: Scripts;
  readonly #p: string;
  readonly #dedupeTtl: number;
  readonly #maxPending: number;

  constructor(redis: Redis, options: { prefix: string; dedupeTtlSeconds: number; maxPending?: number }) {
    this.#redis = redis;
    redis.defineCommand('inboxAccept', { numberOfKeys: 4, lua: ACCEPT });
    redis.defineCommand('inboxAdvance', { numberOfKeys: 5, lua: ADVANCE });
    redis.defineCommand('inboxClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('inboxRestart', { numberOfKeys: 2, lua: RESTART });
    this.#scripts = redis as unknown as Scripts;
    this.#p = options.prefix;
    this.#dedupeTtl = options.dedupeTtlSeconds;
    this.#maxPending = options.maxPending ?? 500;
  }

  #key(kind: string, thread: string): string {
    return `${this.#p}:${kind}:${thread}`;
  }

  /** Stores `entry` at the end of its thread's inbox, unless its id was seen before. */
  async accept(entry: InboxEntry): Promise<AcceptResult> {
    const thread = entry.message.thread;
    const res = (await this.#scripts.inboxAccept(
      `${this.#p}:seen:${entry.id}`,
      this.#key('inbox', thread),
      this.#key('active', thread),
      `${this.#p}:turns`,
      JSON.stringify(entry),
      this.#dedupeTtl,
      thread,
      entry.acceptedAt,
      this.#maxPending,
      newJobId(),
    )) as [number, string?];
    switch (res[0]) {
      case 0:
        return { outcome: 'duplicate' };
      case 3:
        return { outcome: 'full' };
      case 2:
        return { outcome: 'queued', startTurn: res[1] as string };
      default:
        return { outcome: 'queued' };
    }
  }

  /**
   * Claims the thread's turn for one run of `jobId` (false when the turn belongs to another job).
   * A later claim replaces an earlier one: only the latest run of a turn may act.
   */
  async claim(thread: string, jobId: string, run: string): Promise<boolean> {
    return (
      (await this.#scripts.inboxClaim(this.#key('active', thread), this.#key('run', thread), jobId, run)) ===
      1
    );
  }

  /** True while `run` holds the thread's claim. */
  async isCurrent(thread: string, run: string): Promise<boolean> {
    return (await this.#redis.get(this.#key('run', thread))) === run;
  }

  /** The raw head of the inbox (the oldest unanswered message), or null when empty. */
  head(thread: string): Promise<string | null> {
    return this.#redis.lindex(this.#key('inbox', thread), 0);
  }

  /**
   * Pops `rawHead` (when still the head; `''` pops nothing) and ends the turn if nothing is left.
   * Returns how many remain, or -1 when `run` no longer holds the claim (nothing was done).
   */
  async advance(thread: string, jobId: string, run: string, rawHead: string): Promise<number> {
    return (await this.#scripts.inboxAdvance(
      this.#key('inbox', thread),
      this.#key('active', thread),
      `${this.#p}:turns`,
      this.#key('turn', thread),
      this.#key('run', thread),
      rawHead,
      thread,
      jobId,
      run,
    )) as number;
  }

  /** Progress of the head `entryId`; a record of an older head is discarded. */
  async state(thread: string, entryId: string): Promise<TurnState> {
    const h = await this.#redis.hgetall(this.#key('turn', thread));
    if (h.head !== entryId) {
      await this.#redis
        .multi()
        .del(this.#key('turn', thread))
        .hset(this.#key('turn', thread), 'head', entryId)
        .expire(this.#key('turn', thread), TURN_STATE_TTL_SECONDS)
        .exec();
      return { tries: 0, postTries: 0, posted: 0 };
    }
    return {
      tries: Number(h.tries ?? 0),
      postTries: Number(h.postTries ?? 0),
      posted: Number(h.posted ?? 0),
      ...(h.chunks !== undefined && { chunks: JSON.parse(h.chunks) as string[] }),
    };
  }

  /** Adds `by` to a counter of the head's progress and returns the new value. */
  bump(thread: string, field: 'tries' | 'postTries', by = 1): Promise<number> {
    return this.#redis.hincrby(this.#key('turn', thread), field, by);
  }

  /** Stores the head's rendered answer before the first chunk is posted. */
  async saveAnswer(thread: string, chunks: string[]): Promise<void> {
    await this.#redis.hset(this.#key('turn', thread), 'chunks', JSON.stringify(chunks), 'posted', 0);
  }

  /** Records that the first `count` chunks are posted. */
  async markPosted(thread: string, count: number): Promise<void> {
    await this.#redis.hset(this.#key('turn', thread), 'posted', count);
  }

  /** Threads whose turn started before `olderThan` (epoch ms), with their job ids. */
  async staleTurns(olderThan: number, limit = 500): Promise<Array<{ thread: string; jobId: string | null }>> {
    const threads = await this.#redis.zrangebyscore(`${this.#p}:turns`, '-inf', olderThan, 'LIMIT', 0, limit);
    if (threads.length === 0) return [];
    const ids = await this.#redis.mget(threads.map((t) => this.#key('active', t)));
    return threads.map((thread, i) => ({ thread, jobId: ids[i] ?? null }));
  }

  /** Gives the turn of `thread` a new job id if it still belongs to `jobId`; null when it moved on. */
  async restartTurn(thread: string, jobId: string, now: number): Promise<string | null> {
    const next = newJobId();
    const moved = await this.#scripts.inboxRestart(
      this.#key('active', thread),
      `${this.#p}:turns`,
      jobId,
      thread,
      now,
      next,
    );
    return moved === 1 ? next : null;
  }

  /** True while `thread` has messages being answered or waiting. */
  async hasTurn(thread: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key('active', thread))) === 1;
  }

  /** When the oldest turn still in progress started (epoch ms), or null when none is. */
  async oldestTurnStartedAt(): Promise<number | null> {
    const [, score] = await this.#redis.zrange(`${this.#p}:turns`, '0', '0', 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  /** Drops a `turns` entry whose thread has no turn any more. */
  async forgetTurn(thread: string): Promise<void> {
    await this.#redis.zrem(`${this.#p}:turns`, thread);
  }
}
