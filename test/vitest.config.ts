import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: no privileges, no host changes, files in parallel. `integration`: the
 * real kernel, after the unit tests, one file at a time (the files share the kernel's swap,
 * vmstat counters and bpftrace), with the host prepared once around them (global-setup.ts).
 * `npm test` runs both with coverage; `npm run test:unit` runs `unit` only.
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['core/**/*.ts', 'bench/**/*.ts', 'bpf/**/*.ts', 'workloads/**/*.ts', 'reports/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'results/coverage',
    },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
