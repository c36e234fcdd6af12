/**
 * Scenario 6, footprint: one bridge process (`all`) serves `BENCH_FOOTPRINT_THREADS` (10,000)
 * distinct threads, one message each, all sent at once. Its RSS (`VmRSS`) and heap in use (from
 * /metrics; nothing forces a collection) are read once every turn has ended, then every 5 s while it
 * sits idle for `BENCH_FOOTPRINT_SETTLE_S` (60) s, which gives V8's memory reducer time to collect;
 * plus its peak (`VmHWM`). Then the Redis memory each idle thread leaves behind: the conversation
 * map, kept for good, and what remains only until its TTL passes.
 */
import { Redis } from 'ioredis';
import { fmt, knob, type Outcome } from './report.ts';
import { startBench } from './setup.ts';

export interface FootprintResult {
  threads: number;
  /** RSS of the bridge process before the first message, MB. */
  startRssMb: number;
  /** RSS once every turn has ended, MB. */
  afterRssMb: number;
  /** Heap in use then, MB. */
  afterHeapMb: number;
  /** RSS after the idle wait, MB. */
  rssMb: number;
  /** Heap in use then, MB. */
  heapUsedMb: number;
  /** RSS and heap (MB) every 5 s of the idle wait, by second. */
  idleTrace: Array<{ second: number; rssMb: number; heapMb: number }>;
  /** Its highest RSS during the run, MB. */
  peakRssMb: number;
  /** Redis bytes per idle thread kept for good (the thread → conversation map). */
  permanentBytesPerThread: number;
  /** Redis bytes per idle thread that remain until their TTL passes, by kind of key. */
  expiringBytesPerThread: Record<string, number>;
}

const TARGET_MB = 200;

/** `MEMORY USAGE` of every key under `prefix` but BullMQ's, summed by kind (the first segment). */
async function bytesByKind(redis: Redis, prefix: string): Promise<Record<string, number>> {
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
  return byKind;
}

export async function footprint(redisUrl: string): Promise<Outcome<FootprintResult>> {
  const threads = knob('BENCH_FOOTPRINT_THREADS', 10_000);
  const bench = await startBench(redisUrl);
  const redis = new Redis(redisUrl);
  try {
    const { telegram, prefix } = bench;
    const bridge = await bench.spawn('all');
    const startRssMb = bridge.memory().rssMb;
    for (let chat = 1; chat <= threads; chat++) telegram.userMessage({ chatId: chat, text: `hello ${chat}` });
    await bench.waitFor(() => telegram.sent.length >= threads, 600_000, 'all replies');
    // Only idle threads are measured: wait until every turn has ended.
    while ((await redis.exists(`${prefix}:turns`)) === 1) await new Promise((r) => setTimeout(r, 50));
    const afterRssMb = bridge.memory().rssMb;
    const afterHeapMb = await bridge.heapUsedMb();
    const idleTrace: FootprintResult['idleTrace'] = [];
    for (let second = 5; second <= knob('BENCH_FOOTPRINT_SETTLE_S', 60); second += 5) {
      await new Promise((r) => setTimeout(r, 5_000));
      idleTrace.push({ second, rssMb: bridge.memory().rssMb, heapMb: await bridge.heapUsedMb() });
    }
    const { rssMb, peakRssMb } = bridge.memory();
    const heapUsedMb = await bridge.heapUsedMb();
    const perThread = (bytes: number) => Math.round(bytes / threads);
    const { conv = 0, ...expiring } = await bytesByKind(redis, prefix);
    const result: FootprintResult = {
      threads,
      startRssMb,
      afterRssMb,
      afterHeapMb,
      rssMb,
      heapUsedMb,
      idleTrace,
      peakRssMb,
      permanentBytesPerThread: perThread(conv),
      expiringBytesPerThread: Object.fromEntries(Object.entries(expiring).map(([k, v]) => [k, perThread(v)])),
    };
    const until = Object.entries(result.expiringBytesPerThread).map(([k, v]) => `${k} ${v} B`);
    return {
      result,
      rows: [
        {
          scenario: '6. footprint',
          figure: `RSS ${rssMb} MB after ${fmt(threads)} threads and ${idleTrace.at(-1)?.second ?? 0} s idle (heap ${heapUsedMb} MB)`,
          target: `<= ${TARGET_MB} MB`,
          met: rssMb <= TARGET_MB,
        },
        {
          scenario: '',
          figure: `RSS at start ${startRssMb} MB; once all turns ended ${afterRssMb} MB (heap ${afterHeapMb} MB); peak ${peakRssMb} MB`,
        },
        {
          scenario: '',
          figure: `Redis per idle thread: ${result.permanentBytesPerThread} B kept (conversation map)`,
        },
        { scenario: '', figure: `until TTLs pass: ${until.join(', ')}` },
      ],
    };
  } finally {
    redis.disconnect();
    await bench.close();
  }
}
