/**
 * Reading a run's input from a file: national numbers (or any cell) from a CSV file, through
 * csv-parse, or one per line from a text file. Both are lazy async iterables: the file is opened
 * at the first item and read as the run pulls items (memory stays flat whatever the file's
 * size), and every item keeps its line number for messages and rejects.
 *
 * What goes wrong, and where it goes:
 * - the file itself (missing, unreadable, broken CSV quoting, a row with another number of
 *   cells, the column asked for missing): an {@link InputFileError} naming the file and the line,
 *   thrown from the iteration, so the run fails (`INPUT_ERROR`) before it sends a wrong night's
 *   work. A broken file is fixed and the run started again;
 * - one invalid national number (`validate: 'insz'`): by default not an error but a reject of
 *   that item, before any call, with its line in the reason (give the run `precheck:
 *   inputPrecheck`), so that one typo does not cost the whole night; `onInvalid: 'throw'` makes
 *   it an {@link InputFileError} instead.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { z } from 'zod';
import { parseOptions } from '../util/options.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import type { PrecheckFailure } from '../policy/classify.js';
import { InputFileError } from './errors.js';
import { maskInsz, parseInsz } from '../policy/insz.js';

/** One item read from an input file. */
export interface InputLine<Row> {
  /** The cell asked for (CSV) or the line (text), trimmed; with `validate: 'insz'` and a valid number, its 11 digits. */
  readonly value: string;
  /** Line of the file where the row starts, from 1. */
  readonly line: number;
  /** The whole row: its cells by column name (CSV with a header), its cells in order (CSV without), or the line (text). */
  readonly row: Row;
  /**
   * Set when `validate: 'insz'` found `value` invalid (and `onInvalid` is `reject`): the code of
   * the rule it breaks (`INSZ_CHECK_DIGITS`, ...) and a reason naming the line, the number
   * masked. {@link inputPrecheck} turns it into a reject of the item.
   */
  readonly invalid?: PrecheckFailure;
}

/** Options shared by {@link readCsv} and {@link readLines}. */
export interface InputFileOptions {
  /**
   * Check each value as a national or BIS number (`parseInsz`); a valid one is given as its 11
   * digits, separators removed.
   *
   * @defaultValue `undefined`: values are given as they are (trimmed).
   */
  readonly validate?: 'insz' | undefined;
  /**
   * With `validate`: `reject` gives an invalid value with `invalid` set, for the run's precheck
   * ({@link inputPrecheck}: a reject with its line, no call); `throw` stops the reading with an
   * {@link InputFileError} (`invalid-insz`).
   *
   * @defaultValue `'reject'`
   */
  readonly onInvalid?: 'reject' | 'throw' | undefined;
  /**
   * The file's name in error messages when reading from a stream.
   *
   * @defaultValue the path given, or the stream's `path`, or `'input'`
   */
  readonly name?: string | undefined;
  /**
   * Encoding of the file. A byte order mark at its start is skipped.
   *
   * @defaultValue `'utf8'`
   */
  readonly encoding?: BufferEncoding | undefined;
}

/** Options of {@link readCsv}. */
export interface ReadCsvOptions extends InputFileOptions {
  /**
   * The cell that is the item's `value`: a column name (from the header row) or an index from 0.
   *
   * @defaultValue `0`, the first column
   */
  readonly column?: string | number | undefined;
  /**
   * The first row holds the column names: it is not an item, and rows are given as records by
   * column name.
   *
   * @defaultValue `true` when `column` is a name, `false` otherwise
   */
  readonly header?: boolean | undefined;
  /**
   * Cell delimiter (`;` for many Belgian spreadsheet exports).
   *
   * @defaultValue `','`
   */
  readonly delimiter?: string | undefined;
  /**
   * Lines starting with this character are comments, skipped.
   *
   * @defaultValue `undefined`: no comments
   */
  readonly comment?: string | undefined;
}

/** Options of {@link readLines}. */
export interface ReadLinesOptions extends InputFileOptions {
  /**
   * Lines whose first non-blank character is this one are comments, skipped (`''`: none).
   *
   * @defaultValue `'#'`
   */
  readonly comment?: string | undefined;
}

const inputFileFields = {
  validate: z.literal('insz', { message: "expected 'insz'" }).optional(),
  onInvalid: z.enum(['reject', 'throw']).default('reject'),
  name: z.string().optional(),
  encoding: z.custom<BufferEncoding>((v) => typeof v === 'string' && Buffer.isEncoding(v), { message: 'expected a Node.js encoding such as utf8 or latin1' }).default('utf8'),
};

/** Schema of {@link ReadCsvOptions}. Keys it does not know are ignored. */
export const readCsvOptionsSchema = z.object({
  ...inputFileFields,
  column: z.union([z.string().min(1), z.number().int().nonnegative()], { message: 'expected a column name or an index from 0' }).default(0),
  header: z.boolean().optional(),
  delimiter: z.string().min(1, 'expected a delimiter of one character or more').default(','),
  comment: z.string().optional(),
});

