/**
 * The `ThreadStore` in memory: the same behaviour as the Redis inbox (the shared contract suite runs
 * against both), so that the router and the turn runner can be unit-tested in milliseconds. Nothing
 * survives the process; a "crash" in a test is a new run of a turn on the same store.
 *
 * Ids seen expire after the dedupe window by the injected clock, as Redis expires `seen:<id>`. The
 * other expiries of the Redis keys (a claim after a day, a progress record after a week) only
 * collect what a crashed process left behind and are not modelled.
 */
import { randomUUID } from 'node:crypto';
import {
  type AcceptResult,
  type AdvanceResult,
  DEFAULT_MAX_PENDING,
  type InboxEntry,
  type PostedRecord,
  type Step,
  type ThreadStore,
  type TurnRef,
} from './thread-store.ts';

/** How a `MemoryThreadStore` behaves. */
export interface MemoryThreadStoreOptions {
  /** How long an accepted id is remembered for dedupe, seconds. */
  dedupeTtlSeconds: number;
  /** The most messages one thread's inbox holds. Default 500. */
  maxPending?: number;
  /** Clock, epoch ms (for the dedupe window). Default `Date.now`. */
  now?: () => number;
  /** Makes a new turn's job id. Default `t-<uuid>`. */
  newJobId?: () => string;
  /** Burst coalescing: the most messages one question may join. Default 1, off. */
  coalesce?: number;
}

/** The head's progress record, as the Redis hash `turn:<thread>` holds it. */
interface Progress {
  head?: string;
  tries?: number;
  timeouts?: number;
  posted?: number;
  chunks?: string[];
  /** How many messages the head's question took (itself and those joined to it). */
  merged?: number;
  failingSince?: number;
  postFailingSince?: number;
  postTries?: number;
}

/** One thread's state. */
interface Thread {
  inbox: string[];
  /** The job id of its turn, while it has one. */
  job?: string;
  /** The run holding the claim. */
  run?: string;
  progress?: Progress;
}

export class MemoryThreadStore implements ThreadStore {
  readonly #options: Required<MemoryThreadStoreOptions>;
  readonly #threads = new Map<string, Thread>();
  /** Ids seen, with when they may be accepted again (epoch ms). */
  readonly #seen = new Map<string, number>();
  /** Threads with a turn, with when it started (epoch ms). */
  readonly #turns = new Map<string, number>();

