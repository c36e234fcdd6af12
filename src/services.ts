/**
 * The bridge's services that need only Redis and the Aksita API, not a platform: shared by the
 * bridge (`app.ts`) and the terminal tool (`cli.ts`). Constructed here and nowhere else.
 */

import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pkg from '../package.json' with { type: 'json' };
import { AksitaClient, aksitaPool } from './aksita/client.ts';
import type { Config } from './config.ts';
import { AdminNotifier, type DirectSender } from './core/admin-notifier.ts';
import { Commands } from './core/commands.ts';
import type { Health, Platform } from './core/contract.ts';
import { FloodGuard } from './core/controls/flood.ts';
import { COALESCE_MAX_MESSAGES, ControlGate } from './core/controls/gate.ts';
import { listsPerson } from './core/controls/lists.ts';
import { Pauses } from './core/controls/pauses.ts';
import { controlsStatus } from './core/controls/status.ts';
import { Conversations } from './core/conversations.ts';
import { CreditLedger } from './core/credits.ts';
import { Incidents } from './core/incidents.ts';
import { combineObservers, type Observer } from './core/observer.ts';
import { AgentOutage } from './core/outage.ts';
import { Pacer } from './core/pacer.ts';
import { ProcessRegistry } from './core/processes.ts';
import { Refusals } from './core/refusals.ts';
import { Reports } from './core/reports.ts';
import { Spending } from './core/spending.ts';
import { Stats } from './core/stats.ts';
import { PromMetrics } from './http/metrics.ts';
import type { Logger } from './logger.ts';
import { loadNotices, type Notices } from './notices.ts';
import { Inbox } from './queue/inbox.ts';
import { createTurnQueue, type TurnJobData } from './queue/turns.ts';
import { isRedisConnectionError, openRedis, watchRedis } from './redis.ts';

/** The bridge's version, from package.json. */
export const VERSION: string = pkg.version;

/** How long "this bot is private" is remembered as told to one person in one chat: 30 days. */
const TOLD_ONCE_TTL_S = 30 * 86_400;

export interface Services {
  /** The bridge's own commands (auto-pipelined). */
  redis: Redis;
  /** BullMQ's connection. */
  queueRedis: Redis;
  /**
   * Where the inbox and the turn queue keep their keys: the prefix, or the private lane under it
   * (`ServiceDeps.lane`). Workers take turns from this queue only.
   */
  turnsPrefix: string;
  inbox: Inbox;
  queue: Queue<TurnJobData>;
  notices: Notices;
  conversations: Conversations;
  ledger: CreditLedger;
  metrics: PromMetrics;
  observer: Observer;
  notifier: AdminNotifier;
  spending: Spending;
  incidents: Incidents;
  /** The agent outage shared by every worker. */
  outage: AgentOutage;
  /** Chats and platforms that refuse the bot. */
  refusals: Refusals;
  pacer: Pacer;
  /** The bridge processes running, as each announces itself in Redis. */
  processes: ProcessRegistry;
  reports: Reports;
  commands: Commands;
  /** The chats a person of the team has taken over (`/pause`). */
  pauses: Pauses;
  /** The conversation controls every message passes (access, takeover, flood). */
  gate: ControlGate;
  /** Closes the queue and the Redis connection. */
  close(): Promise<void>;
}

export interface ServiceDeps {
  log: Logger;
  /** Redis and platform health, for `status`. */
  health: () => Promise<Record<string, Health>>;
  /** Delivers admin alerts as direct messages. */
  directSender?: DirectSender;
  /**
   * A private lane (the terminal chat's): its inbox and turn queue live under `<prefix>:<lane>`, where
   * no other process looks, while conversations, credits and everything else stay shared.
   */
  lane?: string;
  /** Also told what the bridge does (the terminal chat watches for a refused key). */
  observer?: Observer;
  /** The notices, when the caller has loaded them already. Default: loaded from the configuration. */
  notices?: Notices;
}

