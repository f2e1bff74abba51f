/**
 * `npm run bench`: builds the package, runs the benchmark suite at full size on the build,
 * writes bench-results/summary.json and prints a table. Takes a couple of minutes; nothing else should load the machine meanwhile.
 */
import { fileURLToPath } from 'node:url';
import { formatSummary, FULL_SIZES, runBenchmarks, writeSummary } from './suite.js';

const resultsDir = fileURLToPath(new URL('../bench-results', import.meta.url));
const summary = await runBenchmarks(FULL_SIZES, 'dist', (line) => console.log(`… ${line}`));
const file = await writeSummary(summary, resultsDir);
console.log(`\n${formatSummary(summary)}\n\nwritten to ${file}`);