/** Schema of {@link ReadLinesOptions}. Keys it does not know are ignored. */
export const readLinesOptionsSchema = z.object({ ...inputFileFields, comment: z.string().default('#') });

type _ReadCsvOptionsAgree = Assert<SchemaMatches<z.input<typeof readCsvOptionsSchema>, ReadCsvOptions>>;
type _ReadLinesOptionsAgree = Assert<SchemaMatches<z.input<typeof readLinesOptionsSchema>, ReadLinesOptions>>;
type CsvSettings = z.output<typeof readCsvOptionsSchema>;
type LinesSettings = z.output<typeof readLinesOptionsSchema>;

/** A CSV row by column name. */
export type CsvRecord = Readonly<Record<string, string>>;
/** A CSV row as its cells in order. */
export type CsvCells = readonly string[];

type Source = string | Readable;

function nameOf(source: Source, options: { readonly name?: string | undefined }): string {
  if (options.name !== undefined) return options.name;
  if (typeof source === 'string') return source;
  const path = (source as Readable & { path?: unknown }).path;
  return typeof path === 'string' ? path : 'input';
}

function open(source: Source): Readable {
  return typeof source === 'string' ? createReadStream(source) : source;
}

/** The value of a row, validated when asked; throws for `onInvalid: 'throw'`. */
function item<Row>(raw: string, line: number, row: Row, file: string, options: Pick<CsvSettings, 'validate' | 'onInvalid'>): InputLine<Row> {
  const value = raw.trim();
  if (options.validate !== 'insz') return { value, line, row };
  const parsed = parseInsz(value);
  if (parsed.valid) return { value: parsed.digits, line, row };
  const reason = `line ${line}: invalid national number ${maskInsz(value)}: ${parsed.reason}`;
  if (options.onInvalid === 'throw') throw new InputFileError(file, line, 'invalid-insz', `invalid national number ${maskInsz(value)}: ${parsed.reason}`);
  return { value, line, row, invalid: { code: parsed.code, reason } };
}

/** Line breaks inside a row's cells (only quoted cells have any): the lines the row spans beyond its first. */
function breaksIn(cells: readonly string[]): number {
  let breaks = 0;
  for (const cell of cells) if (cell.includes('\n') || cell.includes('\r')) breaks += cell.match(/\r\n|\r|\n/g)!.length;
  return breaks;
}

const CSV_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'the file ends inside a quoted cell: a quote above is not closed',
  INVALID_OPENING_QUOTE: 'a quote opens inside a cell (quote the whole cell, double the quotes in it)',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell is followed by something else than a delimiter or the end of the line',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted cell is followed by something else than a delimiter or the end of the line',
};

/** The rows of a CSV file, lazily, as csv-parse reads them (see {@link readCsv}). */
async function* csvRows(source: Source, options: CsvSettings): AsyncGenerator<InputLine<CsvRecord | CsvCells>> {
  const file = nameOf(source, options);
  const column = options.column;
  const header = options.header ?? typeof column === 'string';
  if (typeof column === 'string' && !header) throw new InputFileError(file, 0, 'column-missing', `column '${column}' is a name: give header: true (or a column index)`);
  const input = open(source);
  const parser = parse({
    bom: true,
    delimiter: options.delimiter,
    encoding: options.encoding,
    info: true,
    relax_column_count: true, // counted here, to name the line
    skip_empty_lines: true,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
  });
  input.once('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let lines = 0; // physical lines taken by the rows so far (skipped lines are counted by csv-parse)
  let names: readonly string[] | undefined;
  let width: number | undefined;
  let index = typeof column === 'number' ? column : -1;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { empty_lines: number; comment_lines: number } }>) {
      const line = lines + info.empty_lines + info.comment_lines + 1;
      lines += 1 + breaksIn(record);
      if (record.every((cell) => cell.trim() === '')) continue; // `;;;` rows a spreadsheet leaves at the end
      if (width === undefined) {
        width = record.length;
        if (header) {
          names = record.map((name) => name.trim());
          if (typeof column === 'string') index = names.indexOf(column);
          if (index < 0) throw new InputFileError(file, line, 'column-missing', `the header has no column '${column}' (it has ${names.map((n) => `'${n}'`).join(', ')})`);
        }
        if (index >= width) throw new InputFileError(file, line, 'column-missing', `column ${index} asked for, but the rows have ${width} cell(s)`);
        if (header) continue;
      }
      if (record.length !== width) throw new InputFileError(file, line, 'columns', `${record.length} cell(s) where the ${header ? 'header' : 'first row'} has ${width}`);
      const row = names === undefined ? record : Object.fromEntries(names.map((name, i) => [name, record[i]!]));
      yield item(record[index]!, line, row, file, options);
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    if (error instanceof CsvError) {
      const code = error.code;
      // The line where csv-parse found the problem (rows it had parsed ahead are dropped with its error, so ours may lag).
      const found = (error as CsvError & { lines?: number }).lines;
      const line = typeof found === 'number' && found > lines ? found : lines + 1;
      // Not csv-parse's message, nor its error as the cause: both quote the row's cells.
      throw new InputFileError(file, line, 'malformed', `${CSV_PROBLEMS[code] ?? 'the CSV parser refused the row'} (${code})`);
    }
    throw new InputFileError(file, 0, 'unreadable', `cannot be read: ${(error as Error).message}`, { cause: error });
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}

