/**
 * Prometheus metrics (prom-client), served at `GET /metrics`: messages in and out by platform, agent
 * latency, agent errors by kind, credits used and remaining, queue depth, turns in flight, and the
 * process metrics. Queue depth and balance are read from Redis when scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Platform } from '../core/contract.ts';
import type { AgentErrorCode } from '../core/errors.ts';
import type { Observer } from '../core/observer.ts';

export interface MetricsSources {
  /** BullMQ job counts by state. */
  queueCounts?: () => Promise<Record<string, number>>;
  /** Latest known credit balance, or null. */
  balance?: () => Promise<number | null>;
}

export class PromMetrics implements Observer {
  readonly registry = new Registry();
  readonly #in: Counter<'platform'>;
  readonly #out: Counter<'platform'>;
  readonly #latency: Histogram<'platform'>;
  readonly #errors: Counter<'kind'>;
  readonly #credits: Counter<'platform'>;
  readonly #inFlight: Gauge;

  constructor(sources: MetricsSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'aksita_bridge_' });
    this.#in = new Counter({
      name: 'aksita_bridge_messages_in_total',
      help: 'Platform messages stored for answering',
      labelNames: ['platform'],
      registers,
    });
    this.#out = new Counter({
      name: 'aksita_bridge_messages_out_total',
      help: 'Messages posted to platforms',
      labelNames: ['platform'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'aksita_bridge_agent_latency_seconds',
      help: 'Time of successful agent calls',
      labelNames: ['platform'],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    this.#errors = new Counter({
      name: 'aksita_bridge_agent_errors_total',
      help: 'Failed agent calls by kind',
      labelNames: ['kind'],
      registers,
    });
    this.#credits = new Counter({
      name: 'aksita_bridge_credits_used_total',
      help: 'Aksita credits used',
      labelNames: ['platform'],
      registers,
    });
    this.#inFlight = new Gauge({
      name: 'aksita_bridge_turns_in_flight',
      help: 'Turns running in this process',
      registers,
    });
    const { queueCounts, balance } = sources;
    new Gauge({
      name: 'aksita_bridge_queue_jobs',
      help: 'Turn jobs by state',
      labelNames: ['state'],
      registers,
      async collect() {
        if (!queueCounts) return;
        for (const [state, n] of Object.entries(await queueCounts())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'aksita_bridge_credits_remaining',
      help: 'Credit balance from the latest agent reply',
      registers,
      async collect() {
        const value = await balance?.();
        if (typeof value === 'number') this.set(value);
      },
    });
  }

  received(platform: Platform): void {
    this.#in.inc({ platform });
  }

  answered(platform: Platform, ms: number, credits: number): void {
    this.#latency.observe({ platform }, ms / 1000);
    if (credits > 0) this.#credits.inc({ platform }, credits);
  }

  agentFailed(kind: AgentErrorCode): void {
    this.#errors.inc({ kind });
  }

  posted(platform: Platform, chunks: number): void {
    this.#out.inc({ platform }, chunks);
  }

  inFlight(delta: 1 | -1): void {
    this.#inFlight.inc(delta);
  }
}
