/**
 * Reading a run's input from real files: CSV (csv-parse) and one number per line, with line
 * numbers, typed errors naming the file and the line, and lazy reading (memory stays flat).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, createRun, HttpStatusError, InputFileError, inputPrecheck, MemoryStore, readCsv, readLines, type InputLine } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-input-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const at = path.join(dir, name);
  await writeFile(at, content);
  return at;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function failure(items: AsyncIterable<unknown>): Promise<InputFileError> {
  const error = await all(items).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputFileError);
  return error as InputFileError;
}

const ANNA = '85073003328';
const BERT = '85073003427';

describe('readCsv', () => {
  it('reads a spreadsheet export: BOM, CRLF, header, ; delimiter, quoted cells with ; and line breaks, empty lines, an empty last line', async () => {
    const csv = await file(
      'people.csv',
      '\uFEFFid;ssin;name\r\n' + //                        line 1
        `1;${ANNA};"Anna; the first"\r\n` + //             line 2
        '\r\n' + //                                        line 3 (empty)
        `2; 85.07.30-034.27 ;"Bert\r\n""the second"""\r\n` + // lines 4–5
        `3;${ANNA};Carla\r\n` + //                         line 6
        ';;\r\n' + //                                      line 7, blank cells: skipped
        '\r\n',
    );
    const items = await all(readCsv(csv, { column: 'ssin', delimiter: ';' }));
    expect(items).toEqual([
      { value: ANNA, line: 2, row: { id: '1', ssin: ANNA, name: 'Anna; the first' } },
      { value: '85.07.30-034.27', line: 4, row: { id: '2', ssin: ' 85.07.30-034.27 ', name: 'Bert\r\n"the second"' } },
      { value: ANNA, line: 6, row: { id: '3', ssin: ANNA, name: 'Carla' } },
    ]);
    // By index, without a header: rows are arrays; with validate, valid numbers come as 11 digits.
    const lf = await file('plain.csv', `${ANNA},a\n"85.07.30-034.27",b\n# note\n`);
    expect(await all(readCsv(lf, { column: 0, validate: 'insz', comment: '#' }))).toEqual([
      { value: ANNA, line: 1, row: [ANNA, 'a'] },
      { value: BERT, line: 2, row: ['85.07.30-034.27', 'b'] },
    ]);
  });

  it('throws an InputFileError naming the file and the line (never the content) for a row of another width, broken quoting, a missing column or file', async () => {
    const wide = await file('wide.csv', `ssin,name\n${ANNA},Anna\n\n"multi\nline",x\n${BERT},Bert,extra\n`);
    const columns = await failure(readCsv(wide, { column: 'ssin' }));
    expect(columns).toMatchObject({ code: 'INPUT_FILE', problem: 'columns', file: wide, line: 6 });
    expect(columns.message).toBe(`${wide} line 6: 3 cell(s) where the header has 2`);

    const quotes = await file('quotes.csv', `${ANNA},ok\n${BERT},"not closed\n`);
    const malformed = await failure(readCsv(quotes));
    expect(malformed).toMatchObject({ problem: 'malformed', line: 2 });
    expect(malformed.message).toBe(`${quotes} line 2: the file ends inside a quoted cell: a quote above is not closed (CSV_QUOTE_NOT_CLOSED)`);
    expect(JSON.stringify({ ...malformed, message: malformed.message, cause: malformed.cause })).not.toContain(BERT);

    const misplaced = await file('misplaced.csv', `${ANNA},ok\n${BERT},bad"quote"x\n`);
    const opening = await failure(readCsv(misplaced));
    expect(opening).toMatchObject({ problem: 'malformed', line: 2 });
    expect(opening.message).not.toContain('bad'); // csv-parse's own message quotes the cell; ours does not

    const noColumn = await failure(readCsv(wide, { column: 'niss' }));
    expect(noColumn).toMatchObject({ problem: 'column-missing', line: 1 });
    expect(noColumn.message).toContain("the header has no column 'niss' (it has 'ssin', 'name')");
    expect(await failure(readCsv(wide, { column: 5 }))).toMatchObject({ problem: 'column-missing', line: 1 });

    const missing = path.join(dir, 'missing.csv');
    const unreadable = await failure(readCsv(missing));
    expect(unreadable).toMatchObject({ problem: 'unreadable', line: 0, file: missing });
    expect(unreadable.message).toContain('ENOENT');
  });

  it('gives invalid national numbers as items to reject (with their line), or throws with onInvalid: throw', async () => {
    const csv = await file('typos.csv', `ssin\n${ANNA}\n85073003329\n\nabc\n`);
    const items = await all(readCsv(csv, { column: 'ssin', validate: 'insz' }));
    expect(items.map((i) => [i.value, i.line, i.invalid])).toEqual([
      [ANNA, 2, undefined],
      ['85073003329', 3, { code: 'INSZ_CHECK_DIGITS', reason: 'line 3: invalid national number 85.07.30-***.**: the check digits match neither a birth in 19xx nor one from 2000 on' }],
      ['abc', 5, { code: 'INSZ_FORMAT', reason: 'line 5: invalid national number ***: a national number has 11 digits, optionally separated by spaces, dots or dashes' }],
    ]);
    const thrown = await failure(readCsv(csv, { column: 'ssin', validate: 'insz', onInvalid: 'throw' }));
    expect(thrown).toMatchObject({ problem: 'invalid-insz', line: 3 });
    expect(thrown.message).not.toContain('85073003329');
  });
});

describe('readLines', () => {
  it('reads one value per line: BOM, CRLF, blank and comment lines skipped, no newline at the end', async () => {
    const txt = await file('ssins.txt', `\uFEFF# exported 2026-11-23\r\n${ANNA}\r\n\r\n   \r\n  85.07.30-034.27  \r\n  # a comment\r\n85073003329`);
    expect(await all(readLines(txt))).toEqual([
      { value: ANNA, line: 2, row: ANNA },
      { value: '85.07.30-034.27', line: 5, row: '  85.07.30-034.27  ' },
      { value: '85073003329', line: 7, row: '85073003329' },
    ]);
    const validated = await all(readLines(txt, { validate: 'insz' }));
    expect(validated.map((i) => [i.value, i.invalid?.code])).toEqual([
      [ANNA, undefined],
      [BERT, undefined],
      ['85073003329', 'INSZ_CHECK_DIGITS'],
    ]);
    expect(await failure(readLines(txt, { validate: 'insz', onInvalid: 'throw' }))).toMatchObject({ problem: 'invalid-insz', line: 7, file: txt });
    expect(await failure(readLines(path.join(dir, 'nope.txt')))).toMatchObject({ problem: 'unreadable' });
  });
});

describe('an input file as the input of a run', () => {
  it('runs a CSV through the engine: invalid numbers rejected with their line before any call, successes upserted by the real key', async () => {
    const csv = await file('night.csv', `ssin;name\r\n${ANNA};Anna\r\n85073003329;Typo\r\n${BERT};Bert\r\n`);
    const clock = new FakeClock();
    const store = new MemoryStore();
    const called: string[] = [];
    const table = new Map<string, string>();
    const run = createRun<InputLine<Readonly<Record<string, string>>>, string>({
      input: readCsv(csv, { column: 'ssin', delimiter: ';', validate: 'insz' }),
      precheck: inputPrecheck,
      key: (person) => person.value,
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: async (person) => {
        called.push(person.value);
        await clock.sleep(5_000);
        return person.row['name']!;
      },
      onSuccess: (_person, name, info) => void table.set(info.key, name),
      store,
      clock,
      announcement: TEST_ANNOUNCEMENT,
    });
    const summary = await runToEnd(clock, run);
    expect(summary.totals).toMatchObject({ read: 3, succeeded: 2, rejected: 1 });
    expect(called.sort()).toEqual([ANNA, BERT]);
    expect([...table.entries()].sort()).toEqual([
      [ANNA, 'Anna'],
      [BERT, 'Bert'],
    ]);
    expect(store.rejects()).toMatchObject([{ position: 1, key: '85.07.30-***.**', code: 'INSZ_CHECK_DIGITS', attempts: 0, reason: expect.stringMatching(/^line 3: invalid national number 85\.07\.30-\*\*\*\.\*\*/) }]);
  });

  it('fails the run on a broken file, naming the file and the line', async () => {
    const csv = await file('broken.csv', `${ANNA},a\n${BERT},b,c\n`);
    const clock = new FakeClock();
    const run = createRun<InputLine<readonly string[]>, number>({
      input: readCsv(csv),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      call: () => {
        throw new HttpStatusError(503);
      },
      clock,
      announcement: TEST_ANNOUNCEMENT,
    });
    const error = await runToEnd(clock, run).catch((e: unknown) => e);
    expect(error).toMatchObject({ outcomeCode: 'INPUT_ERROR', message: expect.stringContaining(`${csv} line 2: 3 cell(s) where the first row has 2`) });
    expect((error as Error).cause).toBeInstanceOf(InputFileError);
  });
});

