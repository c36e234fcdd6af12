/**
 * Starts a bridge for a test: in this process (`startTestBridge`) or as a real child process
 * (`spawnBridge`, for crash tests), against the fakes and the real Redis, with its own Redis prefix
 * and captured logs. `cleanup` stops it and deletes every key under its prefix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { type Bridge, startBridge } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { AnyPlatform } from '../../src/platforms.ts';
import type { FakeAksita } from '../fakes/aksita.ts';
import { waitFor } from '../fakes/http.ts';
import type { FakeTelegram } from '../fakes/telegram.ts';

/**
 * Environment for a bridge talking to the given fakes; `overrides` win. Backoffs are short, and under
 * `npm test` Telegram send pacing is off (vitest.config.ts provides `telegramSendPacing: 'off'`): a
 * test of pacing turns it on with `TELEGRAM_SEND_PACING: 'on'`. The chaos suite provides nothing, so
 * its bridges keep the bridge's default, pacing on.
 */
export function testEnv(
  fakes: { aksita: FakeAksita; telegram?: FakeTelegram | undefined },
  overrides: Record<string, string> = {},
): Record<string, string> {
  const pacing = inject('telegramSendPacing');
  return {
    AKSITA_API_KEY: 'test-key',
    AKSITA_BASE_URL: fakes.aksita.url,
    AKSITA_RETRY_BASE_MS: '50',
    AKSITA_RETRY_MAX_MS: '400',
    SEND_RETRY_BASE_MS: '50',
    SEND_RETRY_MAX_MS: '400',
    ...(pacing && { TELEGRAM_SEND_PACING: pacing }),
    ...(fakes.telegram && {
      TELEGRAM_BOT_TOKEN: fakes.telegram.token,
      TELEGRAM_API_ROOT: fakes.telegram.apiRoot,
    }),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    HTTP_PORT: '0',
    METRICS_TOKEN: MONITOR_TOKEN,
    JOB_LOCK_MS: '2000',
    SHUTDOWN_GRACE_MS: '1000',
    LOG_LEVEL: 'debug',
    ...overrides,
  };
}

/** The `METRICS_TOKEN` of test bridges: what monitoring sends to read `/metrics` and health details. */
export const MONITOR_TOKEN = 'test-monitor-token-0123456789';

/** `GET path` of the bridge on `port` as Prometheus or a monitoring probe does, with the metrics token. */
export function monitor(port: number, path: '/metrics' | '/healthz'): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${MONITOR_TOKEN}` } });
}

/** Captured log lines (raw JSON strings) with a parsed view. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  /** Parsed entries whose `msg` equals `msg`. */
  find(msg: string): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === msg);
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface TestBridge {
  bridge: Bridge;
  config: Config;
  logs: LogCapture;
  log: Logger;
  redis: Redis;
  cleanup(): Promise<void>;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Starts a bridge on `env`; `platforms` replaces the registry's list (to add a test-only platform). */
export async function startTestBridge(
  env: Record<string, string>,
  options: { platforms?: readonly AnyPlatform[] } = {},
): Promise<TestBridge> {
  const config = loadConfig(env, options.platforms ? { platforms: options.platforms } : {});
  const logs = new LogCapture();
  const log = createLogger({ level: config.logLevel, secrets: config.secrets }, logs);
  const bridge = await startBridge(config, { log });
  const redis = new Redis(config.redisUrl);
  return {
    bridge,
    config,
    logs,
    log,
    redis,
    async cleanup() {
      await bridge.stop();
      await deletePrefix(redis, config.redisPrefix);
      redis.disconnect();
    },
  };
}

/** A bridge running as a real child process (`tsx src/main.ts`), for crash and signal tests. */
export interface ChildBridge {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ENTRY = {
  main: new URL('../../src/main.ts', import.meta.url),
  cli: new URL('../../src/cli.ts', import.meta.url),
};

/** Runs `src/main.ts` (or `src/cli.ts` with `args`), optionally writing `stdin` to it and closing it. */
export function spawnBridge(
  env: Record<string, string>,
  options: { entry?: keyof typeof ENTRY; args?: string[]; stdin?: string } = {},
): ChildBridge {
  let output = '';
  // Run from an empty directory so a developer's own .env in the repo never leaks into a test.
  const script = fileURLToPath(ENTRY[options.entry ?? 'main']);
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), script, ...(options.args ?? [])],
    {
      cwd: mkdtempSync(join(tmpdir(), 'aksita-bridge-')),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    },
  );
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/**
 * Polls an async condition every 20 ms until it holds; rejects naming `what` after `timeoutMs`. Its
 * arguments come in the order of `waitFor` (test/fakes/http.ts), its synchronous twin.
 */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the child bridge logged `bridge started`. */
export async function bridgeStarted(bridge: ChildBridge, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    () => bridge.output().includes('"bridge started"'),
    timeoutMs,
    `bridge start; output:\n${bridge.output()}`,
  );
}
