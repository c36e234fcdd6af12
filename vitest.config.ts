import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests each use their own Redis prefix, so files may run in parallel.
    fileParallelism: true,
  },
});
