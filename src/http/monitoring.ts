/**
 * What monitoring reads: `GET /metrics` (Prometheus) and `GET /healthz`. Both show more than the
 * internet should see (the credit balance and spend, addresses and ports in error details), so on the
 * public listener `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (or the admin
 * token), and `/healthz` says only healthy or not unless the request carries one of those tokens. A
 * private listener of its own (`METRICS_PORT` on `METRICS_HOST`, default 127.0.0.1) serves both in
 * full to whoever reaches it, unless `METRICS_TOKEN` is set, which then holds there too.
 */
import type { Context, Hono } from 'hono';
import type { Health } from '../core/contract.ts';
import { equal } from './admin-auth.ts';
import type { PromMetrics } from './metrics.ts';

/** What `/healthz` reports: each dependency's health; 200 when all are ok, else 503. */
export type HealthReport = Record<string, Health>;

export interface MonitoringOptions {
  health: () => Promise<HealthReport>;
  metrics?: PromMetrics | undefined;
  /** Bearer tokens that may read metrics and health details (`METRICS_TOKEN`, `ADMIN_HTTP_TOKEN`). Secrets. */
  tokens: readonly string[];
  /**
   * Whether a request without a token reads everything: the private listener without `METRICS_TOKEN`.
   * Default false.
   */
  open?: boolean;
  /** Whether `/metrics` is served here. Default true; false on `HTTP_PORT` when `METRICS_PORT` is set. */
  serveMetrics?: boolean;
}

/** Mounts `/healthz` and `/metrics` on `app` as described above. */
export function mountMonitoring(app: Hono, options: MonitoringOptions): void {
  const allowed = (c: Context) =>
    options.open === true || hasToken(c.req.header('authorization'), options.tokens);
  app.get('/healthz', async (c) => {
    const checks = await options.health();
    const ok = Object.values(checks).every((check) => check.ok);
    const status = ok ? 'ok' : 'unhealthy';
    // Details (which dependency, its error, addresses) only for monitoring; the status code says the rest.
    return c.json(allowed(c) ? { status, checks } : { status }, ok ? 200 : 503, {
      'Cache-Control': 'no-store',
    });
  });
  const { metrics } = options;
  if (!metrics || options.serveMetrics === false) return;
  app.get('/metrics', async (c) => {
    if (!allowed(c)) {
      return c.json(
        {
          error:
            'unauthorized: send Authorization: Bearer <METRICS_TOKEN> (or the admin token), or scrape the private METRICS_PORT listener',
        },
        401,
        { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Cache-Control': 'no-store' },
      );
    }
    return c.body(await metrics.registry.metrics(), 200, {
      'Content-Type': metrics.registry.contentType,
      'Cache-Control': 'no-store',
    });
  });
}

/** Whether `header` is `Bearer <one of tokens>`, compared in constant time. */
export function hasToken(header: string | undefined, tokens: readonly string[]): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = header.slice(7).trim();
  // Every token is compared, so the time taken does not tell which one matched.
  return tokens.map((token) => token !== '' && equal(given, token)).includes(true);
}
