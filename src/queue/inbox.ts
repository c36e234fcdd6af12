/**
 * The per-thread mailbox in Redis: what gives the bridge order, dedupe and durability.
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
  /** Agent calls for this head that timed out (each may have been billed). */
  timeouts: number;
  /** The rendered answer, once the agent has replied. */
  chunks?: string[];
  /** How many chunks are posted. */
  posted: number;
}

/** The start of a step of a turn: the head and its progress. */
export type Step =
  /** The run no longer holds the thread's claim. */
  | { kind: 'stale' }
  | { kind: 'empty' }
  /** `state.tries` counts the attempts before this one (begun for an ask without an answer). */
  | { kind: 'head'; raw: string; state: TurnState };

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

// Records chunks posted (ARGV[n + 1]) for head ARGV[n], never on another head's record nor lowering
// the count: a fact, whoever holds the claim. Used by MARK and ADVANCE.
const RECORD_POSTED = (n: number) => `
local function recordPosted(key)
  if ARGV[${n + 1}] ~= '' and redis.call('HGET', key, 'head') == ARGV[${n}]
    and tonumber(redis.call('HGET', key, 'posted') or '0') < tonumber(ARGV[${n + 1}]) then
    redis.call('HSET', key, 'posted', ARGV[${n + 1}])
  end
end`;

// Checks run ARGV[1]'s claim, reads the head and its record (a record of another head is dropped),
// and counts a new attempt when the head is a question with no answer yet.
// Returns {0} stale, {1} empty,
// {2, head, tries before, posted, chunks or '', timeouts}. (How long calls and sends have been
// failing is read and written by `failed`.)
const BEGIN = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
local raw = redis.call('LINDEX', KEYS[2], 0)
if not raw then return {1} end
local ok, entry = pcall(cjson.decode, raw)
if not ok or type(entry) ~= 'table' or type(entry.id) ~= 'string' then return {2, raw, 0, 0, '', 0} end
local s = redis.call('HMGET', KEYS[3], 'head', 'tries', 'posted', 'chunks', 'timeouts')
if s[1] ~= entry.id then
  redis.call('DEL', KEYS[3])
  s = {entry.id, false, false, false, false}
end
local tries = tonumber(s[2] or '0')
if entry.kind == 'ask' and not s[4] then
  redis.call('HSET', KEYS[3], 'head', entry.id, 'tries', tries + 1)
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
return {2, raw, tries, tonumber(s[3] or '0'), s[4] or '', tonumber(s[5] or '0')}`;

// Stores head ARGV[2]'s rendered answer ARGV[3] while run ARGV[1] holds the claim (else nothing).
const SAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'head', ARGV[2], 'chunks', ARGV[3], 'posted', 0)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1`;

// Replaces head ARGV[2]'s rendered answer with ARGV[3] (the same text cut smaller) while run ARGV[1]
// holds the claim, keeping the count of chunks posted.
const RESAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('HGET', KEYS[2], 'head') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 'chunks', ARGV[3])
return 1`;

// Records ARGV[3] chunks posted for head ARGV[2]; returns whether run ARGV[1] still holds the claim.
const MARK = `${RECORD_POSTED(2)}
recordPosted(KEYS[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0`;

// Pops the head if it is still ARGV[1] (or nothing when ARGV[1] is empty), forgets the head's
// state, and ends the turn when the inbox is empty and the turn is still this job's.
// Returns -1 when run ARGV[4] no longer holds the thread's claim: then it only records the chunks
// posted (ARGV[6]) for head ARGV[5], so the run that took over does not post them again.
const ADVANCE = `${RECORD_POSTED(5)}
if redis.call('GET', KEYS[5]) ~= ARGV[4] then
  recordPosted(KEYS[4])
  return -1
end
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
  inboxBegin: Script;
  inboxSave: Script;
  inboxResave: Script;
  inboxMark: Script;
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
    redis.defineCommand('inboxBegin', { numberOfKeys: 3, lua: BEGIN });
    redis.defineCommand('inboxSave', { numberOfKeys: 2, lua: SAVE });
    redis.defineCommand('inboxResave', { numberOfKeys: 2, lua: RESAVE });
    redis.defineCommand('inboxMark', { numberOfKeys: 2, lua: MARK });
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
   * Starts a step of `run`: the head and its progress (a record of an older head is discarded), one
   * more attempt counted when the head is a question still without an answer.
   */
  async begin(thread: string, run: string): Promise<Step> {
    const res = (await this.#scripts.inboxBegin(
      this.#key('run', thread),
      this.#key('inbox', thread),
      this.#key('turn', thread),
      run,
      TURN_STATE_TTL_SECONDS,
    )) as [0] | [1] | [2, string, number, number, string, number];
    if (res[0] === 0) return { kind: 'stale' };
    if (res[0] === 1) return { kind: 'empty' };
    const [, raw, tries, posted, chunks, timeouts] = res;
    return {
      kind: 'head',
      raw,
      state: {
        tries,
        posted,
        timeouts,
        ...(chunks !== '' && { chunks: JSON.parse(chunks) as string[] }),
      },
    };
  }

  /**
   * Pops `rawHead` (when still the head; `''` pops nothing) and ends the turn if nothing is left.
   * Returns how many remain, or -1 when `run` no longer holds the claim: then nothing is popped, and
   * only `posted` (chunks of head `entryId` posted, when given) is recorded.
   */
  async advance(
    thread: string,
    jobId: string,
    run: string,
    rawHead: string,
    posted?: { entryId: string; count: number },
  ): Promise<number> {
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
      posted?.entryId ?? '',
      posted?.count ?? '',
    )) as number;
  }

  /** Adds `by` to a counter of the head's progress and returns the new value. */
  bump(thread: string, field: 'tries' | 'timeouts', by = 1): Promise<number> {
    return this.#redis.hincrby(this.#key('turn', thread), field, by);
  }

  /**
   * Records a failure of the head's agent call (`what: 'call'`) or of a send (`'post'`) at `now`;
   * returns since when that has been failing and, for sends, how many sends failed.
   */
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

  /** Stores head `entryId`'s rendered answer before its first chunk is posted; false when `run` lost the claim. */
  async saveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean> {
    const saved = await this.#scripts.inboxSave(
      this.#key('run', thread),
      this.#key('turn', thread),
      run,
      entryId,
      JSON.stringify(chunks),
      TURN_STATE_TTL_SECONDS,
    );
    return saved === 1;
  }

  /** Replaces head `entryId`'s answer by the same text cut smaller; false when `run` lost the claim. */
  async resaveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean> {
    const saved = await this.#scripts.inboxResave(
      this.#key('run', thread),
      this.#key('turn', thread),
      run,
      entryId,
      JSON.stringify(chunks),
    );
    return saved === 1;
  }

  /** Records that the first `count` chunks of head `entryId` are posted; false when `run` lost the claim. */
  async markPosted(thread: string, run: string, entryId: string, count: number): Promise<boolean> {
    const current = await this.#scripts.inboxMark(
      this.#key('run', thread),
      this.#key('turn', thread),
      run,
      entryId,
      count,
    );
    return current === 1;
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

  /** The job id of `thread`'s turn, or null when it has none. */
  jobOf(thread: string): Promise<string | null> {
    return this.#redis.get(this.#key('active', thread));
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
