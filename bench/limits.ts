/**
 * Scenario 4, platform limits: the fake Bot API enforces 1 message/s per chat and 30 messages/s
 * overall (accepted sends count; beyond that it answers 429 with `retry_after`). `BENCH_LIMITS_CHATS`
 * (100) chats send one message each at once and the fake agent answers each with
 * `BENCH_LIMITS_PARTS` (6) elements: a burst of 600 reply messages. The bridge runs with its send
 * pacing on (`TELEGRAM_SEND_PACING=on`, the default). Checked: every reply delivered, in order per
 * chat; the share of sends answered 429; the time from the burst to the last accepted reply against
 * the least the limits allow, replies / 30 per second (20 s).
 */
import { fmt, knob, type Outcome } from './report.ts';
import { startBench } from './setup.ts';

export interface LimitsResult {
  chats: number;
  partsPerReply: number;
  replies: number;
  /** sendMessage attempts, accepted or not. */
  attempts: number;
  tooMany: number;
  tooManyShare: number;
  /** Chats whose replies were missing, doubled or out of order. */
  chatsWrong: number;
  seconds: number;
  minimumSeconds: number;
  /** seconds / minimumSeconds. */
  ratio: number;
  peakRssMb: number;
}

const RATE = { perChatPerSecond: 1, globalPerSecond: 30 };

const part = (message: string, k: number, parts: number) => `${message} part ${k}/${parts}`;

export async function limits(redisUrl: string): Promise<Outcome<LimitsResult>> {
  const chats = knob('BENCH_LIMITS_CHATS', 100);
  const parts = knob('BENCH_LIMITS_PARTS', 6);
  const replies = chats * parts;
  const bench = await startBench(redisUrl, {
    agent: { reply: (message) => Array.from({ length: parts }, (_, k) => part(message, k + 1, parts)) },
    env: { TELEGRAM_SEND_PACING: 'on' },
  });
  try {
    const { telegram } = bench;
    const bridge = await bench.spawn('all');
    telegram.rateLimit = RATE;
    const started = Date.now();
    for (let chat = 1; chat <= chats; chat++) telegram.userMessage({ chatId: chat, text: `c${chat}` });
    await bench.waitFor(() => telegram.sent.length >= replies, 600_000, 'all replies');
    // A moment more, so a reply posted twice would be counted.
    await new Promise((r) => setTimeout(r, 500));
    const seconds = ((telegram.sent.at(-1)?.at ?? Date.now()) - started) / 1000;
    let chatsWrong = 0;
    for (let chat = 1; chat <= chats; chat++) {
      const expected = Array.from({ length: parts }, (_, k) => part(`c${chat}`, k + 1, parts));
      if (JSON.stringify(telegram.sentTo(chat)) !== JSON.stringify(expected)) chatsWrong++;
    }
    const attempts = telegram.sendAttempts.length;
    const tooMany = telegram.sendAttempts.filter((a) => a.status === 429).length;
    const minimumSeconds = Math.max(replies / RATE.globalPerSecond, parts / RATE.perChatPerSecond);
    const result: LimitsResult = {
      chats,
      partsPerReply: parts,
      replies,
      attempts,
      tooMany,
      tooManyShare: tooMany / attempts,
      chatsWrong,
      seconds,
      minimumSeconds,
      ratio: seconds / minimumSeconds,
      peakRssMb: bridge.memory().peakRssMb,
    };
    return {
      result,
      rows: [
        {
          scenario: '4. limits',
          figure: `${fmt(replies)} replies over ${fmt(chats)} chats: ${chatsWrong === 0 ? 'all delivered in order' : `${chatsWrong} chats wrong`}`,
          target: 'all, in order',
          met: chatsWrong === 0,
        },
        {
          scenario: '',
          figure: `429s: ${fmt(tooMany)} of ${fmt(attempts)} sends (${fmt(100 * result.tooManyShare, 1)} %)`,
          target: '< 5 %',
          met: result.tooManyShare < 0.05,
        },
        {
          scenario: '',
          figure: `${seconds.toFixed(1)} s vs minimum ${minimumSeconds.toFixed(1)} s: ${result.ratio.toFixed(2)}x`,
          target: '<= 1.25x',
          met: result.ratio <= 1.25,
        },
      ],
    };
  } finally {
    await bench.close();
  }
}
