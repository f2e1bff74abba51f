/**
 * The run's compliance records: what a run measured of itself, kept in its run directory for
 * the report for the BCSS. One file per run start (`records-<start>-<pid>.jsonl`), JSON Lines,
 * appended, readable while the run is live (a torn last line is skipped), and the files of
 * several runs or processes of one batch merge by summing per second.
 *
 * Kinds of line (`k`):
 * - `meta`: the run's metadata (caps and their overrides, calendar, announcement), its minimum
 *   pause, its reject budget and the plan's figures, once at the start;
 * - `min`: one source's minute: per second the peak of calls in flight (`p`) and the calls
 *   started (`c`), each {@link encodeSeconds encoded} and cut after the last second with an event (the seconds after it had `e`
 *   calls in flight: the count at the minute's end), and per code the rejects (`r`), the
 *   exhausted items (`x`) and the retries (`t`) of the minute;
 * - `ev`: a run event that changes what the run may do (state, a source paused or resumed by
 *   its overload protection, a stall, a scheduled resumption, the shared mode lost or back),
 *   with its whole payload's reasons;
 * - `code`: the number that stands for an outcome code in the `min` lines after it;
 * - `totals`: the run's totals (items finished, rejected...) as of `at`, every ten minutes and at the end.
 */
import { z } from 'zod';
import type { RunMeta } from '../store.js';
import type { Assert, SchemaMatches } from '../../util/type-checks.js';

/** Version of the records' format, in each `meta` line. */
export const RECORDS_VERSION = 1;

/** The name of a records file: one per run start and process. */
export function recordsFileName(startedAt: number, pid: number): string {
  return `records-${new Date(startedAt).toISOString().replace(/[:.]/g, '')}-${pid}.jsonl`;
}

/** True for the name of a records file. */
export function isRecordsFile(name: string): boolean {
  return /^records-.+\.jsonl$/.test(name);
}

/** One source of the plan's figures. */
export interface PlannedSource {
  /**
   * The source's name.
   * @defaultValue none: required
   */
  readonly source: string;
  /**
   * Calls planned for the source.
   * @defaultValue none: required
   */
  readonly calls: number;
  /**
   * Simultaneous calls planned.
   * @defaultValue none: required
   */
  readonly cap: number;
  /**
   * Calls per hour the source can take at its cap.
   * @defaultValue none: required
   */
  readonly ceilingPerHour: number;
}

/**
 * The figures of the batch's capacity plan that a run keeps with its records, for the report's
 * "plan versus actual": a plan made by `planBatch()` fits as it is (its other fields are not kept).
 */
export interface PlannedFigures {
  /**
   * First allowed instant of the plan.
   * @defaultValue none: required
   */
  readonly start: Date | string;
  /**
   * Expected end of the last call.
   * @defaultValue none: required
   */
  readonly end: Date | string;
  /**
   * Calls planned in all.
   * @defaultValue none: required
   */
  readonly totalCalls: number;
  /**
   * Allowed hours the batch needs.
   * @defaultValue none: required
   */
  readonly hours: number;
  /**
   * The plan of each source.
   * @defaultValue none: required
   */
  readonly sources: readonly PlannedSource[];
}

const instant = z.union([z.date(), z.string().datetime({ offset: true })]).transform((value) => new Date(value).toISOString());

/** Schema of {@link PlannedFigures}: other fields of a plan are dropped. */
export const plannedFiguresSchema = z.object({
  start: instant,
  end: instant,
  totalCalls: z.number().int().nonnegative(),
  hours: z.number().nonnegative(),
  sources: z.array(z.object({ source: z.string().min(1), calls: z.number().int().nonnegative(), cap: z.number().int().positive(), ceilingPerHour: z.number().nonnegative() })).readonly(),
});

type _PlannedFiguresAgree = Assert<SchemaMatches<z.input<typeof plannedFiguresSchema>, PlannedFigures>>;

/** The plan's figures as kept (instants as ISO strings). */
export type PlanRecord = z.output<typeof plannedFiguresSchema>;

/** Counts by code. */
export type CodeCounts = Record<string, number>;

