/**
 * Where scenario 2's latency goes, stage by stage, from the bridge's own BullMQ jobs (a turn's job
 * records when it was added and when a worker took it; completed jobs are kept for an hour) and the
 * fakes' records. It needs one job per message, which holds when no message waits behind its own
 * thread; a chat where that did not hold is left out.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** Per message, ms: the four stages add up to the end-to-end latency. */
export interface StageSamples {
  /** Enqueued in the fake Bot API → the turn's job added (long poll, normalize, dedupe, store). */
  receive: number[];
  /** Job added → a worker took it. */
  pickup: number[];
  /** Worker took it → the agent call arrived at the fake agent (claim, head, conversation). */
  beforeAgent: number[];
  /** Agent call arrived → the last chunk accepted (agent answer, record, render, send). */
  afterAgent: number[];
}

export interface MessageTimes {
  /** Chat of message i. */
  chatOf: (i: number) => number;
  /** Epoch ms by message index: enqueued, agent call arrived, last chunk accepted. */
  enqueuedAt: readonly number[];
  agentAt: readonly number[];
  sentAt: readonly number[];
}

export async function stageSamples(
  redisUrl: string,
  prefix: string,
  times: MessageTimes,
): Promise<StageSamples> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('turns', { connection, prefix: `${prefix}:bull` });
  const jobs = await queue.getJobs(['completed'], 0, -1);
  await queue.close();
  connection.disconnect();
  const jobsByChat = new Map<number, Array<{ added: number; taken: number }>>();
  for (const job of jobs) {
    const chat = Number(String((job.data as { thread?: string }).thread).split(':')[1]);
    const list = jobsByChat.get(chat) ?? [];
    list.push({ added: job.timestamp, taken: job.processedOn ?? Number.NaN });
    jobsByChat.set(chat, list);
  }
  const messagesByChat = new Map<number, number[]>();
  for (let i = 0; i < times.enqueuedAt.length; i++) {
    const list = messagesByChat.get(times.chatOf(i)) ?? [];
    list.push(i);
    messagesByChat.set(times.chatOf(i), list);
  }
  const samples: StageSamples = { receive: [], pickup: [], beforeAgent: [], afterAgent: [] };
  for (const [chat, messages] of messagesByChat) {
    // The chat's first job was its warm-up message.
    const list = (jobsByChat.get(chat) ?? []).sort((a, b) => a.added - b.added).slice(1);
    if (list.length !== messages.length) continue;
    for (const [k, i] of messages.entries()) {
      const job = list[k] as { added: number; taken: number };
      const enqueued = times.enqueuedAt[i] as number;
      const agent = times.agentAt[i] as number;
      samples.receive.push(job.added - enqueued);
      samples.pickup.push(job.taken - job.added);
      samples.beforeAgent.push(agent - job.taken);
      samples.afterAgent.push((times.sentAt[i] as number) - agent);
    }
  }
  return samples;
}
