/**
 * The queue dashboard: refused without the admin token (plain HTTP, runs everywhere), and in a real
 * headless browser (an installed chromium or Chrome through playwright-core, no browser download) it
 * loads with the token and shows the bridge's queue. The browser tests use `CHROMIUM_PATH`, else the
 * first browser found at the usual install paths; without one they do not run and say why, unless
 * `REQUIRE_BROWSER=1` (CI), where a missing browser fails them.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBridgeFixture } from '../support/fixture.ts';

const USUAL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The browser to drive, or why there is none. */
function findBrowser(): { path: string } | { missing: string } {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    return executable(configured)
      ? { path: configured }
      : { missing: `CHROMIUM_PATH=${configured} is not an executable file` };
  }
  const path = USUAL_PATHS.find(executable);
  return path
    ? { path }
    : {
        missing:
          `no chromium or Chrome at ${USUAL_PATHS.join(', ')} ` +
          '(apt-get install -y chromium, or set CHROMIUM_PATH)',
      };
}

const found = findBrowser();
const skipBrowser = 'missing' in found && process.env.REQUIRE_BROWSER !== '1';
if (skipBrowser) console.error(`Browser tests of the queue dashboard did not run: ${found.missing}.`);

const TOKEN = 'dashboard-token-0123456789';
const fx = useBridgeFixture();

describe('the queue dashboard at /admin/queues', () => {
  it('refuses the page and its API without the token, over plain HTTP', async () => {
    const { bridge } = await fx.start({ ADMIN_HTTP_TOKEN: TOKEN });
    const page = await fetch(`http://127.0.0.1:${bridge.port}/admin/queues`);
    expect(page.status).toBe(401);
    expect(await page.text()).not.toContain('turns');
    const api = await fetch(`http://127.0.0.1:${bridge.port}/admin/queues/api/queues`);
    expect(api.status).toBe(401);
  });
});

describe.skipIf(skipBrowser)(
  `the queue dashboard in a headless browser${skipBrowser ? ' (not run: no browser)' : ''}`,
  () => {
    let browser: Browser;

    beforeAll(async () => {
      if ('missing' in found) throw new Error(`REQUIRE_BROWSER=1, but ${found.missing}`);
      browser = await chromium.launch({
        executablePath: found.path,
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

    it('shows the turns queue to an operator with the token', async () => {
      const { bridge } = await fx.start({ ADMIN_HTTP_TOKEN: TOKEN });
      fx.telegram.userMessage({ chatId: 1, text: 'hello' });
      await fx.telegram.waitFor(() => fx.telegram.sentTo(1).length === 1, 10_000, 'reply');
      const page = await browser.newPage();
      try {
        const res = await page.goto(`http://127.0.0.1:${bridge.port}/admin/queues?token=${TOKEN}`);
        expect(res?.status()).toBe(200);
        // The token is taken out of the address bar (and history) by a redirect.
        expect(page.url()).toBe(`http://127.0.0.1:${bridge.port}/admin/queues`);
        await page.getByText('turns', { exact: true }).first().waitFor({ timeout: 15_000 });
        expect(await page.title()).toContain('aksita-bridge');
        // Its own API calls pass the token check too (the session cookie set on the first visit),
        // the ones that change state included: the browser says they come from the same origin.
        const api = await page.evaluate(async () => {
          const put = (path: string) => fetch(`/admin/queues/api/queues/turns/${path}`, { method: 'PUT' });
          const paused = await put('pause');
          const list = (await (await fetch('/admin/queues/api/queues')).json()) as {
            queues: Array<{ name: string; isPaused: boolean }>;
          };
          const resumed = await put('resume');
          return {
            pause: paused.status,
            isPaused: list.queues.find((q) => q.name === 'turns')?.isPaused,
            resume: resumed.status,
          };
        });
        expect(api).toEqual({ pause: 200, isPaused: true, resume: 200 });
      } finally {
        await page.close();
      }
    });

    it('refuses the page without the token, or with a wrong one', async () => {
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
      } finally {
        await page.close();
      }
    });
  },
);