/** The `meta` line. */
export interface MetaLine {
  readonly k: 'meta';
  readonly v: number;
  readonly pid: number;
  readonly host: string;
  readonly meta: RunMeta;
  readonly minPauseMs: number;
  /** The reject budget's largest ratio, or `false` when it is switched off. */
  readonly maxRejectRatio: number | false;
  readonly plan?: PlanRecord;
}

/** The `min` line: one source's minute. */
export interface MinuteLine {
  readonly k: 'min';
  readonly s: string;
  /** The minute's first instant, ms since epoch. */
  readonly m: number;
  /** Peaks per second, {@link encodeSeconds encoded}. */
  readonly p: EncodedSeconds;
  /** Calls started per second, {@link encodeSeconds encoded}. */
  readonly c: EncodedSeconds;
  readonly e: number;
  /** Rejects by code, {@link encodeCounts encoded}. */
  readonly r?: string;
  /** Exhausted items by their last code, {@link encodeCounts encoded}. */
  readonly x?: string;
  /** Retries by code, {@link encodeCounts encoded}. */
  readonly t?: string;
}

/** The `ev` line: a run event, its name (`e`) and its payload's fields. */
export interface EventLine {
  readonly k: 'ev';
  readonly e: string;
  readonly at: number;
  readonly [field: string]: unknown;
}

/** The run's totals as of `at`. */
export interface TotalsLine {
  readonly k: 'totals';
  readonly at: number;
  readonly t: { readonly finished: number; readonly succeeded: number; readonly rejected: number; readonly exhausted: number; readonly attempts: number; readonly retries: number };
}

/** The `code` line: the number `i` stands for the outcome code `c` in the file's later lines. */
export interface CodeLine {
  readonly k: 'code';
  readonly i: number;
  readonly c: string;
}

/** A line of a records file. */
export type RecordsLine = MetaLine | MinuteLine | EventLine | TotalsLine | CodeLine;

/** Counts by code number as `number:count,...` (the numbers of the file's `code` lines). */
export function encodeCounts(counts: ReadonlyMap<number, number>): string {
  let text = '';
  for (const [code, count] of counts) text += `${text === '' ? '' : ','}${code}:${count}`;
  return text;
}

/** The counts by code of {@link encodeCounts}, named by the file's `code` lines. */
export function decodeCounts(text: string | undefined, codes: readonly string[]): CodeCounts | undefined {
  if (text === undefined) return undefined;
  const counts: CodeCounts = {};
  for (const part of text.split(',')) {
    const [code, count] = part.split(':');
    const name = codes[Number(code)] ?? `#${code}`;
    counts[name] = (counts[name] ?? 0) + Number(count);
  }
  return counts;
}

/** Values per second: a compact string (see {@link encodeSeconds}) or, with a value above 35, an array. */
export type EncodedSeconds = string | number[];

const RUN = '*';
const MIN_RUN = 5;

/**
 * Values per second as a string of base-36 digits, one per second, where a run of 5 or more
 * equal values is the digit, `*` and the run's length in two base-36 digits (`4*1o`: 60 times 4);
 * with a value above 35, the array itself.
 */
export function encodeSeconds(values: readonly number[]): EncodedSeconds {
  let text = '';
  for (let i = 0; i < values.length; ) {
    const value = values[i]!;
    if (value > 35 || value < 0 || !Number.isInteger(value)) return [...values];
    let end = i + 1;
    while (end < values.length && values[end] === value) end++;
    const digit = value.toString(36);
    text += end - i >= MIN_RUN ? `${digit}${RUN}${(end - i).toString(36).padStart(2, '0')}` : digit.repeat(end - i);
    i = end;
  }
  return text;
}

/** The values of {@link encodeSeconds}. */
export function decodeSeconds(encoded: EncodedSeconds): number[] {
  if (Array.isArray(encoded)) return encoded;
  const values: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const value = parseInt(encoded[i]!, 36);
    if (encoded[i + 1] === RUN) {
      const count = parseInt(encoded.slice(i + 2, i + 4), 36);
      for (let n = 0; n < count; n++) values.push(value);
      i += 3;
    } else values.push(value);
  }
  return values;
}
