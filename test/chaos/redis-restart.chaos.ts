/**
 * Chaos 2: Redis itself is stopped mid-load and started again on the same port and data directory
 * (append-only file, `appendfsync always`). The bridge must reconnect by itself, and every message
 * must end answered, in order per chat, with nothing lost and nothing doubled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/bridge.ts';
import { freePort } from '../support/net.ts';
import {
  agentCalls,
  agentReply,
  alive,
  between,
  chaosSeed,
  checkReplies,
  drained,
  type Load,
  pushLoad,
  randomLatency,
  report,
  seededRandom,
  totalMessages,
  useChaos,
  waitForReplies,
} from './harness.ts';

const cx = useChaos();
const LOAD: Load = { threads: 50, perThread: 10, firstChat: 2_000 };

/** A redis-server of this case's own: durable (AOF, fsync on every write), on `port`, in `dir`. */
class OwnRedis {
  #child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it and waits until it answers PING (after loading its append-only file). */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'always');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        15_000,
        `redis-server on port ${this.port}`,
      );
    } finally {
      probe.disconnect();
    }
  }

  /** Stops it the way an operator would (SIGTERM: Redis flushes its AOF and exits). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** One run: the load through one bridge process while its Redis is stopped and started again. */
async function restartRun(options: {
  name: string;
  lockMs: number;
  /** Over how long the load is pushed, ms. */
  pushMs: number;
  /** Agent latency range, ms. */
  latencyMs: [number, number];
  /** When Redis stops, after the bridge started, ms. */
  stopAtMs: [number, number];
  /** How long Redis stays down, ms. */
  downMs: [number, number];
}) {
  const seed = chaosSeed();
  const latency = seededRandom(seed);
  const moments = seededRandom(seed + 1);
  const redis = new OwnRedis(await freePort(), mkdtempSync(join(tmpdir(), 'aksita-chaos-redis-')));
  cx.onCleanup.push(async () => {
    await redis.kill();
    rmSync(redis.dir, { recursive: true, force: true });
  });
  await redis.start();
  const reply = agentReply(1);
  cx.aksita.reply = reply;
  randomLatency(cx.aksita, () => between(latency, ...options.latencyMs));
  const env = cx.env({ REDIS_URL: redis.url, JOB_LOCK_MS: String(options.lockMs) });
  const prefix = env.REDIS_PREFIX as string;
  const startedAt = Date.now();
  const bridge = await cx.spawn(env);
  const loading = pushLoad(cx.telegram, LOAD, options.pushMs, seededRandom(seed + 2));

  // A random moment mid-load, and a random while down (timed events).
  await new Promise((r) => setTimeout(r, between(moments, ...options.stopAtMs)));
  const stoppedAtMs = Date.now() - startedAt;
  const answeredBefore = cx.telegram.sent.length;
  await redis.stop();
  await new Promise((r) => setTimeout(r, between(moments, ...options.downMs)));
  await redis.start();
  const downMs = Date.now() - startedAt - stoppedAtMs;

  await loading;
  await waitForReplies(cx.telegram, LOAD, 1, 120_000);
  const check = new Redis(redis.url);
  try {
    await eventually(() => drained(check, prefix), 60_000, 'every turn finished');
  } finally {
    check.disconnect();
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const seen = checkReplies(cx.telegram, LOAD, reply, { duplicates: 'none' });
  const calls = agentCalls(cx.aksita);
  report(options.name, {
    seed,
    messages: totalMessages(LOAD),
    threads: LOAD.threads,
    jobLockMs: options.lockMs,
    redisStoppedAtMs: stoppedAtMs,
    redisDownMs: downMs,
    answeredBeforeStop: answeredBefore,
    agentCalls: calls.total,
    maxCallsPerMessage: calls.maxPerMessage,
    chunks: seen.chunks,
    chatsWrong: seen.problems.length,
    seconds,
  });
  return { bridge, seen, calls, answeredBefore, downMs };
}

describe('chaos: Redis restarted mid-load', () => {
  it('reconnects by itself and answers every message in order, once', async () => {
    // The default JOB_LOCK_MS (30 s): the outage is shorter than a turn's lock.
    const run = await restartRun({
      name: '2. Redis restart',
      lockMs: 30_000,
      pushMs: 10_000,
      latencyMs: [50, 500],
      stopAtMs: [2_000, 5_000],
      downMs: [1_500, 3_000],
    });
    expect(run.seen.problems).toEqual([]);
    expect(run.calls.total).toBe(totalMessages(LOAD));
    // The restart fell mid-load: some answers were out before it, not all.
    expect(run.answeredBefore).toBeGreaterThan(0);
    expect(run.answeredBefore).toBeLessThan(totalMessages(LOAD));
    expect(alive(run.bridge)).toBe(true);
    expect(run.bridge.output()).not.toContain('unhandled rejection');
  });

  // Found by this suite (see docs/reliability.md): when Redis is away longer than JOB_LOCK_MS, BullMQ's
  // stalled check hands each running turn's job out again under the same job id while the first run
  // is still draining its thread. Runs are now fenced: each run claims the thread, and a run whose
  // claim was taken over stops before it asks the agent, posts or pops again.
  it('keeps order when Redis is away longer than JOB_LOCK_MS', async () => {
    // Deep inboxes (all messages in at once, slower agent), so turns are still draining when the
    // stalled check hands their jobs out again after the restart.
    const run = await restartRun({
      name: '2b. Redis away > JOB_LOCK_MS',
      lockMs: 2_000,
      pushMs: 1_500,
      latencyMs: [300, 900],
      stopAtMs: [2_000, 3_000],
      downMs: [4_000, 5_000],
    });
    expect(run.seen.problems).toEqual([]);
  });
});
