/**
 * The metrics a fresh bridge serves before anything happened: build info, and every counter with a
 * zero-valued series for each label set known up front, so alert rules and `rate()` work from the
 * first scrape.
 */
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { PromMetrics } from '../../src/http/metrics.ts';

/** The scrape's samples as `name{labels}` → value. */
async function scrape(metrics: PromMetrics): Promise<Map<string, string>> {
  const text = await metrics.registry.metrics();
  const samples = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), line.slice(at + 1));
  }
  return samples;
}

describe('PromMetrics before the first event', () => {
  it('reports the version and the Node.js it runs on', async () => {
    const samples = await scrape(new PromMetrics({ platforms: ['telegram'] }));
    expect(samples.get(`aksita_bridge_build_info{version="${pkg.version}",node="${process.version}"}`)).toBe(
      '1',
    );
  });

  it('has a zero for every platform, agent error, send failure and drop known up front', async () => {
    const samples = await scrape(new PromMetrics({ platforms: ['telegram', 'slack'] }));
    for (const platform of ['telegram', 'slack']) {
      for (const name of [
        'messages_in_total',
        'messages_out_total',
        'credits_used_total',
        'agent_calls_unknown_cost_total',
        'agent_latency_seconds_count',
      ])
        expect(samples.get(`aksita_bridge_${name}{platform="${platform}"}`), `${name} ${platform}`).toBe('0');
      for (const kind of [
        'rate_limited',
        'transient',
        'unauthorized',
        'chat_refused',
        'too_long',
        'rejected',
      ])
        expect(samples.get(`aksita_bridge_send_failures_total{platform="${platform}",kind="${kind}"}`)).toBe(
          '0',
        );
      for (const [what, reason] of [
        ['question', 'stale'],
        ['question', 'chat_refused'],
        ['answer', 'chat_refused'],
        ['answer', 'rejected'],
        ['answer', 'too_long'],
        ['answer', 'send_gave_up'],
      ])
        expect(
          samples.get(
            `aksita_bridge_dropped_total{platform="${platform}",what="${what}",reason="${reason}"}`,
          ),
          `${what} ${reason}`,
        ).toBe('0');
    }
    const kinds = ['bad-request', 'unauthorized', 'payment-required', 'forbidden', 'not-found', 'server'];
    for (const kind of [...kinds, 'timeout', 'network', 'rate_limited', 'malformed'])
      expect(samples.get(`aksita_bridge_agent_errors_total{kind="${kind}"}`), kind).toBe('0');
    // Only the platforms configured: no series for one that is not.
    expect([...samples.keys()].filter((k) => k.includes('platform="discord"'))).toEqual([]);
    expect(samples.get('aksita_bridge_turns_in_flight')).toBe('0');
    expect(samples.get('aksita_bridge_agent_outage_seconds')).toBe('0');
  });

  it('defaults to the three chat platforms', async () => {
    const samples = await scrape(new PromMetrics());
    for (const platform of ['telegram', 'discord', 'slack'])
      expect(samples.get(`aksita_bridge_messages_in_total{platform="${platform}"}`)).toBe('0');
    expect([...samples.keys()].filter((k) => k.includes('platform="cli"'))).toEqual([]);
  });

  it('reports an unknown balance as NaN, so a fresh bridge does not look out of credits', async () => {
    let balance: number | null = null;
    const metrics = new PromMetrics({ balance: async () => balance });
    // prom-client writes NaN as "Nan", which Prometheus parses (case-insensitively) as NaN.
    expect((await scrape(metrics)).get('aksita_bridge_credits_remaining')?.toLowerCase()).toBe('nan');
    balance = 0;
    expect((await scrape(metrics)).get('aksita_bridge_credits_remaining')).toBe('0');
    balance = 9985;
    expect((await scrape(metrics)).get('aksita_bridge_credits_remaining')).toBe('9985');
  });

  it('counts from the zeros', async () => {
    const metrics = new PromMetrics({ platforms: ['telegram'] });
    metrics.sendFailed('telegram', 'unauthorized');
    metrics.agentFailed('timeout', 'telegram', true);
    metrics.dropped('telegram', 'answer', 'send_gave_up');
    const samples = await scrape(metrics);
    expect(samples.get('aksita_bridge_send_failures_total{platform="telegram",kind="unauthorized"}')).toBe(
      '1',
    );
    expect(samples.get('aksita_bridge_send_failures_total{platform="telegram",kind="transient"}')).toBe('0');
    expect(samples.get('aksita_bridge_agent_errors_total{kind="timeout"}')).toBe('1');
    expect(samples.get('aksita_bridge_agent_calls_unknown_cost_total{platform="telegram"}')).toBe('1');
    expect(
      samples.get('aksita_bridge_dropped_total{platform="telegram",what="answer",reason="send_gave_up"}'),
    ).toBe('1');
  });
});
