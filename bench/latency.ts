/**
 * Scenario 2, added latency: a steady `BENCH_LATENCY_RATE` messages/s (200) for
 * `BENCH_LATENCY_SECONDS` (30) over `BENCH_LATENCY_CHATS` chats (200, so each chat writes once a
 * second and no message waits behind its own thread), with an instant fake agent. Latency of one
 * message: from the update being enqueued in the fake Bot API (and so available to the waiting long
 * poll) to its last chunk being accepted by the fake's sendMessage; both clocks are this process's.
 * A warm-up message per chat first creates the conversations, so the figures are the steady state.
 */
import { fmt, knob, type Outcome, percentile } from './report.ts';
import { startBench } from './setup.ts';
import { stageSamples } from './turn-timing.ts';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LatencyResult {
  rate: number;
  seconds: number;
  chats: number;
  messages: number;
  /** Messages per second actually pushed. */
  achievedRate: number;
  /** Enqueued → last chunk accepted, ms. */
  endToEnd: Percentiles;
  /** Enqueued → the agent call arriving at the fake agent, ms (the receiving and queueing part). */
  toAgent: Percentiles;
  /** The end-to-end latency by stage (bench/turn-timing.ts), ms. */
  stages: Record<string, Percentiles>;
  /** Messages the stages cover (those whose turn held only them). */
  stagedMessages: number;
  /** p99 of each second's messages, ms: how the tail moves with the machine's other load. */
  p99BySecond: number[];
  peakRssMb: number;
}

const TARGET_P99_MS = 25;

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Pushes `total` messages at `rate` per second; returns each one's enqueue time (epoch ms) by index. */
async function pushSteadily(
  push: (i: number) => void,
  total: number,
  rate: number,
): Promise<{ enqueuedAt: number[]; seconds: number }> {
  const enqueuedAt: number[] = [];
  const started = performance.now();
  while (enqueuedAt.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (enqueuedAt.length < due) {
      enqueuedAt.push(Date.now());
      push(enqueuedAt.length - 1);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return { enqueuedAt, seconds: (performance.now() - started) / 1000 };
}

export async function latency(redisUrl: string): Promise<Outcome<LatencyResult>> {
  const rate = knob('BENCH_LATENCY_RATE', 200);
  const seconds = knob('BENCH_LATENCY_SECONDS', 30);
  const chats = knob('BENCH_LATENCY_CHATS', 200);
  const total = Math.round(rate * seconds);
  const bench = await startBench(redisUrl);
  try {
    const { telegram, aksita } = bench;
    const bridge = await bench.spawn('all');
    for (let chat = 1; chat <= chats; chat++) telegram.userMessage({ chatId: chat, text: 'warm-up' });
    await bench.waitFor(() => telegram.sent.length >= chats, 60_000, 'warm-up replies');
    const warm = telegram.sent.length;
    const warmCalls = aksita.chats.length;

    const pushed = await pushSteadily(
      (i) => telegram.userMessage({ chatId: 1 + (i % chats), text: `q${i}` }),
      total,
      rate,
    );
    await bench.waitFor(() => telegram.sent.length >= warm + total, 120_000, 'all replies');

    const endToEnd = new Array<number>(total);
    const sentAt = new Array<number>(total);
    for (const sent of telegram.sent.slice(warm)) {
      const i = Number(/q(\d+)/.exec(sent.text)?.[1]);
      sentAt[i] = sent.at;
      endToEnd[i] = sent.at - (pushed.enqueuedAt[i] as number);
    }
    const agentAt = new Array<number>(total);
    for (const call of aksita.chats.slice(warmCalls)) agentAt[Number(call.message.slice(1))] = call.at;
    const toAgent = agentAt.map((at, i) => at - (pushed.enqueuedAt[i] as number));
    const chatOf = (i: number) => 1 + (i % chats);
    const stages = await stageSamples(redisUrl, bench.prefix, {
      chatOf,
      enqueuedAt: pushed.enqueuedAt,
      agentAt,
      sentAt,
    });
    const p99BySecond = Array.from(
      { length: Math.ceil(total / rate) },
      (_, s) => percentiles(endToEnd.slice(s * rate, (s + 1) * rate)).p99,
    );
    const result: LatencyResult = {
      rate,
      seconds,
      chats,
      messages: total,
      achievedRate: total / pushed.seconds,
      endToEnd: percentiles(endToEnd),
      toAgent: percentiles(toAgent),
      stages: Object.fromEntries(Object.entries(stages).map(([stage, v]) => [stage, percentiles(v)])),
      stagedMessages: stages.receive.length,
      p99BySecond,
      peakRssMb: bridge.memory().peakRssMb,
    };
    const e = result.endToEnd;
    const stageLine = Object.entries(result.stages)
      .map(([stage, q]) => `${stage} ${q.p50}/${q.p99}`)
      .join(', ');
    const quiet = p99BySecond.filter((ms) => ms <= TARGET_P99_MS).length;
    return {
      result,
      rows: [
        {
          scenario: '2. latency',
          figure: `p50 ${e.p50} / p95 ${e.p95} / p99 ${e.p99} ms (max ${e.max}); ${fmt(total)} msgs at ${fmt(result.achievedRate)}/s`,
          target: `p99 <= ${TARGET_P99_MS} ms`,
          met: e.p99 <= TARGET_P99_MS,
        },
        { scenario: '', figure: `by stage, p50/p99 ms: ${stageLine}` },
        {
          scenario: '',
          figure: `seconds whose own p99 <= ${TARGET_P99_MS} ms: ${quiet} of ${p99BySecond.length}; best ${Math.min(...p99BySecond)} ms`,
        },
      ],
    };
  } finally {
    await bench.close();
  }
}
