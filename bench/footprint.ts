/**
 * Scenario 6, footprint: the RSS of the process after it served N distinct threads (one message
 * each), and the Redis memory each idle thread leaves behind: the conversation map, kept for good,
 * and what remains only until its TTL passes.
 */
import { Redis } from 'ioredis';
import { startBenchBridge } from './setup.ts';

export interface FootprintResult {
  threads: number;
  /** RSS of this process (bridge and fakes) after the threads were served, MB. */
  rssMb: number;
  /** Heap in use after a full collection, MB (when `--expose-gc`). */
  heapUsedMb: number;
  /** Redis bytes per idle thread kept for good (the thread → conversation map). */
  permanentBytesPerThread: number;
  /** Redis bytes per idle thread that remain until their TTL passes, by kind of key. */
  expiringBytesPerThread: Record<string, number>;
}

export async function footprint(redisUrl: string, threads = 10_000): Promise<FootprintResult> {
  const { telegram, prefix, stop } = await startBenchBridge(redisUrl, {
    ...(process.env.WORKER_CONCURRENCY && { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY }),
  });
  for (let chat = 1; chat <= threads; chat++) telegram.userMessage({ chatId: chat, text: `hello ${chat}` });
  await telegram.waitFor(() => telegram.sent.length >= threads, 600_000, 'all replies');
  const redis = new Redis(redisUrl);
  // Wait until every turn has ended: only idle threads are measured.
  while ((await redis.exists(`${prefix}:turns`)) === 1) await new Promise((r) => setTimeout(r, 50));
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const byKind: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (key.startsWith(`${prefix}:bull:`)) continue;
      const kind = key.slice(prefix.length + 1).split(':')[0] as string;
      byKind[kind] = (byKind[kind] ?? 0) + ((await redis.memory('USAGE', key)) ?? 0);
    }
  } while (cursor !== '0');
  redis.disconnect();
  await stop();
  const perThread = (bytes: number) => Math.round(bytes / threads);
  const { conv = 0, ...expiring } = byKind;
  return {
    threads,
    rssMb: Math.round(memory.rss / 2 ** 20),
    heapUsedMb: Math.round(memory.heapUsed / 2 ** 20),
    permanentBytesPerThread: perThread(conv),
    expiringBytesPerThread: Object.fromEntries(Object.entries(expiring).map(([k, v]) => [k, perThread(v)])),
  };
}
