/**
 * Shared parts of the chaos suite (`npm run test:chaos`): a seeded random source, the load (threads
 * × messages pushed through the fake Bot API at random moments, each thread's in order), the check of
 * exactly what each user saw, Redis inspection after a crash, and bookkeeping of child processes so
 * every case ends with its processes gone and its keys deleted.
 */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, inject } from 'vitest';
import { type FakeAksita, type Step, startFakeAksita } from '../fakes/aksita.ts';
import { type FakeTelegram, type SendStep, startFakeTelegram } from '../fakes/telegram.ts';
import { bridgeStarted, type ChildBridge, deletePrefix, spawnBridge, testEnv } from '../support/bridge.ts';

/** mulberry32: a small seeded generator, so a failing run can be replayed with `CHAOS_SEED`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed of this run: `CHAOS_SEED`, or a fresh one (printed with the figures). */
export function chaosSeed(): number {
  const fixed = process.env.CHAOS_SEED;
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

/** A whole number in [min, max]. */
export const between = (random: () => number, min: number, max: number): number =>
  Math.floor(min + random() * (max - min + 1));

/** `threads` private chats (ids `firstChat`, `firstChat + 1`, …), each sending `perThread` messages. */
export interface Load {
  threads: number;
  perThread: number;
  firstChat: number;
}

export const chatIds = (load: Load): number[] =>
  Array.from({ length: load.threads }, (_, i) => load.firstChat + i);
export const totalMessages = (load: Load): number => load.threads * load.perThread;

/** The text of a chat's `seq`-th message (1-based): its position is in the text, so order can be checked. */
export const question = (chat: number, seq: number): string => `chat ${chat} question ${seq}`;

/** The fake agent's answer: one part `re: <message>`, or two with `(2/2)` on the second. */
export function agentReply(parts: 1 | 2): (message: string) => string[] {
  return (message) => (parts === 1 ? [`re: ${message}`] : [`re: ${message}`, `re: ${message} (2/2)`]);
}

/**
 * Pushes every message of `load` into the fake Bot API over about `durationMs`: each tick a few
 * messages of randomly chosen threads, each thread's messages in sequence. Resolves once all are in.
 */
export async function pushLoad(
  telegram: FakeTelegram,
  load: Load,
  durationMs: number,
  random: () => number,
): Promise<void> {
  const open = chatIds(load);
  const next = new Map(open.map((chat) => [chat, 1]));
  const total = totalMessages(load);
  const started = Date.now();
  let pushed = 0;
  while (open.length > 0) {
    const due = Math.max(pushed + 1, Math.ceil(((Date.now() - started) / durationMs) * total));
    while (pushed < due && open.length > 0) {
      const i = Math.floor(random() * open.length);
      const chat = open[i] as number;
      const seq = next.get(chat) as number;
      telegram.userMessage({ chatId: chat, text: question(chat, seq) });
      pushed++;
      if (seq === load.perThread) open.splice(i, 1);
      else next.set(chat, seq + 1);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Records when each message text was pushed into the fake Bot API (from now on), so a case can tell
 * how long a user waited for each answer (`longestWait`).
 */
export function trackPushes(telegram: FakeTelegram): Map<string, number> {
  const pushedAt = new Map<string, number>();
  const push = telegram.userMessage.bind(telegram);
  telegram.userMessage = (input) => {
    if (input.text !== undefined) pushedAt.set(input.text, Date.now());
    return push(input);
  };
  return pushedAt;
}

/**
 * The longest time between a message being pushed and the first chunk of its answer (`re: <message>`)
 * being posted, in ms, over the answers posted at or after `since` (default: all), with the message.
 */
export function longestWait(
  telegram: FakeTelegram,
  pushedAt: Map<string, number>,
  since = 0,
): { ms: number; message: string } {
  let longest = { ms: 0, message: '' };
  for (const s of telegram.sent) {
    if (s.at < since || !s.text.startsWith('re: ') || s.text.endsWith(' (2/2)')) continue;
    const message = s.text.slice(4);
    const at = pushedAt.get(message);
    if (at !== undefined && s.at - at > longest.ms) longest = { ms: s.at - at, message };
  }
  return longest;
}

/** What the users saw, checked against what they should have seen. */
export interface Seen {
  /** Chunks that appeared twice in a row (only counted where allowed). */
  duplicates: number;
  /** Most duplicates seen by one chat. */
  maxDuplicatesPerChat: number;
  /** Messages answered with a notice instead of the agent's answer (only where allowed). */
  notices: number;
  /** Notices posted besides the answers (only where allowed: `besides`). */
  besides: number;
  /** Most notices posted besides the answers in one chat. */
  maxBesidesPerChat: number;
  /** Chats that got at least one notice besides their answers. */
  chatsWithBesides: number;
  /** Chunks posted in all. */
  chunks: number;
  /** Chats whose replies were missing, out of order, doubled or unexpected, with the first difference. */
  problems: string[];
}

/**
 * Checks each chat's replies, in order: for message 1, 2, … the agent's answer (or, with `notices`,
 * one of those notices instead), and nothing else. With `duplicates: 'adjacent'` a chunk posted twice in a row
 * (a crash between the platform accepting it and the bridge recording it) is counted, not refused.
 * With `besides`, that notice may also appear between answers (e.g. "your message is kept" during an
 * agent outage): it is counted per chat, not taken for an answer.
 */
export function checkReplies(
  telegram: FakeTelegram,
  load: Load,
  reply: (message: string) => string[],
  options: { duplicates: 'adjacent' | 'none'; notices?: string[][]; besides?: string[] },
): Seen {
  if (options.duplicates === 'adjacent' && (options.notices || options.besides))
    throw new Error('two notices in a row would merge');
  const seen: Seen = {
    duplicates: 0,
    maxDuplicatesPerChat: 0,
    notices: 0,
    besides: 0,
    maxBesidesPerChat: 0,
    chatsWithBesides: 0,
    chunks: 0,
    problems: [],
  };
  for (const chat of chatIds(load)) {
    const posted = telegram.sentTo(chat);
    seen.chunks += posted.length;
    let actual = posted;
    if (options.duplicates === 'adjacent') {
      actual = posted.filter((text, i) => i === 0 || text !== posted[i - 1]);
      const doubled = posted.length - actual.length;
      seen.duplicates += doubled;
      seen.maxDuplicatesPerChat = Math.max(seen.maxDuplicatesPerChat, doubled);
    }
    let at = 0;
    const matches = (expected: string[]) => expected.every((text, i) => actual[at + i] === text);
    let besides = 0;
    const skipBesides = () => {
      while (options.besides && at < actual.length && matches(options.besides)) {
        besides++;
        at += options.besides.length;
      }
    };
    let problem = '';
    for (let seq = 1; seq <= load.perThread && !problem; seq++) {
      skipBesides();
      const expected = reply(question(chat, seq));
      const notice = options.notices?.find(matches);
      if (matches(expected)) at += expected.length;
      else if (notice) {
        seen.notices++;
        at += notice.length;
      } else {
        problem = `chat ${chat}: reply #${at + 1} should be ${JSON.stringify(expected[0])}, was ${JSON.stringify(actual[at] ?? '(nothing)')}`;
      }
    }
    if (!problem) skipBesides();
    seen.besides += besides;
    seen.maxBesidesPerChat = Math.max(seen.maxBesidesPerChat, besides);
    if (besides > 0) seen.chatsWithBesides++;
    if (!problem && at < actual.length)
      problem = `chat ${chat}: unexpected extra ${JSON.stringify(actual[at])}`;
    if (problem) seen.problems.push(`${problem}; all: ${JSON.stringify(posted)}`);
  }
  return seen;
}

/** True once every chat has at least `perThread × chunksPerMessage` replies (cheap, for waiting). */
function allReplied(telegram: FakeTelegram, load: Load, chunksPerMessage: number): boolean {
  const perChat = new Map<string, number>();
  for (const s of telegram.sent) perChat.set(s.chatId, (perChat.get(s.chatId) ?? 0) + 1);
  return chatIds(load).every((chat) => (perChat.get(String(chat)) ?? 0) >= load.perThread * chunksPerMessage);
}

/**
 * Waits until every chat has at least `perThread × chunksPerMessage` replies. On timeout the error
 * says how far it got and which chats fell short, so a failure is readable without the logs.
 */
export async function waitForReplies(
  telegram: FakeTelegram,
  load: Load,
  chunksPerMessage: number,
  timeoutMs: number,
): Promise<void> {
  try {
    await telegram.waitFor(
      () => allReplied(telegram, load, chunksPerMessage),
      timeoutMs,
      'every chat answered',
    );
  } catch (err) {
    const expected = load.perThread * chunksPerMessage;
    const short = chatIds(load)
      .map((chat) => ({ chat, got: telegram.sentTo(chat).length }))
      .filter((c) => c.got < expected);
    const some = short.slice(0, 5).map((c) => `chat ${c.chat}: ${c.got}`);
    throw new Error(
      `${(err as Error).message}: ${telegram.sent.length} of ${totalMessages(load) * chunksPerMessage} replies posted; ` +
        `${short.length} of ${load.threads} chats short of ${expected} (${some.join(', ')}${short.length > 5 ? ', …' : ''})`,
    );
  }
}

/** Agent calls per message text, and the most any one message got. */
export function agentCalls(aksita: FakeAksita): { total: number; maxPerMessage: number } {
  const perMessage = new Map<string, number>();
  for (const c of aksita.chats) perMessage.set(c.message, (perMessage.get(c.message) ?? 0) + 1);
  return { total: aksita.chats.length, maxPerMessage: Math.max(0, ...perMessage.values()) };
}

/** Keys under `prefix` matching `pattern` (e.g. `active:*`). */
export async function keysOf(redis: Redis, prefix: string, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${pattern}`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** True when no thread has a turn or a waiting message: everything accepted was answered. */
export async function drained(redis: Redis, prefix: string): Promise<boolean> {
  return (
    (await keysOf(redis, prefix, 'active:*')).length === 0 &&
    (await keysOf(redis, prefix, 'inbox:*')).length === 0
  );
}

/**
 * What a crash left in Redis, read after the process died: heads whose agent call had started but
 * whose answer was not stored (each is asked again: `reAsk`), and heads whose stored answer was not
 * fully recorded as posted (each may post one chunk twice: `rePost`).
 */
export async function crashSnapshot(
  redis: Redis,
  prefix: string,
): Promise<{ reAsk: number; rePost: number }> {
  let reAsk = 0;
  let rePost = 0;
  for (const key of await keysOf(redis, prefix, 'turn:*')) {
    const h = await redis.hgetall(key);
    if (h.chunks !== undefined) {
      if (Number(h.posted ?? 0) < (JSON.parse(h.chunks) as string[]).length) rePost++;
    } else if (Number(h.tries ?? 0) > 0) reAsk++;
  }
  return { reAsk, rePost };
}

/** Random agent latency: each `/api/chat` call waits `pick()` ms before answering. */
export function randomLatency(aksita: FakeAksita, pick: () => number): void {
  Object.defineProperty(aksita, 'latencyMs', { get: pick, configurable: true });
}

/** Queues `count` one-shot behaviours for the next agent calls, each drawn by `pick`. */
export function scriptAgent(aksita: FakeAksita, count: number, pick: () => Step): void {
  aksita.script(...Array.from({ length: count }, pick));
}

/** Queues `count` one-shot behaviours for the next sendMessage calls, each drawn by `pick`. */
export function scriptPlatform(telegram: FakeTelegram, count: number, pick: () => SendStep): void {
  telegram.script(...Array.from({ length: count }, pick));
}

/** True if the child is still running. */
export const alive = (bridge: ChildBridge): boolean =>
  bridge.child.exitCode === null && bridge.child.signalCode === null;

/** One chaos case's fakes, processes and Redis prefix; everything is stopped and deleted after it. */
export interface Chaos {
  aksita: FakeAksita;
  telegram: FakeTelegram;
  /** A Redis client on the tests' Redis (a case with its own Redis opens its own). */
  redis: Redis;
  /** Environment for a bridge process against this case's fakes; one prefix per case. */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** Spawns a bridge process (killed after the case if still running) and waits until it started. */
  spawn(env: Record<string, string>): Promise<ChildBridge>;
  /** Kills a process with SIGKILL and waits for it to be gone. */
  kill(bridge: ChildBridge): Promise<void>;
  /** Runs after the processes are gone (a case's own Redis stops here). */
  onCleanup: Array<() => Promise<void>>;
}

export function useChaos(): Chaos {
  const cx = {} as Chaos;
  let children: ChildBridge[] = [];
  let prefixes: string[] = [];
  beforeEach(async () => {
    cx.aksita = await startFakeAksita();
    cx.telegram = await startFakeTelegram();
    cx.redis = new Redis(inject('redisUrl'));
    cx.onCleanup = [];
    children = [];
    prefixes = [];
    let shared: Record<string, string> | undefined;
    cx.env = (overrides = {}) => {
      shared ??= testEnv(
        { aksita: cx.aksita, telegram: cx.telegram },
        // The bridge's defaults, Telegram send pacing on among them; `CHAOS_PACING=off` turns it off
        // (same checks, about half the time: see docs/reliability.md).
        { LOG_LEVEL: 'info', ...(process.env.CHAOS_PACING === 'off' && { TELEGRAM_SEND_PACING: 'off' }) },
      );
      prefixes.push(shared.REDIS_PREFIX as string);
      return { ...shared, ...overrides };
    };
    cx.spawn = async (env) => {
      const bridge = spawnBridge(env);
      children.push(bridge);
      await bridgeStarted(bridge, 30_000);
      return bridge;
    };
    cx.kill = async (bridge) => {
      if (alive(bridge)) bridge.child.kill('SIGKILL');
      await bridge.exited;
    };
  });
  afterEach(async (context) => {
    await Promise.all(children.map((child) => cx.kill(child)));
    // CHAOS_LOGS=<dir> keeps every process's log, for a report or a failure's evidence. A failed
    // case keeps them anyway (in a fresh temporary directory without CHAOS_LOGS) and prints a
    // summary of each process's warnings and errors, so no failure goes uncaptured.
    const failed = context.task.result?.state === 'fail';
    const logs =
      process.env.CHAOS_LOGS ?? (failed ? mkdtempSync(join(tmpdir(), 'aksita-chaos-logs-')) : undefined);
    if (logs) {
      mkdirSync(logs, { recursive: true });
      const name = (context.task.fullTestName ?? context.task.name).replace(/[^\w-]+/g, '-').slice(0, 60);
      for (const [i, child] of children.entries())
        writeFileSync(join(logs, `${name}-${i}.log`), child.output());
      if (failed) process.stderr.write(`CHAOS logs of "${context.task.name}" in ${logs}\n`);
    }
    if (failed) for (const [i, child] of children.entries()) process.stderr.write(logSummary(i, child));
    for (const cleanup of cx.onCleanup) await cleanup();
    for (const prefix of new Set(prefixes)) await deletePrefix(cx.redis, prefix);
    cx.redis.disconnect();
    await cx.telegram.close();
    await cx.aksita.close();
  });
  return cx;
}

/**
 * One process's log in a few lines: how it ended, and its warnings and errors counted by message,
 * each with the first error text seen for it.
 */
function logSummary(index: number, bridge: ChildBridge): string {
  const { exitCode, signalCode } = bridge.child;
  const counts = new Map<string, { n: number; first: string }>();
  let other = 0;
  for (const line of bridge.output().split('\n')) {
    if (!line.trim()) continue;
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      other++;
      continue;
    }
    if ((entry.level ?? 0) < 40) continue;
    const key = `${entry.level === 40 ? 'warn' : 'error'} ${entry.msg ?? '?'}`;
    const seen = counts.get(key);
    if (seen) seen.n++;
    else counts.set(key, { n: 1, first: entry.err?.message?.slice(0, 200) ?? '' });
  }
  const lines = [...counts].map(([key, { n, first }]) => `    ${n} × ${key}${first ? `: ${first}` : ''}`);
  if (other > 0) lines.push(`    ${other} × (not a log line)`);
  return `CHAOS process ${index} (exit ${exitCode ?? signalCode ?? 'running'}):\n${lines.join('\n') || '    no warnings or errors'}\n`;
}

/** Prints one case's figures (and appends them to `CHAOS_REPORT` when set) for docs/reliability.md. */
export function report(name: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ case: name, ...figures });
  process.stderr.write(`CHAOS ${line}\n`);
  const file = process.env.CHAOS_REPORT;
  if (file) appendFileSync(file, `${line}\n`);
}
