import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Elasticsearch and the local model are shared, heavy resources: keep parallelism modest on small machines.
    maxWorkers: 2,
    pool: 'forks',
    // `npm test` runs every project; `npm run test:unit` only the first.
    projects: [
      {
        extends: true,
        // Pure logic and fakes: no native modules, no servers, no store on disk.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        // Real components: SQLite, the Elasticsearch node, the local model, the dashboard over a real core.
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/contract/**/*.test.ts',
            'test/tui/**/*.test.{ts,tsx}',
          ],
        },
      },
      {
        extends: true,
        // Whole processes against local fakes of Slack, Discord and OpenAI.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] },
      },
    ],
  },
});
