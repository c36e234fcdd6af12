/**
 * The Grafana dashboard and the Prometheus rules of deploy/ use only metrics a running bridge serves,
 * and they are there at its first scrape, before any message: every `aksita_bridge_*` name they
 * reference, and every label value they select, is in `GET /metrics` of a freshly started bridge.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { monitor } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every PromQL expression of the dashboard and the alert rules, with where it comes from. */
function expressions(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(read('deploy/grafana/aksita-bridge.json')) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  };
  const rules = parse(read('deploy/prometheus/aksita-bridge.rules.yml')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  return [
    ...dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ where: `panel ${p.title}`, expr: t.expr })),
    ),
    ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];
}

/** Samples of a scrape: metric name and labels of each line. */
function samples(text: string): Array<{ name: string; labels: Record<string, string> }> {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const name = /^[a-zA-Z_:][\w:]*/.exec(line)?.[0] ?? '';
      const labels = Object.fromEntries(
        [...(/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name, labels };
    });
}

describe('deploy/ against a running bridge', () => {
  it('references only metrics and label values the bridge serves from its first scrape', async () => {
    const { bridge } = await fx.start();
    const scraped = samples(await (await monitor(bridge.port, '/metrics')).text());
    const names = new Set(scraped.map((s) => s.name));
    const all = expressions();
    expect(all.length).toBeGreaterThan(20);
    let checked = 0;
    for (const { where, expr } of all) {
      // Selectors: a metric name, optionally with matchers. `up` is made by Prometheus, not served.
      for (const [, name = '', matchers = ''] of expr.matchAll(/\b([a-z_:][\w:]*)\{([^}]*)\}/g)) {
        if (name === 'up') continue;
        expect(name, `${where}: ${expr}`).toMatch(/^aksita_bridge_/);
        expect(names.has(name), `${where}: ${name} is not in /metrics`).toBe(true);
        checked++;
        // `label="value"` and `label=~"a|b"`: each value has a series from the start. `job` and
        // `instance` are Prometheus's; negative matchers select nothing in particular.
        for (const [, label = '', op, values = ''] of matchers.matchAll(/(\w+)\s*(=~|=)\s*"([^"]*)"/g)) {
          if (label === 'job' || label === 'instance') continue;
          for (const value of op === '=~' ? values.split('|') : [values])
            expect(
              scraped.some((s) => s.name === name && s.labels[label] === value),
              `${where}: no ${name}{${label}="${value}"} in /metrics`,
            ).toBe(true);
        }
      }
    }
    // Every expression names at least one of the bridge's metrics (or `up`).
    for (const { where, expr } of all) expect(expr, where).toMatch(/\b(aksita_bridge_\w+|up)\{/);
    expect(checked).toBeGreaterThan(all.length - 2);
  });
});
