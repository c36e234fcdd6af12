/**
 * The operator's reports: credits (balance, spend, top chats) and status (platforms, queue, recent
 * turns and errors, Redis, uptime, version). Each is plain data (served as JSON over HTTP) with a
 * text rendering (for chat commands and the terminal).
 */
import type { Health } from './contract.ts';
import { type ControlsStatus, controlsLines } from './controls/status.ts';
import type { CreditLedger, CreditReport, Spend } from './credits.ts';
import type { OutageState } from './outage.ts';
import type { ProcessInfo } from './processes.ts';
import type { HourStats, Stats } from './stats.ts';

export interface StatusReport {
  /** The bridge's version (package.json). */
  version: string;
  /** Seconds since this process started. */
  uptimeSeconds: number;
  /** Redis and each platform, as `/healthz` sees them. */
  health: Record<string, Health>;
  /** Turn jobs by state. */
  queue: Record<string, number>;
  /** Age of the oldest turn still waiting or running, in seconds; null when none. */
  oldestWaitingSeconds: number | null;
  /** Agent replies and errors in the last hour, across every process. */
  lastHour: HourStats;
  /** The agent outage in progress (the agent failing for everyone), or null. */
  agentOutage: { since: string; seconds: number; code: string } | null;
  /** The bridge processes running on this Redis prefix, as each announced itself. */
  processes: ProcessInfo[];
  /** The conversation controls and the chats paused now; null where not known (the terminal). */
  controls: ControlsStatus | null;
}

export interface ReportSources {
  ledger: CreditLedger;
  stats: Stats;
  health: () => Promise<Record<string, Health>>;
  queueCounts: () => Promise<Record<string, number>>;
  /** Start time (epoch ms) of the oldest turn in progress, or null. */
  oldestTurnStartedAt: () => Promise<number | null>;
  /** The agent outage in progress, or null. */
  outage?: () => Promise<OutageState | null>;
  /** The bridge processes running. */
  processes?: () => Promise<ProcessInfo[]>;
  /** The conversation controls and paused chats. */
  controls?: () => Promise<ControlsStatus>;
  version: string;
  startedAt: number;
  now?: () => number;
}

export class Reports {
  readonly #s: ReportSources;
  readonly #now: () => number;

  constructor(sources: ReportSources) {
    this.#s = sources;
    this.#now = sources.now ?? Date.now;
  }

  credits(): Promise<CreditReport> {
    return this.#s.ledger.report(this.#now());
  }

  async status(): Promise<StatusReport> {
    const now = this.#now();
    const [health, queue, oldest, lastHour, outage, processes, controls] = await Promise.all([
      this.#s.health(),
      this.#s.queueCounts(),
      this.#s.oldestTurnStartedAt(),
      this.#s.stats.lastHour(),
      this.#s.outage?.() ?? null,
      this.#s.processes?.() ?? [],
      this.#s.controls?.() ?? null,
    ]);
    return {
      version: this.#s.version,
      uptimeSeconds: Math.round((now - this.#s.startedAt) / 1000),
      health,
      queue,
      oldestWaitingSeconds: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
      lastHour,
      agentOutage:
        outage === null
          ? null
          : {
              since: new Date(outage.since).toISOString(),
              seconds: Math.max(0, Math.round((now - outage.since) / 1000)),
              code: outage.code,
            },
      processes,
      controls,
    };
  }
}

function processLines(report: StatusReport, now: number): string[] {
  if (report.processes.length === 0) return ['Bridge processes: none running'];
  return [
    `Bridge processes: ${report.processes.length}`,
    ...report.processes.map((p) => {
      const up = duration(Math.max(0, Math.round((now - Date.parse(p.startedAt)) / 1000)));
      const platforms = p.platforms.length > 0 ? p.platforms.join(', ') : 'no platform';
      const version = p.version === report.version ? '' : `, version ${p.version}`;
      return `  ${p.role} on ${p.host}, pid ${p.pid}: ${platforms}, up ${up}${version}`;
    }),
  ];
}

/** "3 h 5 min", "42 s". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function spendLine(label: string, spend: Spend): string {
  const parts = Object.entries(spend.byPlatform).map(([platform, n]) => `${platform} ${n}`);
  const agents = Object.entries(spend.byAgent).map(([agent, n]) => `${agent} ${n}`);
  return (
    `${label}: ${spend.total}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}` +
    (agents.length > 0 ? `; routed agents: ${agents.join(', ')}` : '')
  );
}

export function creditsText(report: CreditReport, now = Date.now()): string {
  const lines = [
    report.balance
      ? `Balance: ${report.balance.remaining} credits (read ${duration(Math.round((now - report.balance.at) / 1000))} ago)`
      : 'Balance: not known yet (no agent reply so far)',
    ...Object.entries(report.agentBalances).map(
      ([agent, b]) =>
        `Balance of ${agent}: ${b.remaining} credits (read ${duration(Math.round((now - b.at) / 1000))} ago)`,
    ),
    'Credits used:',
    `  ${spendLine('today', report.today)}`,
    `  ${spendLine('last 7 days', report.last7Days)}`,
    `  ${spendLine('last 30 days', report.last30Days)}`,
  ];
  if (report.topChats.length > 0) {
    lines.push('Top chats (30 days):');
    for (const chat of report.topChats) lines.push(`  ${chat.thread}: ${chat.credits}`);
  }
  return lines.join('\n');
}

/**
 * The status report as text. `from: 'terminal'` is the report of the terminal tool, which runs no
 * platform: it leaves out its own uptime and connections and shows only the bridge processes'.
 */
export function statusText(
  report: StatusReport,
  options: { from?: 'bridge' | 'terminal'; now?: number } = {},
): string {
  const health = Object.entries(report.health).map(
    ([name, h]) =>
      `  ${name}: ${h.ok ? 'ok' : 'NOT OK'}${h.detail && h.detail !== 'ok' ? ` (${h.detail})` : ''}`,
  );
  const q = report.queue;
  const errors = Object.entries(report.lastHour.errors).map(([code, n]) => `${code} ${n}`);
  const self =
    options.from === 'terminal'
      ? [`aksita-bridge ${report.version}`]
      : [`aksita-bridge ${report.version}, up ${duration(report.uptimeSeconds)}`, 'Connections:', ...health];
  return [
    ...self,
    ...processLines(report, options.now ?? Date.now()),
    `Queue: ${q.waiting ?? 0} waiting, ${q.active ?? 0} active, ${q.delayed ?? 0} delayed, ${q.failed ?? 0} failed`,
    `Oldest waiting: ${report.oldestWaitingSeconds === null ? 'none' : duration(report.oldestWaitingSeconds)}`,
    `Last hour: ${report.lastHour.answered} answers, errors: ${errors.length > 0 ? errors.join(', ') : 'none'}`,
    ...(report.agentOutage
      ? [
          `Agent outage: failing for everyone for ${duration(report.agentOutage.seconds)} (${report.agentOutage.code}); questions are kept`,
        ]
      : []),
    ...(report.controls ? controlsLines(report.controls) : []),
  ].join('\n');
}
