/**
 * Chaos 12: burst coalescing (`COALESCE_WINDOW_MS`) under SIGKILL. Thirty chats each send bursts of
 * questions while the bridge process (receive and answer in one) is killed three times at random
 * moments and started again. Every question must reach the agent and be answered, in order per chat,
 * joined to others of its burst or on its own; a question is asked again only when a crash cut its
 * call short, and nothing that was answered is answered twice but for a chunk a crash left
 * unrecorded.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/bridge.ts';
import {
  agentReply,
  between,
  chaosSeed,
  chatIds,
  drained,
  type Load,
  pushLoad,
  question,
  randomLatency,
  report,
  seededRandom,
  totalMessages,
  useChaos,
} from './harness.ts';

const cx = useChaos();
const LOAD: Load = { threads: 30, perThread: 6, firstChat: 12_000 };
const KILLS = 3;

/** The questions of `chat` in the order its answers name them (an answer may name several). */
function answeredInOrder(texts: readonly string[], chat: number): number[] {
  const seqs: number[] = [];
  const pattern = new RegExp(`chat ${chat} question (\\d+)`, 'g');
  for (const text of texts) for (const match of text.matchAll(pattern)) seqs.push(Number(match[1]));
  return seqs;
}

describe('chaos: burst coalescing with the bridge killed', () => {
  it('answers every question of every burst once, in order, through three kills', async () => {
    const seed = chaosSeed();
    const moments = seededRandom(seed + 1);
    cx.aksita.reply = agentReply(1);
    randomLatency(cx.aksita, () => between(seededRandom(seed), 50, 400));
    const env = cx.env({ COALESCE_WINDOW_MS: '700', JOB_LOCK_MS: '2000' });
    const prefix = env.REDIS_PREFIX as string;
    const startedAt = Date.now();
    let bridge = await cx.spawn(env);
    const loading = pushLoad(cx.telegram, LOAD, 8_000, seededRandom(seed + 2));
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, between(moments, 400, 2_500)));
      await cx.kill(bridge);
      bridge = await cx.spawn(env);
    }
    await loading;
    await eventually(
      async () =>
        chatIds(LOAD).every((chat) =>
          answeredInOrder(cx.telegram.sentTo(chat), chat).includes(LOAD.perThread),
        ),
      90_000,
      'the last question of every chat answered',
    );
    await eventually(() => drained(cx.redis, prefix), 30_000, 'every turn finished');

    const asked = cx.aksita.chats.flatMap((c) => c.message.split('\n'));
    const timesAsked = new Map<string, number>();
    for (const text of asked) timesAsked.set(text, (timesAsked.get(text) ?? 0) + 1);
    const problems: string[] = [];
    let duplicates = 0;
    for (const chat of chatIds(LOAD)) {
      const seqs = answeredInOrder(cx.telegram.sentTo(chat), chat);
      // In order; a repeat only right after itself (a chunk posted again after a crash).
      const distinct = seqs.filter((s, i) => i === 0 || s !== seqs[i - 1]);
      duplicates += seqs.length - distinct.length;
      const expected = Array.from({ length: LOAD.perThread }, (_, i) => i + 1);
      if (distinct.join() !== expected.join()) problems.push(`chat ${chat}: answered ${seqs.join(',')}`);
      for (const seq of expected) {
        if (!timesAsked.has(question(chat, seq))) problems.push(`chat ${chat}: question ${seq} never asked`);
      }
    }
    const joinedCalls = cx.aksita.chats.filter((c) => c.message.includes('\n')).length;
    report('12. coalescing, bridge SIGKILL x3', {
      seed,
      messages: totalMessages(LOAD),
      agentCalls: cx.aksita.chats.length,
      joinedCalls,
      maxAskedPerQuestion: Math.max(...timesAsked.values()),
      duplicateAnswers: duplicates,
      seconds: (Date.now() - startedAt) / 1000,
    });

    expect(problems).toEqual([]);
    // Bursts were joined: fewer calls than questions.
    expect(joinedCalls).toBeGreaterThan(0);
    // A question is asked again only for a call a crash cut short.
    expect(Math.max(...timesAsked.values())).toBeLessThanOrEqual(1 + KILLS);
    expect(duplicates).toBeLessThanOrEqual(KILLS);
    expect(bridge.output()).not.toContain('unhandled rejection');
  });
});
