/**
 * The yardstick of scenarios 1 and 5: bare BullMQ on the same Redis, `addBulk` of N jobs in batches of
 * 1,000 and a no-op processor with concurrency 1,000, in this process. Jobs per second, from the
 * first add to the last completion, and the CPU time this process and the Redis server used per job.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { redisCpuSeconds } from './setup.ts';

export async function bareBullmq(
  redisUrl: string,
  jobs: number,
): Promise<{ perSecond: number; cpuMsPerJob: number; redisCpuMsPerJob: number }> {
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
  const cpuBefore = process.cpuUsage();
  const redisBefore = await redisCpuSeconds(connection);
  const started = performance.now();
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({ name: 'j', data: { i: i + k } })),
    );
  }
  await finished;
  const perSecond = jobs / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpu = (await redisCpuSeconds(connection)) - redisBefore;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return {
    perSecond,
    cpuMsPerJob: (cpu.user + cpu.system) / 1000 / jobs,
    redisCpuMsPerJob: (redisCpu * 1000) / jobs,
  };
}
