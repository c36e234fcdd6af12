/**
 * The bridge's HTTP surface (hono on Node): `GET /healthz` and the adapters' webhook routes.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Health, HttpRoute } from '../core/contract.ts';

/** What `/healthz` reports: each dependency's health; 200 when all are ok, else 503. */
export type HealthReport = Record<string, Health>;

export function createHttpApp(options: {
  routes: readonly HttpRoute[];
  health: () => Promise<HealthReport>;
}): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    const checks = await options.health();
    const ok = Object.values(checks).every((check) => check.ok);
    return c.json({ status: ok ? 'ok' : 'unhealthy', checks }, ok ? 200 : 503);
  });
  for (const route of options.routes) {
    app.on(route.method, route.path, (c) => route.handle(c.req.raw));
  }
  return app;
}

/** Listens on `port` (0 picks a free one) and resolves with the port actually bound. */
export function listen(
  app: Hono,
  port: number,
  hostname = '0.0.0.0',
): Promise<{ port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
