/**
 * The queue dashboard in a real headless browser (Debian's chromium through playwright-core): it
 * loads with the admin token and shows the bridge's queue, and is refused without it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBridgeFixture } from '../support/fixture.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'dashboard-token-0123456789';
const fx = useBridgeFixture();
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the queue dashboard at /admin/queues', () => {
  it('shows the turns queue to an operator with the token', async () => {
    const { bridge } = await fx.start({ ADMIN_HTTP_TOKEN: TOKEN });
    fx.telegram.userMessage({ chatId: 1, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(1).length === 1, 10_000, 'reply');
    const page = await browser.newPage();
    try {
      const res = await page.goto(`http://127.0.0.1:${bridge.port}/admin/queues?token=${TOKEN}`);
      expect(res?.status()).toBe(200);
      await page.getByText('turns', { exact: true }).first().waitFor({ timeout: 15_000 });
      expect(await page.title()).toContain('aksita-bridge');
      // Its own API calls pass the token check too (the cookie set on the first visit).
      const api = await page.evaluate(async () => (await fetch('/admin/queues/api/queues')).status);
      expect(api).toBe(200);
    } finally {
      await page.close();
    }
  });

  it('refuses the page and its API without the token', async () => {
    const { bridge } = await fx.start({ ADMIN_HTTP_TOKEN: TOKEN });
    const page = await browser.newPage();
    try {
      const res = await page.goto(`http://127.0.0.1:${bridge.port}/admin/queues`);
      expect(res?.status()).toBe(401);
      expect(await page.content()).not.toContain('turns');
      const wrong = await page.goto(
        `http://127.0.0.1:${bridge.port}/admin/queues?token=not-the-token-at-all`,
      );
      expect(wrong?.status()).toBe(401);
      const api = await fetch(`http://127.0.0.1:${bridge.port}/admin/queues/api/queues`);
      expect(api.status).toBe(401);
    } finally {
      await page.close();
    }
  });
});