/**
 * Reads a CSV file (or stream) lazily as the input of a run, with csv-parse (RFC 4180: quoted
 * cells, doubled quotes, line breaks in quoted cells, CRLF or LF, a byte order mark skipped,
 * empty lines skipped). Each item is `{ value, line, row }`: the cell of `column`, the line the
 * row starts on, and the whole row.
 *
 * Rows whose cells are all blank are skipped. A file that cannot be opened, broken quoting, a
 * row whose number of cells differs from the first row's, or a missing column make the
 * iteration throw an {@link InputFileError} naming the file and the line (never the content).
 * With `validate: 'insz'`, an invalid number is an item with `invalid` set: give the run
 * `precheck: inputPrecheck` to reject it before any call, its line in the reason.
 *
 * @throws {ConfigError} malformed options, at once (each issue with its path).
 * @example
 * createRun({ input: readCsv('people.csv', { column: 'ssin', delimiter: ';', validate: 'insz' }),
 *   precheck: inputPrecheck, key: (person) => person.value, call: (person, { signal }) => lookUp(person.value, signal), ... })
 */
export function readCsv(source: string | Readable, options: ReadCsvOptions & ({ readonly header: true } | { readonly column: string; readonly header?: true })): AsyncIterable<InputLine<CsvRecord>>;
export function readCsv(source: string | Readable, options?: ReadCsvOptions & { readonly header?: false; readonly column?: number }): AsyncIterable<InputLine<CsvCells>>;
export function readCsv(source: string | Readable, options: ReadCsvOptions = {}): AsyncIterable<InputLine<CsvRecord | CsvCells>> {
  const settings = parseOptions(readCsvOptionsSchema, options, 'CSV input options');
  return { [Symbol.asyncIterator]: () => csvRows(source, settings) };
}

/** The lines of a text file, lazily (see {@link readLines}). */
async function* textLines(source: Source, options: LinesSettings): AsyncGenerator<InputLine<string>> {
  const file = nameOf(source, options);
  const comment = options.comment;
  const input = open(source);
  input.setEncoding(options.encoding);
  let line = 0;
  let rest = '';
  const take = (text: string): InputLine<string> | undefined => {
    line++;
    const row = text.endsWith('\r') ? text.slice(0, -1) : text;
    const trimmed = row.trim();
    if (trimmed === '' || (comment !== '' && trimmed.startsWith(comment))) return undefined;
    return item(trimmed, line, row, file, options);
  };
  try {
    let first = true;
    for await (const chunk of input as AsyncIterable<string>) {
      let text = rest + chunk;
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let from = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
        const taken = take(text.slice(from, end));
        from = end + 1;
        if (taken !== undefined) yield taken;
      }
      rest = text.slice(from);
    }
    if (rest !== '') {
      const taken = take(rest);
      if (taken !== undefined) yield taken;
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(file, 0, 'unreadable', `cannot be read: ${(error as Error).message}`, { cause: error });
  } finally {
    input.destroy();
  }
}

/**
 * Reads a text file (or stream) lazily as the input of a run, one value per line (LF or CRLF;
 * a byte order mark skipped). Blank lines and comment lines (first non-blank character `#`,
 * see `comment`) are skipped. Each item is `{ value, line, row }`: the trimmed line, its number
 * from 1, and the line as written. A file that cannot be read makes the iteration throw an
 * {@link InputFileError}; with `validate: 'insz'`, see {@link readCsv}.
 *
 * @throws {ConfigError} malformed options, at once (each issue with its path).
 * @example createRun({ input: readLines('ssins.txt', { validate: 'insz' }), precheck: inputPrecheck, key: (l) => l.value, ... })
 */
export function readLines(source: string | Readable, options: ReadLinesOptions = {}): AsyncIterable<InputLine<string>> {
  const settings = parseOptions(readLinesOptionsSchema, options, 'input lines options');
  return { [Symbol.asyncIterator]: () => textLines(source, settings) };
}

/**
 * A run's `precheck` for items of {@link readCsv} and {@link readLines} read with `validate:
 * 'insz'`: an item whose number is invalid is rejected before any call, with the rule's code
 * and a reason naming its line (`line 17: invalid national number 85.07.30-***.**: ...`).
 */
export function inputPrecheck(item: InputLine<unknown>): PrecheckFailure | undefined {
  return item.invalid;
}
