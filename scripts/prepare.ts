/**
 * The package's `prepare` script: builds dist/ (tsup) unless dist/ is already the build of the
 * current inputs. npm runs `prepare` on `npm ci`/`npm install` in the repository, on `npm pack`
 * and `npm publish`, and twice for a git dependency (after installing the clone's dependencies,
 * then before packing it): the build runs once for the same inputs.
 *
 * "The same inputs" is a fingerprint of every file the build reads (src/, the tsup, TypeScript
 * and package configuration, the lock file): path, size and modification time, so an edit, an
 * added or a deleted file, a checkout or an upgrade of the build tools builds again. The
 * fingerprint of the last build is kept in node_modules/.cache/ (never packed). `--force`
 * always builds.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'node_modules', '.cache', 'bcss-bulk', 'build-fingerprint');
const inputs = ['src', 'tsup.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json'];
const outputs = ['index', 'testing', 'metrics', 'cli'].flatMap((entry) => [`dist/${entry}.js`, `dist/${entry}.cjs`, `dist/${entry}.d.ts`, `dist/${entry}.d.cts`]);

/** Every file under `relative` (a file or a folder), sorted. */
function filesOf(relative: string): string[] {
  const full = path.join(root, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full)
    .sort()
    .flatMap((name) => filesOf(path.join(relative, name)));
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(filesOf)) {
    const stat = statSync(path.join(root, file));
    hash.update(`${file}\u0000${stat.size}\u0000${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const current = fingerprint();
const built = outputs.every((file) => existsSync(path.join(root, file)));
const previous = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (!process.argv.includes('--force') && built && previous === current) {
  console.log('prepare: dist/ is the build of the current sources; not building again');
} else {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${current}\n`);
}
