/**
 * The shared agent outage, on real Redis: a streak of failures with no answer between opens it (one
 * rate limit is enough), any answer ends the streak, only one turn at a time gets the probe slot, a
 * probe given up hands the slot back, and the end reports the chats that waited.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { AgentOutage } from '../../src/core/outage.ts';
import { deletePrefix } from '../support/bridge.ts';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];

/** An outage with probes backing off from 100 ms (first probe 400 ms after it opens) to 5 s, no jitter. */
function newOutage(): AgentOutage {
  const prefix = `test-outage-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return new AgentOutage(redis, { prefix, retry: { baseMs: 100, maxMs: 5_000 }, random: () => 0.5 });
}

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('agent outage', () => {
  it('opens after three failures in a row, not when answers come between them', async () => {
    const outage = newOutage();
    const now = 1_000_000;
    expect(await outage.fail('server', { now })).toEqual({ kind: 'none' });
    expect(await outage.fail('server', { now })).toEqual({ kind: 'none' });
    expect(await outage.close()).toBeNull(); // an answer: the streak is over, no outage was open
    expect(await outage.current()).toEqual({ outageId: null, failing: false });
    expect(await outage.fail('server', { now })).toEqual({ kind: 'none' });
    expect(await outage.current()).toEqual({ outageId: null, failing: true });
    expect(await outage.fail('timeout', { now })).toEqual({ kind: 'none' });
    const opened = await outage.fail('server', { now: now + 10 });
    expect(opened).toMatchObject({ kind: 'opened', outage: { since: now, code: 'server' }, next: now + 410 });
    expect(await outage.fail('server', { now: now + 20 })).toMatchObject({ kind: 'existed' });
    expect((await outage.current()).outageId).toBe(opened.kind === 'opened' ? opened.outage.id : '');
  });

  it('opens at the first rate limit, and waits at least its Retry-After', async () => {
    const outage = newOutage();
    const failure = await outage.fail('rate_limited', { now: 5_000, opens: true, minDelayMs: 30_000 });
    expect(failure).toMatchObject({ kind: 'opened', next: 35_000 });
  });

  it('gives the probe slot to one turn at a time, backs off after a failed probe, and hands it back when a probe is given up', async () => {
    const outage = newOutage();
    const now = 2_000_000;
    await outage.fail('server', { now, opens: true });
    expect(await outage.gate(now, 60_000)).toMatchObject({ kind: 'wait', until: now + 400 });
    expect(await outage.gate(now + 400, 60_000)).toMatchObject({ kind: 'probe' });
    // While it probes, everyone else waits as long as the probe may take.
    expect(await outage.gate(now + 401, 60_000)).toMatchObject({ kind: 'wait', until: now + 60_400 });
    // The probe failed: the next one comes later than the first.
    const failed = await outage.fail('server', { now: now + 500, probe: true });
    expect(failed).toMatchObject({ kind: 'existed', next: now + 500 + 800 });
    const probe = await outage.gate(now + 1_300, 60_000);
    expect(probe.kind).toBe('probe');
    if (probe.kind !== 'probe') return;
    // That probe is abandoned (the bridge is stopping): the next turn may probe at once.
    await outage.release(probe.outage.id, now + 1_310);
    expect(await outage.gate(now + 1_310, 60_000)).toMatchObject({ kind: 'probe' });
  });

  it('ends with the first answer, naming the chats that waited and whether admins were told', async () => {
    const outage = newOutage();
    const opened = await outage.fail('server', { now: 10_000, opens: true });
    if (opened.kind === 'none') throw new Error('expected an outage');
    await outage.waiting('telegram:1');
    await outage.waiting('slack:T1:C1');
    expect(await outage.tell(opened.outage.id, 'telegram:1')).toBe(true);
    expect(await outage.tell(opened.outage.id, 'telegram:1')).toBe(false);
    expect(await outage.announce(opened.outage.id)).toBe(true);
    expect(await outage.announce(opened.outage.id)).toBe(false);
    const closed = await outage.close();
    expect(closed).toMatchObject({ announced: true, since: 10_000 });
    expect(closed?.waiting.sort()).toEqual(['slack:T1:C1', 'telegram:1']);
    // Announcing an outage that is over neither counts nor brings it back.
    expect(await outage.announce(opened.outage.id)).toBe(false);
    expect(await outage.current()).toEqual({ outageId: null, failing: false });
  });
});
