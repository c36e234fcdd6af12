/**
 * The bridge's HTTP surface (hono on Node): `GET /livez` (the process answers), `GET /readyz` (ready
 * for traffic), `GET /healthz` (Redis and every platform) and `GET /metrics` (both as monitoring.ts
 * allows), the adapters' webhook routes, and, when `ADMIN_HTTP_TOKEN` is set, the operator's
 * `/admin/*` routes behind that token (as a bearer header, or a browser session: admin-auth.ts). A
 * second, private listener (`METRICS_PORT`) serves the monitoring routes alone: `createMonitorApp`.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Health, HttpRoute } from '../core/contract.ts';
import { ConfigError } from '../core/errors.ts';
import { adminAuth, adminHeaders } from './admin-auth.ts';
import { HTTP_SERVER_TIMEOUTS, limitBody } from './body-limit.ts';
import type { PromMetrics } from './metrics.ts';
import { type HealthReport, mountMonitoring } from './monitoring.ts';

export type { HealthReport } from './monitoring.ts';

/** The JSON reports served under `/admin` when `ADMIN_HTTP_TOKEN` is set. */
export const ADMIN_ROUTES = ['/admin/credits', '/admin/status'] as const;

/** The operator's routes, mounted under `/admin` behind the admin token (admin-auth.ts). */
export interface AdminRoutes {
  /** `ADMIN_HTTP_TOKEN`: every `/admin` request carries it, or a session signed with it. Secret. */
  token: string;
  /** `GET /admin/credits`: the credits report as JSON. */
  credits: () => Promise<unknown>;
  /** `GET /admin/status`: the status report as JSON. */
  status: () => Promise<unknown>;
  /** Mounts further routes (the queue dashboard) on the protected `/admin` app. */
  mount?: (admin: Hono) => void;
}

export function createHttpApp(options: {
  routes: readonly HttpRoute[];
  health: () => Promise<HealthReport>;
  /**
   * `GET /readyz`: whether this process should get traffic now (started, not stopping, Redis
   * answers). 200 or 503 with the reason. Default: always ready.
   */
  ready?: () => Promise<Health>;
  metrics?: PromMetrics;
  /** Bearer tokens that read `/metrics` and the details of `/healthz` (monitoring.ts). Secrets. */
  monitorTokens?: readonly string[];
  /** `/metrics` has its own listener (`METRICS_PORT`): not served here. Default false. */
  metricsElsewhere?: boolean;
  admin?: AdminRoutes;
}): Hono {
  const app = new Hono();
  mountProbes(app, options.ready);
  mountMonitoring(app, {
    health: options.health,
    metrics: options.metrics,
    tokens: options.monitorTokens ?? [],
    serveMetrics: options.metricsElsewhere !== true,
  });
  const { admin } = options;
  for (const route of options.routes) {
    // The body is read within its limits (body-limit.ts) before the route sees it.
    const body = limitBody({
      ...(route.maxBodyBytes !== undefined && { maxBytes: route.maxBodyBytes }),
      ...(route.screen && { screen: route.screen }),
    });
    app.on(route.method, route.path, body, (c) => route.handle(c.req.raw));
  }
  if (admin) {
    const protectedApp = new Hono();
    // Authenticated first; then any body (bull-board's write API) is read within the same limits as webhooks.
    protectedApp.use('*', adminHeaders(), adminAuth({ token: admin.token }), limitBody());
    protectedApp.get('/credits', async (c) => c.json(await admin.credits()));
    protectedApp.get('/status', async (c) => c.json(await admin.status()));
    admin.mount?.(protectedApp);
    app.route('/admin', protectedApp);
  }
  return app;
}

/**
 * The private monitoring listener (`METRICS_PORT` on `METRICS_HOST`): the probes, `/healthz` with its
 * details and `/metrics`, open to whoever reaches the address unless `tokens` is not empty
 * (`METRICS_TOKEN` set), then behind them as on the public listener.
 */
export function createMonitorApp(options: {
  health: () => Promise<HealthReport>;
  ready?: () => Promise<Health>;
  metrics?: PromMetrics;
  /** Empty: open. Secrets. */
  tokens: readonly string[];
}): Hono {
  const app = new Hono();
  mountProbes(app, options.ready);
  mountMonitoring(app, { ...options, open: options.tokens.length === 0 });
  return app;
}

/** `/livez` and `/readyz`: public, they say nothing a load balancer should not know. */
function mountProbes(app: Hono, ready: (() => Promise<Health>) | undefined): void {
  // Liveness: the process and its event loop answer. Never a dependency's state: restarting the
  // bridge does not bring a platform or Redis back.
  app.get('/livez', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const state = (await ready?.()) ?? { ok: true, detail: 'ok' };
    return c.json({ status: state.ok ? 'ready' : 'not ready', detail: state.detail }, state.ok ? 200 : 503);
  });
}

/**
 * Listens on `hostname:port` (port 0 picks a free one) and resolves with the port actually bound. A
 * port taken or not allowed, or an address not of this machine, rejects with a one-line `ConfigError`
 * naming the variables (`names`: `HTTP_PORT` and `HTTP_HOST` unless told otherwise).
 */
export function listen(
  app: Hono,
  port: number,
  hostname = '0.0.0.0',
  names: ListenNames = { port: 'HTTP_PORT', host: 'HTTP_HOST' },
): Promise<{ port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const settings = { fetch: app.fetch, port, hostname, serverOptions: HTTP_SERVER_TIMEOUTS };
    const server = serve(settings, (info) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', (err: Error) => reject(listenError(err, hostname, port, names)));
  });
}

/** The configuration variables a listener's port and address come from, named in its errors. */
export interface ListenNames {
  port: string;
  host: string;
}

function listenError(err: Error, host: string, port: number, names: ListenNames): Error {
  const { port: P, host: H } = names;
  switch ((err as { code?: string }).code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `${P} ${port} is already in use on ${host} (another bridge or program listens there): stop it, or set ${P} to a free port.`,
      );
    case 'EACCES':
      return new ConfigError(
        `${P} ${port} may not be used by this user (ports below 1024 need privileges): set ${P} to 1024 or above.`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ConfigError(
        `${H} ${host} is not an address of this machine: use 0.0.0.0 (every interface), 127.0.0.1 (this machine only) or one of its addresses.`,
      );
    default:
      return err;
  }
}
