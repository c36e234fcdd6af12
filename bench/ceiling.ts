/**
 * Scenario 1, the ceiling: N messages over T threads through the real Telegram path (fake Bot API →
 * grammY → router → queue → worker → fake Aksita with no delay → fake Bot API), against bare BullMQ
 * (add + no-op processor) on the same Redis.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startBenchBridge } from './setup.ts';

export interface CeilingResult {
  messages: number;
  threads: number;
  bridgeSeconds: number;
  /** Time until the receiver had stored (and confirmed) every update. */
  ingestSeconds: number;
  bridgePerSecond: number;
  bullmqPerSecond: number;
  ratio: number;
}

export async function ceiling(redisUrl: string, messages = 20_000, threads = 2_000): Promise<CeilingResult> {
  const { telegram, stop } = await startBenchBridge(redisUrl);
  const started = performance.now();
  for (let i = 0; i < messages; i++) telegram.userMessage({ chatId: 1 + (i % threads), text: `m${i}` });
  const lastUpdate = telegram.userMessage({ chatId: 1, text: 'last' }).updateId;
  await telegram.waitFor(() => telegram.confirmedOffset > lastUpdate, 600_000, 'all updates confirmed');
  const ingestSeconds = (performance.now() - started) / 1000;
  await telegram.waitFor(() => telegram.sent.length >= messages + 1, 600_000, 'all replies');
  messages += 1;

  const bridgeSeconds = (performance.now() - started) / 1000;
  await stop();

  const bullmqPerSecond = await bareBullmq(redisUrl, messages);
  const bridgePerSecond = messages / bridgeSeconds;
  return {
    messages,
    threads,
    bridgeSeconds,
    ingestSeconds,
    bridgePerSecond,
    bullmqPerSecond,
    ratio: bridgePerSecond / bullmqPerSecond,
  };
}

async function bareBullmq(redisUrl: string, jobs: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-bare-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('bare', { connection, prefix });
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = new Worker('bare', async () => {}, { connection, prefix, concurrency: 1_000 });
  worker.on('completed', () => {
    if (++done === jobs) finish();
  });
  const started = performance.now();
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({ name: 'j', data: { i: i + k } })),
    );
  }
  await finished;
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return perSecond;
}