  constructor(options: MemoryThreadStoreOptions) {
    this.#options = {
      maxPending: DEFAULT_MAX_PENDING,
      now: Date.now,
      newJobId: () => `t-${randomUUID()}`,
      coalesce: 1,
      ...options,
    };
  }

  #thread(thread: string): Thread {
    let state = this.#threads.get(thread);
    if (!state) {
      state = { inbox: [] };
      this.#threads.set(thread, state);
    }
    return state;
  }

  /** Drops a thread's record once nothing of it is left. */
  #tidy(thread: string, state: Thread): void {
    if (state.inbox.length === 0 && !state.job && !state.run && !state.progress) this.#threads.delete(thread);
  }

  async accept(entry: InboxEntry): Promise<AcceptResult> {
    const thread = entry.message.thread;
    const state = this.#thread(thread);
    const now = this.#options.now();
    if (state.inbox.length >= this.#options.maxPending) return { outcome: 'full' };
    if ((this.#seen.get(entry.id) ?? 0) > now) return { outcome: 'duplicate' };
    this.#forgetExpired(now);
    this.#seen.delete(entry.id);
    this.#seen.set(entry.id, now + this.#options.dedupeTtlSeconds * 1000);
    state.inbox.push(JSON.stringify(entry));
    if (state.job !== undefined) return { outcome: 'queued' };
    state.job = this.#options.newJobId();
    this.#turns.set(thread, entry.acceptedAt);
    return { outcome: 'queued', startTurn: state.job };
  }

  /** Forgets the oldest ids seen whose window is over (they were stored in time order). */
  #forgetExpired(now: number): void {
    for (const [id, until] of this.#seen) {
      if (until > now) return;
      this.#seen.delete(id);
    }
  }

  async claim(thread: string, jobId: string, run: string): Promise<boolean> {
    const state = this.#threads.get(thread);
    if (state?.job !== jobId) return false;
    state.run = run;
    return true;
  }

  async isCurrent(thread: string, run: string): Promise<boolean> {
    return this.#threads.get(thread)?.run === run;
  }

  async begin(thread: string, run: string): Promise<Step> {
    const state = this.#threads.get(thread);
    if (state?.run !== run) return { kind: 'stale' };
    const raw = state.inbox[0];
    if (raw === undefined) return { kind: 'empty' };
    const entry = readEntry(raw);
    if (!entry) return { kind: 'head', raw, state: { tries: 0, posted: 0, timeouts: 0 } };
    if (state.progress?.head !== entry.id) state.progress = undefined;
    const progress = state.progress ?? {};
    const tries = progress.tries ?? 0;
    let merged = progress.merged ?? 0;
    if (merged === 0 && entry.kind === 'ask' && !progress.chunks) {
      merged = 1;
      for (const next of state.inbox.slice(1, this.#options.coalesce)) {
        const joined = readEntry(next);
        if (joined?.kind !== 'ask' || joined.user === undefined || joined.user !== entry.user) break;
        merged++;
      }
    }
    merged = Math.max(1, merged);
    if (entry.kind === 'ask' && !progress.chunks)
      state.progress = { ...progress, head: entry.id, tries: tries + 1, merged };
    const joined = state.inbox.slice(1, merged);
    return {
      kind: 'head',
      raw,
      ...(joined.length > 0 && { joined }),
      state: {
        tries,
        posted: progress.posted ?? 0,
        timeouts: progress.timeouts ?? 0,
        ...(progress.chunks && { chunks: [...progress.chunks] }),
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
    const state = this.#thread(thread);
    if (state.run !== run) {
      if (posted) recordPosted(state.progress, posted.entryId, posted.count);
      this.#tidy(thread, state);
      return { kind: 'stale' };
    }
    if (rawHead !== '' && state.inbox[0] === rawHead) {
      state.inbox.splice(0, Math.max(1, count));
      state.progress = undefined;
    }
    const left = state.inbox.length;
    if (left === 0 && state.job === jobId) {
      state.job = undefined;
      state.run = undefined;
      this.#turns.delete(thread);
    }
    this.#tidy(thread, state);
    return { kind: 'advanced', left };
  }

  async bump(thread: string, field: 'tries' | 'timeouts', by = 1): Promise<number> {
    const state = this.#thread(thread);
    state.progress ??= {};
    const value = (state.progress[field] ?? 0) + by;
    state.progress[field] = value;
    return value;
  }

  async failed(
    thread: string,
    what: 'call' | 'post',
    now: number,
  ): Promise<{ since: number; tries: number }> {
    const state = this.#thread(thread);
    state.progress ??= {};
    const progress = state.progress;
    const field = what === 'call' ? 'failingSince' : 'postFailingSince';
    progress[field] ??= now;
    const since = progress[field];
    if (what === 'call') return { since, tries: 0 };
    progress.postTries = (progress.postTries ?? 0) + 1;
    return { since, tries: progress.postTries };
  }

  async saveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean> {
    const state = this.#threads.get(thread);
    if (state?.run !== run) return false;
    state.progress = { ...state.progress, head: entryId, chunks: [...chunks], posted: 0 };
    return true;
  }

  async resaveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean> {
    const state = this.#threads.get(thread);
    if (state?.run !== run || state.progress?.head !== entryId) return false;
    state.progress.chunks = [...chunks];
    return true;
  }

  async markPosted(thread: string, run: string, entryId: string, count: number): Promise<boolean> {
    const state = this.#threads.get(thread);
    recordPosted(state?.progress, entryId, count);
    return state?.run === run;
  }

  async staleTurns(olderThan: number, limit = 500): Promise<TurnRef[]> {
    return this.#byStart()
      .filter(([, startedAt]) => startedAt <= olderThan)
      .slice(0, limit)
      .map(([thread]) => ({ thread, jobId: this.#threads.get(thread)?.job ?? null }));
  }

  async restartTurn(thread: string, jobId: string, now: number): Promise<string | null> {
    const state = this.#threads.get(thread);
    if (state?.job !== jobId) return null;
    state.job = this.#options.newJobId();
    this.#turns.set(thread, now);
    return state.job;
  }

  async jobOf(thread: string): Promise<string | null> {
    return this.#threads.get(thread)?.job ?? null;
  }

  async hasTurn(thread: string): Promise<boolean> {
    return this.#threads.get(thread)?.job !== undefined;
  }

  async oldestTurnStartedAt(): Promise<number | null> {
    return this.#byStart()[0]?.[1] ?? null;
  }

  async forgetTurn(thread: string): Promise<void> {
    this.#turns.delete(thread);
  }

  /** The turns by start time, then thread (the order of a Redis sorted set). */
  #byStart(): Array<[string, number]> {
    return [...this.#turns].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** Records `count` chunks posted on `progress` if it is head `entryId`'s and the count goes up. */
function recordPosted(progress: Progress | undefined, entryId: string, count: number): void {
  if (progress?.head === entryId && (progress.posted ?? 0) < count) progress.posted = count;
}

/** The entry of `raw` as the Redis script reads it: JSON with a string id, or null. */
function readEntry(raw: string): { id: string; kind?: unknown; user?: unknown } | null {
  try {
    const entry: unknown = JSON.parse(raw);
    if (typeof entry !== 'object' || entry === null || !('id' in entry) || typeof entry.id !== 'string')
      return null;
    // The writer of the message (`message.user.id`), for coalescing: only one person's questions join.
    const message = 'message' in entry ? (entry.message as { user?: { id?: unknown } } | null) : null;
    return { id: entry.id, kind: 'kind' in entry ? entry.kind : undefined, user: message?.user?.id };
  } catch {
    return null;
  }
}
