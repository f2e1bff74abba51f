import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (file: string): string => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The examples are written as a consumer writes them (`from 'bcss-bulk'`); in this
    // repository the package name means the sources, without a build (tsconfig `paths` does the
    // same for tsc and tsx). Exact matches: `bcss-bulk` must not swallow `bcss-bulk/testing`.
    alias: [
      { find: /^bcss-bulk$/, replacement: src('index.ts') },
      { find: /^bcss-bulk\/testing$/, replacement: src('testing.ts') },
      { find: /^bcss-bulk\/metrics$/, replacement: src('metrics.ts') },
    ],
  },
  test: {
    // Two projects, both run by `npm test`: `unit` (the tests of one folder of src/, in-process,
    // fast: `npx vitest run --project unit`) and `integration` (real processes, redis-server,
    // the packed package, the examples run as their users run them).
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // The consumer project's own tests run inside its temp copy (test/integration/install-from-git.test.ts).
          exclude: [...configDefaults.exclude, 'test/fixtures/**', 'test/integration/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'examples/**/*.test.ts'],
        },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
