/**
 * The registry of running processes, on real Redis: what `status` lists. A process is listed from
 * its start until its clean stop, a crashed one (no heartbeat) drops out after the time to live, and
 * the hash itself expires with the last process; the terminal chats' registry keeps the entries of
 * gone chats until whoever cleans up after them forgets them.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { ProcessRegistry } from '../../src/core/processes.ts';
import { type StatusReport, statusText } from '../../src/core/reports.ts';
import { deletePrefix } from '../support/bridge.ts';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];

function newPrefix(): string {
  const prefix = `test-processes-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
}

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  redis.disconnect();
});

it('lists a process from its start to its clean stop, and drops one that stopped beating', async () => {
  const prefix = newPrefix();
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const registry = new ProcessRegistry(redis, { prefix, ttlSeconds: 30, now: () => now });
  const receiver = await registry.publish({ role: 'receiver', platforms: ['telegram'], version: '1.2.3' });
  now += 1_000;
  const worker = await registry.publish({
    role: 'worker',
    platforms: ['telegram', 'slack'],
    version: '1.2.3',
  });
  expect(await registry.list()).toMatchObject([
    { id: receiver.id, role: 'receiver', platforms: ['telegram'], pid: process.pid, version: '1.2.3' },
    { id: worker.id, role: 'worker', platforms: ['telegram', 'slack'] },
  ]);
  expect(await redis.pttl(`${prefix}:processes`)).toBeGreaterThan(0);

  await worker.stop();
  expect((await registry.list()).map((p) => p.role)).toEqual(['receiver']);

  // The receiver crashes: no heartbeat for longer than the time to live (the clock is the test's, and
  // the real heartbeat, every 10 s, does not come within the test).
  now += 31_000;
  expect(await registry.list()).toEqual([]);
  // The next process's heartbeat removes the entry of the one gone.
  const next = await registry.publish({ role: 'all', platforms: [], version: '1.2.4' });
  expect(Object.keys(await redis.hgetall(`${prefix}:processes`))).toEqual([next.id]);
  await next.stop();
  expect(await redis.exists(`${prefix}:processes`)).toBe(0);
  await receiver.stop();
});

it("keeps the entries of gone chats until they are forgotten (the chats' own registry)", async () => {
  const prefix = newPrefix();
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const chats = new ProcessRegistry(redis, { prefix, name: 'cli-chats', gone: 'keep', now: () => now });
  // A chat that crashes: no heartbeat for longer than the time to live.
  const crashed = await chats.publish({ id: 'crashed', role: 'chat', platforms: ['cli'], version: '1' });
  now += 60_000;
  const alive = await chats.publish({ id: 'alive', role: 'chat', platforms: ['cli'], version: '1' });
  expect(await chats.gone()).toEqual(['crashed']);
  expect((await chats.list()).map((p) => p.id)).toEqual(['alive']);
  await chats.forget('crashed');
  expect(await chats.gone()).toEqual([]);
  await alive.stop();
  await crashed.stop();
});

it('shows the processes in the status text, from a bridge and from the terminal', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const report: StatusReport = {
    version: '1.2.3',
    uptimeSeconds: 5,
    health: { redis: { ok: true, detail: 'ok' } },
    queue: {},
    oldestWaitingSeconds: null,
    lastHour: { answered: 0, errors: {} } as StatusReport['lastHour'],
    agentOutage: null,
    controls: null,
    processes: [
      {
        id: 'a',
        role: 'receiver',
        platforms: ['telegram'],
        pid: 41,
        host: 'box-1',
        version: '1.2.3',
        startedAt: new Date(now - 3_700_000).toISOString(),
        lastSeen: new Date(now).toISOString(),
      },
      {
        id: 'b',
        role: 'worker',
        platforms: [],
        pid: 42,
        host: 'box-2',
        version: '1.2.2',
        startedAt: new Date(now - 90_000).toISOString(),
        lastSeen: new Date(now).toISOString(),
      },
    ],
  };
  const processes = [
    'Bridge processes: 2',
    '  receiver on box-1, pid 41: telegram, up 1 h 1 min',
    '  worker on box-2, pid 42: no platform, up 1 min, version 1.2.2',
  ].join('\n');
  expect(statusText(report, { now })).toContain(`up 5 s\nConnections:\n  redis: ok\n${processes}\nQueue:`);
  expect(statusText(report, { from: 'terminal', now })).toMatch(
    new RegExp(`^aksita-bridge 1\\.2\\.3\\n${processes}\\nQueue:`),
  );
  expect(statusText({ ...report, processes: [] }, { from: 'terminal', now })).toContain(
    'Bridge processes: none running',
  );
});
