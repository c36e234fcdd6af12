/**
 * What the core needs of a thread's durable state: the seam between the router and turn runner and
 * whatever stores the threads (`Inbox` on Redis, `MemoryThreadStore` in memory).
 *
 * A thread has an inbox (its messages in order, each id accepted once), at most one turn (named by a
 * job id) draining it, and at most one run of that turn holding its claim: only the latest run may
 * act. The head message carries its progress (`TurnState`) so that a crash anywhere resumes from
 * what was recorded: the agent is not asked again once an answer is saved, and chunks recorded as
 * posted are not posted again. Every implementation passes `test/contract/thread-store-contract.ts`.
 */
import type { NoticeKey } from '../notices.ts';
import type { CommandName } from './commands.ts';
import type { IncomingMessage } from './contract.ts';

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
  /** The inbox is empty. */
  | { kind: 'empty' }
  /**
   * `state.tries` counts the attempts before this one (begun for an ask without an answer).
   * `joined`: with burst coalescing, the questions right behind the head, from the same person, that
   * its one agent call answers too (raw entries, in order); `advance` then pops them with it.
   */
  | { kind: 'head'; raw: string; state: TurnState; joined?: string[] };

/** Result of `accept`. */
export type AcceptResult =
  /** The id was seen before (within the dedupe window): nothing stored. */
  | { outcome: 'duplicate' }
  /** The thread's inbox holds its maximum of pending messages: nothing stored. */
  | { outcome: 'full' }
  /** Stored; `startTurn` is the job id of a new turn to enqueue, when the thread had none. */
  | { outcome: 'queued'; startTurn?: string };

/** Result of `advance`. */
export type AdvanceResult =
  /** The run no longer holds the claim: nothing was popped (only `posted` was recorded). */
  | { kind: 'stale' }
  /** `left` messages remain; at 0 the turn has ended. */
  | { kind: 'advanced'; left: number };

/** Chunks of head `entryId` posted, to record. */
export interface PostedRecord {
  /** The id of the head they belong to (a record is never written on another head). */
  entryId: string;
  /** How many chunks are posted (a record never goes down). */
  count: number;
}

/** A turn that started before some time, with its job id. */
export interface TurnRef {
  /** The thread. */
  thread: string;
  /** Its turn's job id, or null when the turn has none any more (its entry is left over). */
  jobId: string | null;
}

/** A thread's durable state: its inbox, its turn and the head's progress. */
export interface ThreadStore {
  /** Stores `entry` at the end of its thread's inbox, unless its id was seen before or the inbox is full. */
  accept(entry: InboxEntry): Promise<AcceptResult>;
  /**
   * Claims the thread's turn for one run of `jobId` (false when the turn belongs to another job).
   * A later claim replaces an earlier one: only the latest run of a turn may act.
   */
  claim(thread: string, jobId: string, run: string): Promise<boolean>;
  /** True while `run` holds the thread's claim. */
  isCurrent(thread: string, run: string): Promise<boolean>;
  /**
   * Starts a step of `run`: the head and its progress (a record of an older head is discarded), one
   * more attempt counted when the head is a question still without an answer.
   */
  begin(thread: string, run: string): Promise<Step>;
  /**
   * Pops `rawHead` (when still the head; `''` pops nothing), and with it the `count - 1` entries
   * `begin` joined to it (default `count` 1), and ends the turn of `jobId` if nothing is left. When `run` no longer holds the claim nothing is popped, and only `posted` is recorded,
   * so the run that took over does not post those chunks again.
   */
  advance(
    thread: string,
    jobId: string,
    run: string,
    rawHead: string,
    posted?: PostedRecord,
    count?: number,
  ): Promise<AdvanceResult>;
  /** Adds `by` (default 1) to a counter of the head's progress and returns the new value. */
  bump(thread: string, field: 'tries' | 'timeouts', by?: number): Promise<number>;
  /**
   * Records a failure of the head's agent call (`what: 'call'`) or of a send (`'post'`) at `now`;
   * returns since when that has been failing and, for sends, how many sends failed (0 for calls).
   */
  failed(thread: string, what: 'call' | 'post', now: number): Promise<{ since: number; tries: number }>;
  /** Stores head `entryId`'s rendered answer before its first chunk is posted; false when `run` lost the claim. */
  saveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean>;
  /** Replaces head `entryId`'s answer by the same text cut smaller; false when `run` lost the claim. */
  resaveAnswer(thread: string, run: string, entryId: string, chunks: string[]): Promise<boolean>;
  /** Records that the first `count` chunks of head `entryId` are posted; false when `run` lost the claim. */
  markPosted(thread: string, run: string, entryId: string, count: number): Promise<boolean>;
  /** Threads whose turn started before `olderThan` (epoch ms), oldest first, at most `limit` (default 500). */
  staleTurns(olderThan: number, limit?: number): Promise<TurnRef[]>;
  /** Gives the turn of `thread` a new job id, started `now`, if it still belongs to `jobId`; null when it moved on. */
  restartTurn(thread: string, jobId: string, now: number): Promise<string | null>;
  /** The job id of `thread`'s turn, or null when it has none. */
  jobOf(thread: string): Promise<string | null>;
  /** True while `thread` has messages being answered or waiting. */
  hasTurn(thread: string): Promise<boolean>;
  /** When the oldest turn still in progress started (epoch ms), or null when none is. */
  oldestTurnStartedAt(): Promise<number | null>;
  /** Drops a `staleTurns` entry whose thread has no turn any more. */
  forgetTurn(thread: string): Promise<void>;
}

/** The default maximum of messages waiting in one thread's inbox. */
export const DEFAULT_MAX_PENDING = 500;

/** The entry stored as `raw`, or null when it is unreadable (not JSON, or without an id and an address). */
export function parseEntry(raw: string): InboxEntry | null {
  try {
    const entry = JSON.parse(raw) as InboxEntry;
    return entry && typeof entry.id === 'string' && entry.message?.address ? entry : null;
  } catch {
    return null;
  }
}
