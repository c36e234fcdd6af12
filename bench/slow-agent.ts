/**
 * Scenario 3, slow agent: the fake agent takes `BENCH_SLOW_AGENT_MS` (2,000) per call and
 * `BENCH_SLOW_THREADS` (2,000) chats send one message each at once. One bridge process (`all`, the
 * default `WORKER_CONCURRENCY` unless the bench's environment sets one) must answer them all within
 * 4 s: wall time and the process's peak RSS. In the same run, the guide-style grammY bot
 * (bench/grammy-baselines.ts): with `bot.start()` for a window of `BENCH_PLAIN_WINDOW_S` (20) s,
 * whose total time is projected from its rate, and with `@grammyjs/runner`, run to the end within
 * `BENCH_RUNNER_CAP_S` (180) s.
 */
import { Redis } from 'ioredis';
import { type BaselineResult, plainGrammy, runnerGrammy } from './grammy-baselines.ts';
import { fmt, knob, type Outcome } from './report.ts';
import { redisCpuSeconds, secondsSince, startBench } from './setup.ts';

export interface SlowAgentResult {
  threads: number;
  agentMs: number;
  /** `WORKER_CONCURRENCY` when the bench set it; absent means the bridge's default. */
  workerConcurrency?: string;
  bridgeSeconds: number;
  /** When the last agent call reached the fake agent, s after the burst: how long dispatch took. */
  lastCallSeconds: number;
  /** CPU time the bridge process used from the burst until all were answered, s. */
  cpuSeconds: number;
  /** CPU time the fakes (the bench process) and the Redis server used over the same span, s. */
  fakesCpuSeconds: number;
  redisCpuSeconds: number;
  peakRssMb: number;
  plain: BaselineResult;
  runner: BaselineResult;
  /** Plain grammY's (projected) time / the bridge's. */
  plainRatio: number;
  /** The runner's time / the bridge's. */
  runnerRatio: number;
}

const TARGET_SECONDS = 4;

export async function slowAgent(redisUrl: string): Promise<Outcome<SlowAgentResult>> {
  const threads = knob('BENCH_SLOW_THREADS', 2_000);
  const agentMs = knob('BENCH_SLOW_AGENT_MS', 2_000);
  const bench = await startBench(redisUrl, { agent: { latencyMs: agentMs } });
  let bridgeSeconds: number;
  let lastCallSeconds: number;
  let cpuSeconds: number;
  let fakesCpuSeconds: number;
  let redisSeconds: number;
  let peakRssMb: number;
  const redis = new Redis(redisUrl);
  try {
    const { telegram } = bench;
    const bridge = await bench.spawn('all');
    const cpuBefore = bridge.cpuSeconds();
    const fakesBefore = process.cpuUsage();
    const redisBefore = await redisCpuSeconds(redis);
    const started = performance.now();
    const startedAt = Date.now();
    for (let chat = 1; chat <= threads; chat++) telegram.userMessage({ chatId: chat, text: `hello ${chat}` });
    await bench.waitFor(() => telegram.sent.length >= threads, 600_000, 'all answers');
    bridgeSeconds = secondsSince(started);
    cpuSeconds = bridge.cpuSeconds() - cpuBefore;
    const fakesCpu = process.cpuUsage(fakesBefore);
    fakesCpuSeconds = (fakesCpu.user + fakesCpu.system) / 1e6;
    redisSeconds = (await redisCpuSeconds(redis)) - redisBefore;
    lastCallSeconds = ((bench.aksita.chats.at(-1)?.at ?? startedAt) - startedAt) / 1000;
    peakRssMb = bridge.memory().peakRssMb;
  } finally {
    redis.disconnect();
    await bench.close();
  }
  const plain = await plainGrammy(threads, agentMs, knob('BENCH_PLAIN_WINDOW_S', 20));
  const runner = await runnerGrammy(threads, agentMs, knob('BENCH_RUNNER_CAP_S', 180));
  const result: SlowAgentResult = {
    threads,
    agentMs,
    ...(process.env.WORKER_CONCURRENCY && { workerConcurrency: process.env.WORKER_CONCURRENCY }),
    bridgeSeconds,
    lastCallSeconds,
    cpuSeconds,
    fakesCpuSeconds,
    redisCpuSeconds: redisSeconds,
    peakRssMb,
    plain,
    runner,
    plainRatio: plain.projectedSeconds / bridgeSeconds,
    runnerRatio: runner.projectedSeconds / bridgeSeconds,
  };
  const baseline = (b: BaselineResult) =>
    b.answered === 0
      ? `none answered in ${b.seconds.toFixed(0)} s`
      : b.complete
        ? `all ${fmt(b.threads)} answered in ${b.seconds.toFixed(1)} s`
        : `${fmt(b.answered)} answered in ${b.seconds.toFixed(0)} s (${b.perSecond.toFixed(2)}/s): projected ${fmt(b.projectedSeconds)} s for all`;
  // With none answered there is no rate to project from: the window is a lower bound.
  const times = (b: BaselineResult, ratio: number) =>
    b.answered === 0
      ? `more than ${(b.seconds / bridgeSeconds).toFixed(2)}x`
      : `${ratio >= 10 ? fmt(ratio) : ratio.toFixed(2)}x`;
  return {
    result,
    rows: [
      {
        scenario: '3. slow agent',
        figure: `${fmt(threads)} threads x ${fmt(agentMs)} ms agent: all answered in ${bridgeSeconds.toFixed(2)} s; peak RSS ${peakRssMb} MB`,
        target: `<= ${TARGET_SECONDS} s`,
        met: bridgeSeconds <= TARGET_SECONDS,
      },
      {
        scenario: '',
        figure: `the last agent call started ${lastCallSeconds.toFixed(2)} s after the burst; bridge CPU ${cpuSeconds.toFixed(1)} s (${((cpuSeconds * 1000) / threads).toFixed(2)} ms per message); fakes (bench process) ${fakesCpuSeconds.toFixed(1)} s; Redis ${redisSeconds.toFixed(1)} s`,
      },
      {
        scenario: '',
        figure: `plain grammY bot.start(): ${baseline(plain)}; ${times(plain, result.plainRatio)} the bridge's time`,
      },
      {
        scenario: '',
        figure: `grammY + runner, sequentialize: ${baseline(runner)}; ${times(runner, result.runnerRatio)} the bridge's time`,
      },
    ],
  };
}
