/**
 * The composition root: the one place that constructs the bridge's parts and wires them, by role.
 * `receiver` runs the platform connections and webhooks; `worker` runs turns; `all` runs both.
 */
import { createDiscordAdapter } from '../adapters/discord/index.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createTelegramAdapter } from '../adapters/telegram/index.ts';
import { AksitaClient } from './aksita/client.ts';
import type { Config } from './config.ts';
import type { Adapter, Platform } from './core/contract.ts';
import { Conversations } from './core/conversations.ts';
import { Incidents } from './core/incidents.ts';
import { Router } from './core/router.ts';
import { TurnRunner } from './core/turn.ts';
import { createHttpApp, type HealthReport, listen } from './http/server.ts';
import type { Logger } from './logger.ts';
import { loadNotices } from './notices.ts';
import { Inbox } from './queue/inbox.ts';
import { createTurnQueue, enqueueTurn } from './queue/turns.ts';
import { TurnWorker } from './queue/worker.ts';
import { checkRedis, openRedis } from './redis.ts';

/** A running bridge. */
export interface Bridge {
  /** The HTTP port actually bound. */
  readonly port: number;
  /** The router (absent in a worker-only process). */
  readonly router?: Router;
  /** The worker (absent in a receiver-only process). */
  readonly worker?: TurnWorker;
  /** Stops receiving, lets in-flight turns finish or hands them back, closes connections. */
  stop(): Promise<void>;
}

export interface BridgeDeps {
  log: Logger;
  /** The fetch the Aksita client uses. Default: global fetch. */
  fetch?: typeof fetch;
}

export async function startBridge(config: Config, deps: BridgeDeps): Promise<Bridge> {
  const { log } = deps;
  await checkRedis(config.redisUrl);
  const notices = loadNotices(config.language, config.noticesFile);
  const redis = openRedis(config.redisUrl, config.role);
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  const prefix = config.redisPrefix;
  const inbox = new Inbox(redis, { prefix, dedupeTtlSeconds: config.dedupeTtlSeconds });
  const queue = createTurnQueue(redis, prefix);
  queue.on('error', (err) => log.warn({ err }, 'queue error'));

  const adapters = createAdapters(config, log);
  await Promise.all(adapters.map((adapter) => adapter.init()));

  const receives = config.role !== 'worker';
  const clientFor = (platform: Platform) =>
    new AksitaClient({
      baseUrl: config.aksitaBaseUrl,
      apiKey: config.aksitaKeys[platform],
      timeoutMs: config.aksitaTimeoutMs,
      ...(deps.fetch && { fetch: deps.fetch }),
    });
  const conversations = new Conversations({
    redis,
    prefix,
    clients: { telegram: clientFor('telegram'), discord: clientFor('discord'), slack: clientFor('slack') },
    sendUserContext: config.sendUserContext,
  });
  let worker: TurnWorker | undefined;
  if (config.role !== 'receiver') {
    const runner = new TurnRunner({
      inbox,
      conversations,
      adapters: Object.fromEntries(adapters.map((a) => [a.platform, a])),
      notices,
      incidents: new Incidents({ redis, prefix, log }),
      retry: {
        maxAttempts: config.aksitaMaxAttempts,
        baseMs: config.aksitaRetryBaseMs,
        maxMs: config.aksitaRetryMaxMs,
      },
      log,
    });
    worker = new TurnWorker({
      connection: redis,
      prefix,
      queue,
      inbox,
      runner,
      log,
      concurrency: config.workerConcurrency,
      lockMs: config.jobLockMs,
    });
    worker.start();
  }

  const router = receives
    ? new Router({
        inbox,
        enqueueTurn: (thread, id) => enqueueTurn(queue, thread, id),
        hasConversation: async (thread) => (await conversations.get(thread)) !== null,
        groupMode: config.groupMode,
        log,
      })
    : undefined;

  const health = async (): Promise<HealthReport> => {
    const report: HealthReport = {};
    const ping = await Promise.race([
      redis.ping().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 1_000).unref()),
    ]).catch(() => false);
    report.redis = ping ? { ok: true, detail: 'ok' } : { ok: false, detail: 'no answer to PING' };
    for (const adapter of adapters) report[adapter.platform] = await adapter.health();
    return report;
  };
  const http = await listen(
    createHttpApp({ routes: receives ? adapters.flatMap((a) => a.routes) : [], health }),
    config.httpPort,
  );

  if (router) {
    for (const adapter of adapters) {
      await adapter.start(async (message) => {
        await router.accept(message);
      });
    }
  }
  log.info(
    { role: config.role, platforms: adapters.map((a) => a.platform), port: http.port },
    'bridge started',
  );

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (router) await Promise.all(adapters.map((adapter) => adapter.stop()));
      await worker?.close(config.shutdownGraceMs);
      await http.close();
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
      log.info('bridge stopped');
    })();
    return stopped;
  };
  return { port: http.port, ...(router && { router }), ...(worker && { worker }), stop };
}

/** One adapter per configured platform. */
function createAdapters(config: Config, log: Logger): Adapter[] {
  const adapters: Adapter[] = [];
  if (config.telegram) {
    const { token, apiRoot, webhookUrl, webhookSecret } = config.telegram;
    adapters.push(
      createTelegramAdapter({
        token,
        apiRoot,
        log,
        ...(webhookUrl && webhookSecret && { webhook: { url: webhookUrl, secret: webhookSecret } }),
      }),
    );
  }
  if (config.discord) adapters.push(createDiscordAdapter({ ...config.discord, log }));
  if (config.slack) adapters.push(createSlackAdapter({ ...config.slack, log }));
  return adapters;
}
