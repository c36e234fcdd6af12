/**
 * The BullMQ queue of turns. One job runs one thread's turn; its id (`t<n>`, from the inbox's
 * sequence) is unique per turn, so enqueueing twice is harmless. Completed and failed jobs are
 * capped by age and count.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Queue name; BullMQ keys live under `<prefix>:bull`. */
export const TURN_QUEUE = 'turns';

/** Job data: plain JSON. */
export interface TurnJobData {
  /** The thread whose inbox the job drains. */
  thread: string;
}

export function createTurnQueue(connection: Redis, prefix: string): Queue<TurnJobData> {
  return new Queue<TurnJobData>(TURN_QUEUE, {
    connection,
    prefix: `${prefix}:bull`,
    defaultJobOptions: {
      // Unexpected failures (a bug, Redis gone mid-turn) retry with backoff; the thread's own
      // state decides what is redone, and the sweeper revives a turn whose job failed for good.
      attempts: 8,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 3_600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
    },
  });
}

/**
 * Enqueues the job of a turn (idempotent per job id), to start after `delayMs` (burst coalescing:
 * what else the thread receives meanwhile waits in its inbox to be joined).
 */
export async function enqueueTurn(
  queue: Queue<TurnJobData>,
  thread: string,
  jobId: string,
  delayMs = 0,
): Promise<void> {
  await queue.add('turn', { thread }, { jobId, ...(delayMs > 0 && { delay: delayMs }) });
}
