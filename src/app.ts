/**
 * The composition root: the one place that constructs the bridge's parts and wires them, by role.
 * `receiver` runs the platform connections and webhooks; `worker` runs turns; `all` runs both.
 */
import type { Config } from './config.ts';
import { RedisClaims } from './core/claims.ts';
import { commandMenu } from './core/commands.ts';
import type { Adapter, Health } from './core/contract.ts';
import { PauseEnds } from './core/controls/pause-ends.ts';
import { renderFor } from './core/messages.ts';
import type { Observer } from './core/observer.ts';
import type { Presence } from './core/processes.ts';
import { Router } from './core/router.ts';
import { TurnRunner } from './core/turn.ts';
import { mountQueueDashboard, QUEUE_DASHBOARD_PATH } from './http/queue-dashboard.ts';
import { ADMIN_ROUTES, createHttpApp, createMonitorApp, type HealthReport, listen } from './http/server.ts';
import type { Logger } from './logger.ts';
import { loadNotices, type Notices } from './notices.ts';
import { enqueueTurn } from './queue/turns.ts';
import { TurnWorker } from './queue/worker.ts';
import { checkRedis, redisAnswers } from './redis.ts';
import { createServices, type Services, VERSION } from './services.ts';

/** A running bridge. */
export interface Bridge {
  /** The HTTP port actually bound. */
  readonly port: number;
  /** The private monitoring listener's port actually bound (`METRICS_PORT`), when there is one. */
  readonly metricsPort?: number;
  /** The router (absent in a worker-only process). */
  readonly router?: Router;
  /** The worker (absent in a receiver-only process). */
  readonly worker?: TurnWorker;
  /** The shared services (inbox, ledger, reports, …). */
  readonly services: Services;
  /** Stops receiving, lets in-flight turns finish or hands them back, closes connections. */
  stop(): Promise<void>;
}

export interface BridgeDeps {
  log: Logger;
  /**
   * The adapters to run instead of the configured platforms' (the terminal of `npm run cli -- chat`,
   * which must not connect to any platform beside a running bridge).
   */
  adapters?: Adapter[];
  /**
   * A private lane for this process's turns (see `ServiceDeps.lane`): no other process takes them,
   * and the process is not listed among the bridge's processes.
   */
  lane?: string;
  /** Also told what the bridge does (see `ServiceDeps.observer`). */
  observer?: Observer;
}

