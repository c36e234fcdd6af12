import { defineConfig } from 'vitest/config';

/**
 * The security suite (`npm run test:security`): what the internet and users can reach (issue 13),
 * reproduced against real bridges; among them the body floods, which push gigabytes through a bridge
 * process over loopback and wait out slow requests, so the suite is not part of `npm test`. Run by CI
 * after `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/security/**/*.test.ts'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files in parallel, two at a time: the flood measures its own bridge process's memory, and the
    // slow-request bounds (cut after 10 s, within 15 s) leave room for the load of another file.
    fileParallelism: true,
    maxWorkers: 2,
    provide: { telegramSendPacing: 'off' },
  },
});
