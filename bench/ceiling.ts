/**
 * Scenario 1, the ceiling: N messages over T threads through the real Telegram path (fake Bot API →
 * grammY → router → queue → worker → fake Aksita with no delay → fake Bot API), the bridge in its own
 * process, against bare BullMQ (add + no-op processor) on the same Redis. `throughput` also serves
 * scenario 5, with separate receiver and worker processes.
 */
import { Redis } from 'ioredis';
import { bareBullmq } from './bare-bullmq.ts';
import { fmt, knob, type Outcome } from './report.ts';
import { pushMessages, redisCpuSeconds, secondsSince, startBench } from './setup.ts';

export interface Throughput {
  messages: number;
  threads: number;
  /** `all` (one process), or `receiver + N workers`. */
  processes: string;
  seconds: number;
  perSecond: number;
  /** Time until the receiver had stored (and confirmed) every update. */
  ingestSeconds: number;
  /** Peak RSS of each bridge process, MB, by role. */
  peakRssMb: Record<string, number>;
  /** CPU time each bridge process used per message during the run, ms, by role. */
  cpuMsPerMessage: Record<string, number>;
  /** CPU time this process (the fakes) used per message during the run, ms. */
  fakesCpuMsPerMessage: number;
  /** CPU time of the Redis server per message, ms (the whole server: other users of it count too). */
  redisCpuMsPerMessage: number;
}

export interface CeilingResult extends Throughput {
  bullmqPerSecond: number;
  /** CPU time bare BullMQ (queue and worker in one process) used per job, ms. */
  bullmqCpuMsPerJob: number;
  /** CPU time of the Redis server per bare BullMQ job, ms. */
  bullmqRedisCpuMsPerJob: number;
  ratio: number;
}

/** The size of scenarios 1 and 5: `BENCH_MESSAGES` (20,000) over `BENCH_THREADS` (2,000). */
export const ceilingScale = () => ({
  messages: knob('BENCH_MESSAGES', 20_000),
  threads: knob('BENCH_THREADS', 2_000),
});

/**
 * Pushes `messages` over `threads` into the fake Bot API at once and times until every reply was
 * accepted. `workers` 0 runs one process with `BRIDGE_ROLE=all`; otherwise one receiver and that many
 * worker processes share the prefix.
 */
export async function throughput(
  redisUrl: string,
  { messages, threads }: { messages: number; threads: number },
  workers = 0,
): Promise<Throughput> {
  const bench = await startBench(redisUrl);
  const redis = new Redis(redisUrl);
  try {
    const { telegram } = bench;
    if (workers === 0) await bench.spawn('all');
    else {
      for (let i = 0; i < workers; i++) await bench.spawn('worker');
      await bench.spawn('receiver');
    }
    const names = bench.processes.map((p, i) => (p.role === 'worker' ? `worker${i + 1}` : p.role));
    const cpuBefore = bench.processes.map((p) => p.cpuSeconds());
    const fakesBefore = process.cpuUsage();
    const redisBefore = await redisCpuSeconds(redis);
    const started = performance.now();
    const lastUpdate = pushMessages(telegram, messages, threads);
    await bench.waitFor(() => telegram.confirmedOffset > lastUpdate, 600_000, 'all updates confirmed');
    const ingestSeconds = secondsSince(started);
    await bench.waitFor(() => telegram.sent.length >= messages, 600_000, 'all replies');
    const seconds = secondsSince(started);
    const fakesCpu = process.cpuUsage(fakesBefore);
    const redisCpu = (await redisCpuSeconds(redis)) - redisBefore;
    const peakRssMb: Record<string, number> = {};
    const cpuMsPerMessage: Record<string, number> = {};
    for (const [i, p] of bench.processes.entries()) {
      peakRssMb[names[i] as string] = p.memory().peakRssMb;
      cpuMsPerMessage[names[i] as string] = ((p.cpuSeconds() - (cpuBefore[i] as number)) * 1000) / messages;
    }
    return {
      messages,
      threads,
      processes: workers === 0 ? 'all' : `receiver + ${workers} worker${workers > 1 ? 's' : ''}`,
      seconds,
      perSecond: messages / seconds,
      ingestSeconds,
      peakRssMb,
      cpuMsPerMessage,
      fakesCpuMsPerMessage: (fakesCpu.user + fakesCpu.system) / 1000 / messages,
      redisCpuMsPerMessage: (redisCpu * 1000) / messages,
    };
  } finally {
    redis.disconnect();
    await bench.close();
  }
}

/** CPU ms per message of each bridge process and of the fakes. */
export const cpuLine = (t: Throughput): string =>
  `${Object.entries(t.cpuMsPerMessage)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`)
    .join(
      ', ',
    )}; fakes (bench process) ${t.fakesCpuMsPerMessage.toFixed(2)} ms; Redis ${t.redisCpuMsPerMessage.toFixed(2)} ms`;

export async function ceiling(redisUrl: string): Promise<Outcome<CeilingResult>> {
  const scale = ceilingScale();
  const bridge = await throughput(redisUrl, scale);
  const {
    perSecond: bullmqPerSecond,
    cpuMsPerJob: bullmqCpuMsPerJob,
    redisCpuMsPerJob: bullmqRedisCpuMsPerJob,
  } = await bareBullmq(redisUrl, scale.messages);
  const ratio = bridge.perSecond / bullmqPerSecond;
  return {
    result: { ...bridge, bullmqPerSecond, bullmqCpuMsPerJob, bullmqRedisCpuMsPerJob, ratio },
    rows: [
      {
        scenario: '1. ceiling',
        figure: `${fmt(bridge.perSecond)} msg/s end to end (${fmt(scale.messages)} over ${fmt(scale.threads)} threads, ${bridge.seconds.toFixed(1)} s)`,
        target: '>= 2,000 msg/s',
        met: bridge.perSecond >= 2_000,
      },
      {
        scenario: '',
        figure: `bare BullMQ ${fmt(bullmqPerSecond)} jobs/s (CPU per job ${bullmqCpuMsPerJob.toFixed(2)} ms; Redis ${bullmqRedisCpuMsPerJob.toFixed(2)} ms); ratio ${ratio.toFixed(3)}`,
        target: '>= 0.33',
        met: ratio >= 0.33,
      },
      {
        scenario: '',
        figure: `receiver stored every update in ${bridge.ingestSeconds.toFixed(2)} s; peak RSS ${bridge.peakRssMb.all} MB`,
      },
      {
        scenario: '',
        figure: `CPU per message: bridge ${cpuLine(bridge)}`,
      },
    ],
  };
}
