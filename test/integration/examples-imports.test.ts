import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const examples = new URL('../../examples/', import.meta.url);

/** The module specifiers of every static import and export-from of a source text. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((match) => match[1]!);
}

describe('the examples are templates a consumer can copy', () => {
  it('import the library by its package name and its entries, never by a path into this repository', async () => {
    const files = (await readdir(examples)).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const imported = specifiers(await readFile(new URL(file, examples), 'utf8'));
      expect(imported.some((name) => name === 'bcss-bulk'), `${file} imports 'bcss-bulk'`).toBe(true);
      for (const name of imported) {
        expect(name.startsWith('.') || name.startsWith('/'), `${file} imports '${name}': a path, not a package`).toBe(false);
        if (name.startsWith('bcss-bulk')) expect(name, `${file}: an entry of package.json exports`).toMatch(/^bcss-bulk(\/(testing|metrics))?$/);
      }
    }
  });
});
