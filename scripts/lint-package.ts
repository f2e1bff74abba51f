/**
 * Lints the package as it is published: packs it once with `npm pack` (whose `prepare` builds
 * dist/), checks that the tarball holds the builds of every entry, then runs
 * `@arethetypeswrong/cli` (every resolution: node10, node16 from CJS and from ESM, bundler) and
 * `publint --strict` on that same tarball. Exits non-zero on the first failure.
 *
 * Usage: tsx scripts/lint-package.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const destination = mkdtempSync(path.join(tmpdir(), 'bcss-bulk-lint-package-'));

/** What the tarball must hold: each entry's ESM and CJS builds with their declarations, and the command. */
const required = ['index', 'testing', 'metrics'].flatMap((entry) => ['js', 'cjs', 'd.ts', 'd.cts'].map((extension) => `package/dist/${entry}.${extension}`));
required.push('package/dist/cli.js', 'package/package.json', 'package/README.md', 'package/CHANGELOG.md');

try {
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  // The build's output (from `prepare`) comes first on stdout; the JSON report is the last thing.
  const [info] = JSON.parse(packed.slice(packed.lastIndexOf('\n[\n') + 1)) as { filename: string }[];
  if (info === undefined) throw new Error(`npm pack reported no tarball:\n${packed}`);
  const tarball = path.join(destination, info.filename);
  const entries = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n'));
  const missing = required.filter((entry) => !entries.has(entry));
  if (missing.length > 0) throw new Error(`the tarball ${info.filename} lacks ${missing.join(', ')}`);
  console.log(`${info.filename}: ${entries.size - 1} files, every entry's builds present`);
  execFileSync(bin('attw'), [tarball, '--profile', 'strict'], { cwd: root, stdio: 'inherit' });
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { cwd: root, stdio: 'inherit' });
} catch (error) {
  console.error(`lint:package failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(destination, { recursive: true, force: true });
}
