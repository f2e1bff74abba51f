/**
 * The README's first screen shows the night batch and its test: they are the files of
 * examples/night-batch/, which the suite runs (and the consumer project runs from the package
 * installed by its git URL). This keeps the README's code from drifting away from them.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (file: string): Promise<string> => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

/** The ```ts block of the README whose first line is `// <file>`, without that line. */
function block(readme: string, file: string): string | undefined {
  const match = readme.match(new RegExp('```ts\\n// ' + file.replace(/[./]/g, '\\$&') + '\\n([\\s\\S]*?)```'));
  return match?.[1];
}

describe("the README's night batch and its test", () => {
  for (const file of ['examples/night-batch/job.ts', 'examples/night-batch/job.test.ts']) {
    it(`shows ${file} as it is`, async () => {
      const readme = await read('README.md');
      expect(block(readme, file), `a \`\`\`ts block starting with // ${file}`).toBe(await read(file));
    });
  }
});
