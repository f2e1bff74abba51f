import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', cli: 'src/cli.ts', metrics: 'src/metrics.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Shared chunks: an error class is one class across bcss-bulk, bcss-bulk/testing and
  // bcss-bulk/metrics (instanceof holds across entries).
  splitting: true,
  // import.meta.url in the CJS build (src/util/peer.ts loads the optional peers through createRequire).
  shims: true,
});
