/**
 * The BullMQ dashboard (bull-board) for operators, at `/admin/queues` behind the admin token: see
 * waiting, delayed and failed turns, and retry a failed one. The `/admin` gate (admin-auth.ts) lets its
 * write API (retry, pause, clean, add…) be used with the session cookie from its own pages only.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono } from 'hono';

/** Where the dashboard is served. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Mounts the dashboard of `queues` at `/queues` of the `/admin` app. */
export function mountQueueDashboard(admin: Hono, queues: Queue[]): void {
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'aksita-bridge' } },
  });
  admin.route('/queues', serverAdapter.registerPlugin());
}
