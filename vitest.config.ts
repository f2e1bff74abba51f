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
      { find: /^bcss-bulk\/testing$/, replacement: src('testing/index.ts') },
      { find: /^bcss-bulk\/metrics$/, replacement: src('metrics/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The consumer project's own tests run inside its temp copy (test/install-from-git.test.ts).
    exclude: [...configDefaults.exclude, 'test/fixtures/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
