import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Elasticsearch and the local model are shared, heavy resources: keep parallelism modest on small machines.
    maxWorkers: 2,
    pool: 'forks',
  },
});