export async function startBridge(config: Config, deps: BridgeDeps): Promise<Bridge> {
  const { log } = deps;
  await checkRedis(config.redisUrl, { allowEviction: config.redisAllowEviction, log });
  const notices = loadNotices(config.language, config.noticesFile);
  const adapters = deps.adapters ?? createAdapters(config, log, notices);
  const health = async (): Promise<HealthReport> => {
    const report: HealthReport = {};
    const ping = await redisAnswers(services.redis);
    report.redis = ping ? { ok: true, detail: 'ok' } : { ok: false, detail: 'no answer to PING' };
    for (const adapter of adapters) report[adapter.platform] = await adapter.health();
    if (!ping) return report;
    // A platform that refuses the bot's credentials on sends (seen by any worker) is not healthy.
    return services.refusals
      .health(
        report,
        adapters.map((a) => a.platform),
      )
      .catch(() => report);
  };
  // Ready for traffic once started and until it stops, while Redis answers (`/readyz`).
  const ready = async (): Promise<Health> => {
    if (!started || stopped !== undefined) return { ok: false, detail: started ? 'stopping' : 'starting' };
    return (await redisAnswers(services.redis))
      ? { ok: true, detail: 'ok' }
      : { ok: false, detail: 'redis: no answer to PING' };
  };
  const services = createServices(config, {
    ...deps,
    notices,
    health,
    directSender: async (platform, userId, text) => {
      const adapter = adapters.find((a) => a.platform === platform);
      if (!adapter) throw new Error(`${platform} is not configured`);
      for (const chunk of renderFor(adapter, text)) await adapter.sendDirect(userId, chunk);
    },
  });
  const { queueRedis, inbox, queue, observer } = services;
  let worker: TurnWorker | undefined;
  let router: Router | undefined;
  let http: { port: number; close(): Promise<void> } | undefined;
  let monitor: { port: number; close(): Promise<void> } | undefined;
  let pauseEnds: PauseEnds | undefined;
  let started = false;
  let presence: Presence | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await presence?.stop().catch((err: unknown) => log.warn({ err }, 'process entry not removed'));
      if (router) await Promise.all(adapters.map((adapter) => adapter.stop()));
      await pauseEnds?.stop();
      await worker?.close(config.shutdownGraceMs);
      await http?.close();
      await monitor?.close();
      await services.close();
      if (started) log.info('bridge stopped');
    })();
    return stopped;
  };
  try {
    await Promise.all(adapters.map((adapter) => adapter.init()));
    // Each adapter's `init` checked its token: an earlier refusal of it is over.
    await services.refusals.platformsAccepted(adapters.map((a) => a.platform));
    if (config.role !== 'receiver') {
      const runner = new TurnRunner({
        ...services,
        adapters: Object.fromEntries(adapters.map((a) => [a.platform, a])),
        language: config.language,
        policy: {
          maxAttempts: config.aksitaMaxAttempts,
          baseMs: config.aksitaRetryBaseMs,
          maxMs: config.aksitaRetryMaxMs,
          timeoutMs: config.aksitaTimeoutMs,
          timeoutResends: config.aksitaTimeoutResends,
          outageNoticeAfterMs: config.outageNoticeAfterMs,
          staleAfterMs: config.staleAfterMs,
          stalePolicy: config.stalePolicy,
        },
        sendRetry: config.sendRetry,
        wake: (threads) => worker?.wake(threads) ?? Promise.resolve(),
        log,
      });
      worker = new TurnWorker({
        connection: queueRedis,
        prefix: services.turnsPrefix,
        queue,
        inbox,
        runner,
        log,
        concurrency: config.workerConcurrency,
        lockMs: config.jobLockMs,
      });
      worker.start();
    }

    router =
      config.role !== 'worker'
        ? new Router({
            inbox,
            // With burst coalescing a new turn waits out the window, gathering what else arrives.
            enqueueTurn: (thread, id) => enqueueTurn(queue, thread, id, config.controls.coalesceWindowMs),
            // A thread whose first message is still being answered counts too, so a quick follow-up
            // is not dropped before the conversation exists.
            hasConversation: async (thread) =>
              (await services.conversations.get(thread)) !== null || (await inbox.hasTurn(thread)),
            observer,
            rememberStart: (thread, payload) => services.conversations.rememberStart(thread, payload),
            groupMode: config.groupMode,
            gate: services.gate,
            log,
          })
        : undefined;
    // Pauses that run out are announced in their chats by the processes that receive.
    if (router && !deps.lane) {
      const { announce } = router;
      pauseEnds = new PauseEnds({ pauses: services.pauses, announce, log });
      pauseEnds.start();
    }

    // Who reads /metrics and health details: Prometheus with METRICS_TOKEN, or the operator's token.
    const monitorTokens = [config.metricsToken, config.adminHttpToken].filter((t) => t !== undefined);
    const ownMetricsListener = config.metricsPort !== undefined && !deps.lane;
    http = await listen(
      createHttpApp({
        routes: router ? adapters.flatMap((a) => a.routes) : [],
        health,
        ready,
        metrics: services.metrics,
        monitorTokens,
        metricsElsewhere: ownMetricsListener,
        ...(config.adminHttpToken && {
          admin: {
            token: config.adminHttpToken,
            credits: () => services.reports.credits(),
            status: () => services.reports.status(),
            mount: (admin) => mountQueueDashboard(admin, [queue]),
          },
        }),
      }),
      config.httpPort,
      config.httpHost,
    );
    if (ownMetricsListener) {
      monitor = await listen(
        createMonitorApp({
          health,
          ready,
          metrics: services.metrics,
          tokens: config.metricsToken ? monitorTokens : [],
        }),
        config.metricsPort ?? 0,
        config.metricsHost,
        { port: 'METRICS_PORT', host: 'METRICS_HOST' },
      );
    }

    if (router) {
      const { accept } = router;
      const claims = new RedisClaims(services.redis, config.redisPrefix);
      for (const adapter of adapters) {
        await adapter.start({
          message: async (message) => {
            await accept(message);
          },
          command: (request) => services.commands.handle(adapter.platform, request),
          menu: commandMenu(config.controls.handoffUsers.length > 0 || config.controls.handoffOnHumanReply),
          adminIds: config.admins.filter((a) => a.platform === adapter.platform).map((a) => a.id),
          moved: async (fromThread, toThread) => {
            const moved = await services.conversations.move(fromThread, toThread);
            log.info({ fromThread, toThread, conversationMoved: moved }, 'thread moved to a new key');
          },
          claims,
          // A send accepted, then reported failed: counted and remembered like a send refused at once.
          deliveryFailed: async ({ thread, kind, detail }) => {
            const { platform } = adapter;
            observer.sendFailed(platform, kind);
            log.warn({ platform, thread, kind, detail }, 'platform reported a sent message undelivered');
            if (kind === 'chat_refused') await services.refusals.chatRefused(thread, Date.now());
            if (kind === 'unauthorized') await services.refusals.platformRefused(platform, detail);
          },
        });
      }
    }
    log.info(
      {
        role: config.role,
        platforms: adapters.map((a) => a.platform),
        http: hostPort(config.httpHost, http.port),
        port: http.port,
        ...(monitor && { metrics: hostPort(config.metricsHost, monitor.port) }),
        adminRoutes: config.adminHttpToken ? [...ADMIN_ROUTES, QUEUE_DASHBOARD_PATH] : [],
      },
      'bridge started',
    );
    started = true;
    // Announced in Redis for `npm run cli -- status`, until `stop`.
    if (!deps.lane) {
      presence = await services.processes.publish({
        role: config.role,
        platforms: adapters.map((a) => a.platform),
        version: VERSION,
      });
    }
  } catch (err) {
    // Close whatever had started, so a failed start leaves no connection or timer behind.
    await stop().catch((cleanupErr: unknown) =>
      log.warn({ err: cleanupErr }, 'cleanup after a failed start failed'),
    );
    throw err;
  }
  return {
    port: http.port,
    ...(monitor && { metricsPort: monitor.port }),
    services,
    ...(router && { router }),
    ...(worker && { worker }),
    stop,
  };
}

/** One adapter per configured platform (`config.platforms`, from the registry in `platforms.ts`). */
export function createAdapters(
  config: Config,
  log: Logger,
  notices: Notices = loadNotices(config.language, config.noticesFile),
): Adapter[] {
  return config.platforms.map(({ descriptor, settings }) =>
    descriptor.create(settings, { log, notices, config }),
  );
}

/** `host:port` as a URL writes it (IPv6 in brackets). */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