export function createServices(config: Config, deps: ServiceDeps): Services {
  const { log } = deps;
  const prefix = config.redisPrefix;
  const redis = openRedis(config.redisUrl, `${prefix}:${config.role}`, { pipelined: true });
  const queueRedis = openRedis(config.redisUrl, `${prefix}:${config.role}:queue`);
  watchRedis([redis, queueRedis], log);
  const turnsPrefix = deps.lane ? `${prefix}:${deps.lane}` : prefix;
  const inbox = new Inbox(redis, {
    prefix: turnsPrefix,
    dedupeTtlSeconds: config.dedupeTtlSeconds,
    coalesce: config.controls.coalesceWindowMs > 0 ? COALESCE_MAX_MESSAGES : 1,
  });
  const queue = createTurnQueue(queueRedis, turnsPrefix);
  queue.on('error', (err) => isRedisConnectionError(err) || log.warn({ err }, 'queue error'));
  const notices = deps.notices ?? loadNotices(config.language, config.noticesFile);

  const pool = aksitaPool();
  const clientFor = (platform: Platform) =>
    new AksitaClient({
      baseUrl: config.aksitaBaseUrl,
      apiKey: config.aksitaKeys[platform] ?? config.aksitaKeys.cli,
      timeoutMs: config.aksitaTimeoutMs,
      dispatcher: pool,
    });
  const conversations = new Conversations({
    redis,
    prefix,
    platforms: Object.fromEntries(
      [...config.platforms.map((p) => p.descriptor), { id: 'cli', label: 'Terminal' }].map(
        ({ id, label }) => [id, { label, client: clientFor(id) }],
      ),
    ),
    routes: config.agentRoutes,
    agents: Object.fromEntries(
      Object.entries(config.agentKeys).map(([agent, apiKey]) => [
        agent,
        new AksitaClient({
          baseUrl: config.aksitaBaseUrl,
          apiKey,
          timeoutMs: config.aksitaTimeoutMs,
          dispatcher: pool,
        }),
      ]),
    ),
    sendUserContext: config.sendUserContext,
  });
  const ledger = new CreditLedger(redis, {
    prefix,
    alertThresholds: config.creditAlertThresholds,
    agents: Object.keys(config.agentKeys),
  });
  const outage = new AgentOutage(redis, {
    prefix,
    retry: { baseMs: config.aksitaRetryBaseMs, maxMs: config.aksitaRetryMaxMs },
  });
  const stats = new Stats(redis, { prefix, log });
  const queueCounts = () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  const metrics = new PromMetrics({
    queueCounts,
    balance: async () => (await ledger.balance())?.remaining ?? null,
    outageSince: async () => (await outage.state())?.since ?? null,
    // Zero-valued series from the first scrape for the platforms this bridge serves.
    platforms: config.platforms.map((p) => p.descriptor.id),
    version: VERSION,
  });
  const notifier = new AdminNotifier({
    admins: config.admins,
    log,
    ...(deps.directSender && { send: deps.directSender }),
  });
  const processes = new ProcessRegistry(redis, { prefix });
  const pauses = new Pauses(redis, prefix);
  const controls = config.controls;
  const gate = new ControlGate({
    config: controls,
    pauses,
    flood: new FloodGuard(redis, prefix, controls.userRateLimit),
    isAdmin: (person) => notifier.isAdmin(person.platform as Platform, person.id, person.team),
    tellOnce: async (key) =>
      (await redis.set(`${prefix}:told:${key}`, '1', 'EX', TOLD_ONCE_TTL_S, 'NX')) === 'OK',
    now: Date.now,
  });
  const reports = new Reports({
    ledger,
    stats,
    health: deps.health,
    queueCounts,
    oldestTurnStartedAt: () => inbox.oldestTurnStartedAt(),
    outage: () => outage.state(),
    processes: () => processes.list(),
    controls: async () => controlsStatus(controls, await pauses.list(Date.now()), config.agentRoutes),
    version: VERSION,
    startedAt: Date.now(),
  });
  return {
    redis,
    queueRedis,
    turnsPrefix,
    inbox,
    queue,
    notices,
    conversations,
    ledger,
    metrics,
    observer: combineObservers(stats, metrics, ...(deps.observer ? [deps.observer] : [])),
    notifier,
    spending: new Spending({
      ledger,
      notifier,
      log,
      limits: { userDaily: config.userDailyCreditLimit, chatDaily: config.chatDailyCreditLimit },
    }),
    incidents: new Incidents({ redis, prefix, log, notifier }),
    outage,
    refusals: new Refusals({ redis, prefix, log, notifier }),
    pacer: new Pacer(redis, prefix),
    processes,
    reports,
    commands: new Commands({
      reports,
      conversations,
      admins: notifier,
      notices,
      log,
      ...(deps.directSender && { sendDirect: deps.directSender }),
      takeover: {
        pauses,
        isHandoffUser: (platform, id, team) =>
          listsPerson(controls.handoffUsers, { platform, id, ...(team !== undefined && { team }) }),
        pauseMs: controls.pauseMs,
        now: Date.now,
      },
    }),
    pauses,
    gate,
    async close() {
      await queue.close();
      await stats.flush();
      for (const connection of [redis, queueRedis])
        await connection.quit().catch(() => connection.disconnect());
      await pool.destroy();
    },
  };
}
