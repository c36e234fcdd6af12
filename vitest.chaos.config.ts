import { defineConfig } from 'vitest/config';

/**
 * The chaos suite (`npm run test:chaos`): real bridge processes under load while workers are
 * killed, Redis restarts, the agent and the platform fail at random, and the bridge is stopped.
 * Apart from `npm test`; about five minutes on two cores.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Each case drives hundreds of messages through several processes: one at a time.
    fileParallelism: false,
  },
});
