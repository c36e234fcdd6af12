/**
 * Prometheus metrics (prom-client), served at `GET /metrics`: build info, messages in and out by
 * platform, agent latency, agent errors by kind, calls of unknown cost (timed out), credits used and
 * remaining, send failures by platform and kind, questions and answers dropped, the agent outage,
 * queue depth, turns in flight, and the process metrics. Queue depth, balance and outage are read from
 * Redis when scraped. Every label set known up front (each platform × each kind) is present from the
 * first scrape with the value 0, so `rate()`, `increase()` and alert rules see a series before its
 * first event.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import pkg from '../../package.json' with { type: 'json' };
import type { Platform } from '../core/contract.ts';
import { HOLD_REASONS, type HoldReason } from '../core/controls/gate.ts';
import type { AgentErrorCode, PlatformErrorKind } from '../core/errors.ts';
import type { DropReason, Observer } from '../core/observer.ts';
import { PLATFORMS } from '../platforms.ts';

export interface MetricsSources {
  /** BullMQ job counts by state. */
  queueCounts?: () => Promise<Record<string, number>>;
  /** Latest known credit balance, or null. */
  balance?: () => Promise<number | null>;
  /** Since when the agent has been failing for everyone (epoch ms), or null. */
  outageSince?: () => Promise<number | null>;
  /** Platforms whose series start at zero. Default: every platform of the registry (`src/platforms.ts`). */
  platforms?: readonly Platform[];
  /** The `version` label of `aksita_bridge_build_info`. Default: package.json's version. */
  version?: string;
}

/** Every agent error code (the object literal fails to compile when a code is added or removed). */
const AGENT_ERROR_CODES = Object.keys({
  'bad-request': 0,
  unauthorized: 0,
  'payment-required': 0,
  forbidden: 0,
  'not-found': 0,
  server: 0,
  timeout: 0,
  network: 0,
  rate_limited: 0,
  malformed: 0,
} satisfies Record<AgentErrorCode, 0>) as AgentErrorCode[];

/** Every kind of send failure. */
const SEND_FAILURE_KINDS = Object.keys({
  rate_limited: 0,
  transient: 0,
  unauthorized: 0,
  chat_refused: 0,
  too_long: 0,
  rejected: 0,
} satisfies Record<PlatformErrorKind, 0>) as PlatformErrorKind[];

/** What each drop reason can drop: a question before any agent call, or an answer already paid for. */
const DROPS = {
  chat_refused: ['question', 'answer'],
  rejected: ['answer'],
  too_long: ['answer'],
  send_gave_up: ['answer'],
  stale: ['question'],
} as const satisfies Record<DropReason, ReadonlyArray<'question' | 'answer'>>;

const CHAT_PLATFORMS: readonly Platform[] = PLATFORMS.map((p) => p.id);

export class PromMetrics implements Observer {
  readonly registry = new Registry();
  readonly #in: Counter<'platform'>;
  readonly #out: Counter<'platform'>;
  readonly #latency: Histogram<'platform'>;
  readonly #errors: Counter<'kind'>;
  readonly #credits: Counter<'platform'>;
  readonly #unknownCost: Counter<'platform'>;
  readonly #sendFailures: Counter<'platform' | 'kind'>;
  readonly #dropped: Counter<'platform' | 'what' | 'reason'>;
  readonly #heldBack: Counter<'platform' | 'reason'>;
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
    this.#unknownCost = new Counter({
      name: 'aksita_bridge_agent_calls_unknown_cost_total',
      help: 'Agent calls that timed out: they may have been answered and billed upstream',
      labelNames: ['platform'],
      registers,
    });
    this.#sendFailures = new Counter({
      name: 'aksita_bridge_send_failures_total',
      help: 'Failed sends to platforms by kind (rate_limited, transient, unauthorized, chat_refused, too_long, rejected)',
      labelNames: ['platform', 'kind'],
      registers,
    });
    this.#dropped = new Counter({
      name: 'aksita_bridge_dropped_total',
      help: 'Questions (before any agent call) and answers (already paid for) dropped unposted, by reason',
      labelNames: ['platform', 'what', 'reason'],
      registers,
    });
    this.#heldBack = new Counter({
      name: 'aksita_bridge_held_back_total',
      help: 'Messages a conversation control kept from the agent, by reason (blocked, private, paused, handoff, flood)',
      labelNames: ['platform', 'reason'],
      registers,
    });
    this.#inFlight = new Gauge({
      name: 'aksita_bridge_turns_in_flight',
      help: 'Turns running in this process',
      registers,
    });
    new Gauge({
      name: 'aksita_bridge_build_info',
      help: 'Always 1; the labels say which bridge version runs on which Node.js',
      labelNames: ['version', 'node'],
      registers,
    }).set({ version: sources.version ?? pkg.version, node: process.version }, 1);
    this.#zero(sources.platforms ?? CHAT_PLATFORMS);
    const { queueCounts, balance, outageSince } = sources;
    new Gauge({
      name: 'aksita_bridge_agent_outage_seconds',
      help: 'How long the agent has been failing for everyone (0 when it answers)',
      registers,
      async collect() {
        const since = (await outageSince?.()) ?? null;
        this.set(since === null ? 0 : Math.max(0, (Date.now() - since) / 1000));
      },
    });
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
      help: 'Credit balance from the latest agent reply; NaN while no reply has told it',
      registers,
      async collect() {
        // NaN, not 0, while unknown: a fresh bridge must not look out of credits to an alert rule.
        const value = await balance?.();
        this.set(typeof value === 'number' ? value : Number.NaN);
      },
    });
  }

  /** Creates every series known up front with the value 0. */
  #zero(platforms: readonly Platform[]): void {
    for (const kind of AGENT_ERROR_CODES) this.#errors.inc({ kind }, 0);
    for (const platform of platforms) {
      for (const counter of [this.#in, this.#out, this.#credits, this.#unknownCost])
        counter.inc({ platform }, 0);
      this.#latency.zero({ platform });
      for (const kind of SEND_FAILURE_KINDS) this.#sendFailures.inc({ platform, kind }, 0);
      for (const [reason, whats] of Object.entries(DROPS))
        for (const what of whats) this.#dropped.inc({ platform, what, reason }, 0);
      for (const reason of HOLD_REASONS) this.#heldBack.inc({ platform, reason }, 0);
    }
  }

  received(platform: Platform): void {
    this.#in.inc({ platform });
  }

  answered(platform: Platform, ms: number, credits: number): void {
    this.#latency.observe({ platform }, ms / 1000);
    if (credits > 0) this.#credits.inc({ platform }, credits);
  }

  agentFailed(kind: AgentErrorCode, platform: Platform, mayBeBilled: boolean): void {
    this.#errors.inc({ kind });
    if (mayBeBilled) this.#unknownCost.inc({ platform });
  }

  billed(platform: Platform, credits: number): void {
    if (credits > 0) this.#credits.inc({ platform }, credits);
  }

  sendFailed(platform: Platform, kind: PlatformErrorKind): void {
    this.#sendFailures.inc({ platform, kind });
  }

  dropped(platform: Platform, what: 'question' | 'answer', reason: DropReason): void {
    this.#dropped.inc({ platform, what, reason });
  }

  heldBack(platform: Platform, reason: HoldReason): void {
    this.#heldBack.inc({ platform, reason });
  }

  posted(platform: Platform, chunks: number): void {
    this.#out.inc({ platform }, chunks);
  }

  inFlight(delta: 1 | -1): void {
    this.#inFlight.inc(delta);
  }
}
