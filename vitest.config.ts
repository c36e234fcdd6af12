import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The security suite has its own run (`npm run test:security`, vitest.security.config.ts).
    exclude: [...configDefaults.exclude, 'test/security/**'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests each use their own Redis prefix, so files may run in parallel.
    fileParallelism: true,
    // Test files share their worker's module cache: each file re-importing the bridge (discord.js,
    // Bolt, BullMQ) cost about 75 s of CPU over the run; shared, about 18 s. No test relies on fresh
    // module state: every bridge, registry and fake is built per test.
    isolate: false,
    // A test spends most of its time waiting on the fakes, Redis and timers, not on a core. Vitest's
    // default, one worker less than the cores, runs one file at a time on two cores (about 3 minutes,
    // the CPU half idle); three files at once keep two cores busy without starving the timing checks.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    // The bridges of `testEnv` send to the fake Telegram unpaced (pacing waits a second between two
    // messages to a chat); the tests of pacing turn it on (test/e2e/pacing.test.ts).
    provide: { telegramSendPacing: 'off' },
  },
});
