/**
 * The worker: runs turns from the queue, many threads at once, and maps each turn's outcome to what
 * BullMQ should do (done, or delayed until a backoff or a platform's `retry_after` has passed). Also
 * runs the sweeper, which revives a turn whose job never made it into the queue or failed for good.
 */
import { DelayedError, Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ThreadStore } from '../core/thread-store.ts';
import type { TurnControl, TurnRunner } from '../core/turn.ts';
import type { Logger } from '../logger.ts';
import { isRedisConnectionError } from '../redis-errors.ts';
import { enqueueTurn, TURN_QUEUE, type TurnJobData } from './turns.ts';

export interface TurnWorkerOptions {
  connection: Redis;
  prefix: string;
  queue: Queue<TurnJobData>;
  inbox: ThreadStore;
  runner: TurnRunner;
  log: Logger;
  /** Turns run at once by this process. */
  concurrency: number;
  /** BullMQ lock duration, ms: a crashed worker's turn is picked up again after about this long. */
  lockMs: number;
  /** How often the sweeper looks for lost turns, ms. Default 15 000. */
  sweepEveryMs?: number;
}

/** Job states in which a turn's job can still run. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class TurnWorker {
  readonly #o: TurnWorkerOptions;
  readonly #worker: Worker<TurnJobData>;
  readonly #stopping = new AbortController();
  readonly #abortCalls = new AbortController();
  readonly #control: TurnControl;
  #sweepTimer: NodeJS.Timeout | undefined;
  /** Each thread's run in flight in this process, so that a job handed out again waits for it. */
  readonly #running = new Map<string, Promise<unknown>>();

  constructor(options: TurnWorkerOptions) {
    this.#o = options;
    this.#control = { stopping: this.#stopping.signal, abortCalls: this.#abortCalls.signal };
    this.#worker = new Worker<TurnJobData>(TURN_QUEUE, (job, token) => this.#process(job, token), {
      connection: options.connection,
      prefix: `${options.prefix}:bull`,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      // A turn interrupted by crashes is never failed for stalling: its thread's state in Redis
      // decides what is redone, and repeated crashes on one message end in a notice.
      maxStalledCount: 1_000,
      autorun: false,
    });
    // A lost Redis connection is reported once by `watchRedis`, not once per reconnect attempt here.
    this.#worker.on(
      'error',
      (err) => isRedisConnectionError(err) || options.log.error({ err }, 'worker error'),
    );
    this.#worker.on('failed', (job, err) =>
      options.log.error({ err, thread: job?.data.thread, attempts: job?.attemptsMade }, 'turn failed'),
    );
  }

  /** Starts taking turns from the queue, and the sweeper. */
  start(): void {
    this.#worker.run().catch((err: unknown) => this.#o.log.error({ err }, 'worker stopped'));
    const every = this.#o.sweepEveryMs ?? 15_000;
    this.#sweepTimer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.#o.log.warn({ err }, 'sweep failed'));
    }, every);
    this.#sweepTimer.unref();
    this.sweep().catch((err: unknown) => this.#o.log.warn({ err }, 'sweep failed'));
  }

  async #process(job: Job<TurnJobData>, token: string | undefined): Promise<void> {
    // BullMQ hands a job out again once its lock expired (Redis away longer than the lock, a long
    // pause), to any worker, this one included, while the first run may still be alive here, in
    // the middle of a send. A run that took over at that moment would post that chunk again (its
    // answer is stored, its posting not yet recorded), so in this process a thread's runs go one
    // after the other: the later one starts once the earlier one has returned, from what it recorded.
    const thread = job.data.thread;
    const previous = this.#running.get(thread);
    const run = (async () => {
      await previous?.catch(() => undefined);
      return this.#o.runner.run(thread, job.id as string, this.#control);
    })();
    this.#running.set(thread, run);
    let outcome: Awaited<typeof run>;
    try {
      outcome = await run;
    } finally {
      if (this.#running.get(thread) === run) this.#running.delete(thread);
    }
    if (outcome.kind === 'wait') {
      await job.moveToDelayed(Date.now() + outcome.ms, token);
      throw new DelayedError();
    }
  }

  /**
   * Revives turns whose job is gone or failed: after a crash between storing a message and
   * enqueueing its turn, or after a turn's job ran out of attempts. Returns how many it revived.
   */
  async sweep(olderThanMs = 10_000): Promise<number> {
    const { inbox, queue, log } = this.#o;
    const now = Date.now();
    let revived = 0;
    for (const { thread, jobId } of await inbox.staleTurns(now - olderThanMs)) {
      if (jobId === null) {
        await inbox.forgetTurn(thread);
        continue;
      }
      const state = await queue.getJobState(jobId);
      if (LIVE_STATES.has(state)) continue;
      const next = await inbox.restartTurn(thread, jobId, now);
      if (next === null) continue;
      await enqueueTurn(queue, thread, next);
      log.warn({ thread, previousJob: jobId, state, job: next }, 'lost turn revived');
      revived++;
    }
    return revived;
  }

  /** Runs the delayed turns of `threads` now (they were waiting for something that is over). */
  async wake(threads: string[]): Promise<void> {
    const { inbox, queue, log } = this.#o;
    await Promise.all(
      threads.map(async (thread) => {
        try {
          const jobId = await inbox.jobOf(thread);
          const job = jobId === null ? undefined : await Job.fromId(queue, jobId);
          if (job && (await job.isDelayed())) await job.promote();
        } catch (err) {
          // It may have just started by itself; if not, it resumes when its delay ends.
          log.debug({ err, thread }, 'waiting turn not woken');
        }
      }),
    );
  }

  /**
   * Stops taking turns. Turns in flight finish their current message; agent calls still running
   * after `graceMs` are aborted and their turns handed back to the queue for another worker.
   */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.#stopping.abort();
    const timer = setTimeout(() => this.#abortCalls.abort(), graceMs);
    try {
      await this.#worker.close();
    } finally {
      clearTimeout(timer);
    }
  }
}
