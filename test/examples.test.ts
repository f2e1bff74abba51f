import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** Runs an example as a user would (`npx tsx examples/NAME.ts`) and returns what it printed. */
async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: root, timeout: 60_000 });
  return stdout;
}

describe('examples run as they are', () => {
  it('demo: caps held, retries, rejects masked, summary', async () => {
    const out = await example('demo');
    expect(out).toContain('state running → completed (completed)');
    expect(out).toMatch(/rn: cap 4, peak 4 simultaneous calls \(service saw 4\)/);
    expect(out).toMatch(/sigedis: cap 2, peak 2 simultaneous calls \(service saw 2\)/);
    expect(out).toContain('resume asked; the minimum pause holds it until');
    expect(out).toMatch(/finished 2000 of 2000/);
    expect(out).not.toMatch(/\b\d{11}\b/);
  });

  it('quick start: fetch over loopback, a reject, a Retry-After, nothing lost', async () => {
    const out = await example('quick-start');
    expect(out).toContain('retry  98.47.28-***.**: HTTP_503, again in 1000 ms');
    expect(out).toContain('done: read 40, succeeded 30, rejected 10, retries 1, saved 30, peak 4 simultaneous calls');
  });

  it('bcss batch: invalid numbers never sent, the status table applied, a Retry-After, the cap at the server', async () => {
    const out = await example('bcss-batch');
    expect(out).toContain('reject   85.07.30-***.**: INSZ_CHECK_DIGITS after 0 calls');
    expect(out).toContain('retry    98.47.28-***.**: HTTP_503, again in 1000 ms');
    expect(out).toContain('business 85.07.30-***.**: NO_DATA_FOUND MSG00100');
    expect(out).toContain('business 85.07.30-***.**: NO_DATA_FOUND MSG00009');
    expect(out).toContain('reject   85.07.30-***.**: MSG00006 after 1 calls: NO_RESULT MSG00006: The SSIN has been replaced: newSSIN=17.07.30-***.**');
    expect(out).toContain('done: read 24, succeeded 18, rejected 6, calls 22, peak 4 simultaneous calls');
    expect(out).not.toMatch(/\b\d{11}\b/);
  });
});
