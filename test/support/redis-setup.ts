/**
 * Finds the Redis the tests run against: `REDIS_URL`, else 127.0.0.1:6379, else a `redis-server`
 * from the PATH started on a free port (stopped again after the run). With none, the run stops with
 * a message saying how to get one. Tests read the URL with `inject('redisUrl')`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { freePort } from './net.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** `TELEGRAM_SEND_PACING` for the bridges of `testEnv`, where a config provides it (npm test: off). */
    telegramSendPacing?: 'on' | 'off';
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  const candidates = [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter((u): u is string => !!u);
  for (const url of candidates) {
    if (await reachable(url)) {
      project.provide('redisUrl', url);
      return () => {};
    }
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aksita-redis-'));
  const started = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const spawnFailed = new Promise<boolean>((resolve) => started.once('error', () => resolve(true)));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await Promise.race([spawnFailed, new Promise<false>((r) => setTimeout(() => r(false), 100))])) break;
    if (await reachable(url)) {
      child = started;
      project.provide('redisUrl', url);
      return () => child?.kill('SIGTERM');
    }
  }
  started.kill('SIGKILL');
  throw new Error(
    `No Redis for the tests: none answered at ${candidates.join(' or ')}, and redis-server could not be started from the PATH. ` +
      'Install one (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL.',
  );
}
