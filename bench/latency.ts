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
    for (const sent of telegram.sent.slice(warm)) {
      const i = Number(/q(\d+)/.exec(sent.text)?.[1]);
      endToEnd[i] = sent.at - (pushed.enqueuedAt[i] as number);
    }
    const toAgent = aksita.chats
      .slice(warmCalls)
      .map((call) => call.at - (pushed.enqueuedAt[Number(call.message.slice(1))] as number));
    const result: LatencyResult = {
      rate,
      seconds,
      chats,
      messages: total,
      achievedRate: total / pushed.seconds,
      endToEnd: percentiles(endToEnd),
      toAgent: percentiles(toAgent),
      peakRssMb: bridge.memory().peakRssMb,
    };
    const e = result.endToEnd;
    const a = result.toAgent;
    return {
      result,
      rows: [
        {
          scenario: '2. latency',
          figure: `p50 ${e.p50} / p95 ${e.p95} / p99 ${e.p99} ms (max ${e.max}); ${fmt(total)} msgs at ${fmt(result.achievedRate)}/s`,
          target: `p99 <= ${TARGET_P99_MS} ms`,
          met: e.p99 <= TARGET_P99_MS,
        },
        {
          scenario: '',
          figure: `of which until the agent call: p50 ${a.p50} / p95 ${a.p95} / p99 ${a.p99} ms`,
        },
      ],
    };
  } finally {
    await bench.close();
  }
}
