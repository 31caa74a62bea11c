import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside their code run in parallel; browser/server
// end-to-end tests (test/**/*.e2e.test.ts and any *.e2e.test.ts) run one file at a time,
// because the machine has 2 cores and each browser user costs ~0.3 core.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.e2e.test.ts', 'results/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', 'results/**'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
