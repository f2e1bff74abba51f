/**
 * Merges the compliance records of one batch (several run starts, several processes' run
 * directories) into series per source and second. Calls started add up exactly; peaks in
 * flight add up per second, which is exact for runs that do not overlap in time and an upper
 * bound for processes running at once (their peaks may fall at different instants of the second).
 */
import { decodeCounts, decodeSeconds, type CodeCounts, type EventLine, type MinuteLine, type RecordsOfRun, type TotalsLine } from '../store/records/index.js';

const MINUTE_MS = 60_000;

/** What one source did, per second (epoch seconds). */
export interface SourceSeries {
  /** Peak of calls in flight, for every second with calls in flight. */
  readonly peaks: Map<number, number>;
  /** Calls started, for every second with a start. */
  readonly starts: Map<number, number>;
  readonly rejects: CodeCounts;
  readonly exhausted: CodeCounts;
  readonly retries: CodeCounts;
  /** Rejects and exhausted items per minute (ms since epoch) and code. */
  readonly rejectsPerMinute: Map<number, CodeCounts>;
}

/** A batch's records merged. */
export interface MergedRecords {
  readonly series: Map<string, SourceSeries>;
  /** Every event line, by instant, with the index of its run start in `run`. */
  readonly events: (EventLine & { readonly run: number })[];
  /** The last totals of each run directory, summed (a resumed run's totals include the earlier runs' items). */
  readonly totals: TotalsLine['t'] | undefined;
  /** The last instant any file speaks of. */
  readonly lastAt: number | undefined;
}

function add(into: CodeCounts, from: CodeCounts | undefined): void {
  if (from === undefined) return;
  for (const [code, count] of Object.entries(from)) into[code] = (into[code] ?? 0) + count;
}

function seriesOf(merged: Map<string, SourceSeries>, source: string): SourceSeries {
  let series = merged.get(source);
  if (series === undefined) merged.set(source, (series = { peaks: new Map(), starts: new Map(), rejects: {}, exhausted: {}, retries: {}, rejectsPerMinute: new Map() }));
  return series;
}

/** Adds one file's minute lines of a source into its series (a file's peaks per second are exact). */
function addMinutes(series: SourceSeries, lines: readonly MinuteLine[], endAt: number, codes: readonly string[]): void {
  const peaks = new Map<number, number>();
  const inFlightFrom = (fromSecond: number, toSecond: number, inFlight: number) => {
    if (inFlight > 0) for (let s = fromSecond; s < toSecond; s++) peaks.set(s, Math.max(peaks.get(s) ?? 0, inFlight));
  };
  let carried: { second: number; inFlight: number } | undefined;
  for (const line of lines) {
    const first = line.m / 1000;
    const [lineP, lineC] = [decodeSeconds(line.p), decodeSeconds(line.c)];
    if (carried !== undefined) inFlightFrom(carried.second, first, carried.inFlight);
    for (let i = 0; i < 60; i++) {
      const peak = i < lineP.length ? lineP[i]! : line.e;
      if (peak > 0) peaks.set(first + i, Math.max(peaks.get(first + i) ?? 0, peak));
      const started = lineC[i] ?? 0;
      if (started > 0) series.starts.set(first + i, (series.starts.get(first + i) ?? 0) + started);
    }
    carried = { second: first + 60, inFlight: line.e };
    const [rejects, exhausted] = [decodeCounts(line.r, codes), decodeCounts(line.x, codes)];
    add(series.rejects, rejects);
    add(series.exhausted, exhausted);
    add(series.retries, decodeCounts(line.t, codes));
    if (rejects !== undefined || exhausted !== undefined) {
      const minute = series.rejectsPerMinute.get(line.m) ?? {};
      add(minute, rejects);
      add(minute, exhausted);
      series.rejectsPerMinute.set(line.m, minute);
    }
  }
  if (carried !== undefined) inFlightFrom(carried.second, Math.ceil(endAt / 1000), carried.inFlight);
  for (const [second, peak] of peaks) series.peaks.set(second, (series.peaks.get(second) ?? 0) + peak);
}

/** Merges the records of every run start of a batch. */
export function mergeRecords(runs: readonly RecordsOfRun[]): MergedRecords {
  const series = new Map<string, SourceSeries>();
  const events: (EventLine & { run: number })[] = [];
  const lastTotalsByDir = new Map<string, TotalsLine>();
  let lastAt: number | undefined;
  const seen = (at: number) => (lastAt = lastAt === undefined ? at : Math.max(lastAt, at));
  runs.forEach((run, index) => {
    for (const name of Object.keys(run.meta.meta.sources)) seriesOf(series, name);
    const minutes = new Map<string, MinuteLine[]>();
    const codes: string[] = [];
    let fileEnd = Date.parse(run.meta.meta.startedAt);
    for (const line of run.lines) {
      if (line.k === 'min') {
        let list = minutes.get(line.s);
        if (list === undefined) minutes.set(line.s, (list = []));
        list.push(line);
        fileEnd = Math.max(fileEnd, line.m + MINUTE_MS);
      } else if (line.k === 'code') {
        codes[line.i] = line.c;
      } else if (line.k === 'ev') {
        events.push({ ...line, run: index });
        fileEnd = Math.max(fileEnd, line.at);
      } else if (line.k === 'totals') {
        const last = lastTotalsByDir.get(run.dir);
        if (last === undefined || line.at >= last.at) lastTotalsByDir.set(run.dir, line);
        fileEnd = Math.max(fileEnd, line.at);
      }
    }
    seen(fileEnd);
    for (const [source, lines] of minutes) addMinutes(seriesOf(series, source), lines, fileEnd, codes);
  });
  events.sort((a, b) => a.at - b.at);
  let totals: { finished: number; succeeded: number; rejected: number; exhausted: number; attempts: number; retries: number } | undefined;
  for (const { t } of lastTotalsByDir.values()) {
    totals ??= { finished: 0, succeeded: 0, rejected: 0, exhausted: 0, attempts: 0, retries: 0 };
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += t[key];
  }
  return { series, events, totals, lastAt };
}
