import { defineConfig } from 'vitest/config';

/**
 * The chaos suite (`npm run test:chaos`): real bridge processes under load while workers are
 * killed, Redis restarts, the agent and the platform fail at random, the agent is down or hangs for
 * a while, Telegram refuses every send for a while, a long poll is never answered, and the bridge
 * is stopped. Run by CI after `npm test`; about four minutes on two cores (docs/reliability.md).
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Each case drives hundreds of messages through its own processes, fakes, Redis prefix (and, in
    // the restart case, its own redis-server), so two files run at once. The load is light on CPU
    // (each chat's replies wait for Telegram's pacing), so the cases' timings barely change.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