describe('reading lazily', () => {
  const LINES = 100_000;
  const lineOf = (i: number) => `${String(i).padStart(11, '0')},person ${String(i).padStart(6, '0')}\n`; // 26 bytes

  it('reads a 100 000-line file as it is consumed: the bytes read stay within a few buffers of the bytes consumed', async () => {
    const big = await file('big.csv', Array.from({ length: LINES }, (_, i) => lineOf(i)).join(''));
    const size = LINES * 26;
    for (const reader of ['csv', 'lines'] as const) {
      const stream = createReadStream(big);
      const items = reader === 'csv' ? readCsv(stream) : readLines(stream);
      let count = 0;
      let worstAhead = 0;
      for await (const item of items) {
        count++;
        if (item.line !== count) expect(item.line).toBe(count); // (expect only on a mismatch: 200 000 expects are slow)
        if (count % 997 === 0) worstAhead = Math.max(worstAhead, stream.bytesRead - count * 26);
        if (count === 10) expect(stream.bytesRead).toBeLessThan(size / 10);
      }
      expect(count).toBe(LINES);
      // Never more than a few 64 KiB buffers ahead of the consumer, whatever the file's size.
      expect(worstAhead).toBeLessThan(300 * 1024);
    }
  });

  it('closes the file when the consumer stops early (a run stopped)', async () => {
    const big = await file('big.txt', Array.from({ length: LINES }, (_, i) => lineOf(i)).join(''));
    for (const make of [(s: ReturnType<typeof createReadStream>) => readLines(s), (s: ReturnType<typeof createReadStream>) => readCsv(s)]) {
      const stream = createReadStream(big);
      for await (const item of make(stream)) if (item.line === 5) break;
      expect(stream.destroyed).toBe(true);
      expect(stream.bytesRead).toBeLessThan(LINES * 26);
    }
  });
});

describe('malformed options', () => {
  it('are a ConfigError at once, naming each option, before the file is opened', () => {
    const paths = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues.map((issue) => issue.path.join('.'));
      }
      return expect.unreachable();
    };
    expect(paths(() => readCsv('missing.csv', { delimiter: '', validate: 'ssin' as never, encoding: 'klingon' as never }))).toEqual(['validate', 'encoding', 'delimiter']);
    expect(paths(() => readCsv('missing.csv', { column: -1 }))).toEqual(['column']);
    expect(paths(() => readLines('missing.txt', { onInvalid: 'skip' as never }))).toEqual(['onInvalid']);
  });
});
