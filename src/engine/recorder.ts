/**
 * The run's compliance recorder: measures, where calls start (the caller's function is invoked)
 * and where they end (its promise settles), per source and per second the peak of calls in
 * flight and the calls started; counts per minute and code the rejects and retries; and keeps
 * the events that change what the run may do (state changes with their reasons, overload
 * cooldowns, stalls...). It appends them to the store's records file (see
 * store/records/format.ts) a minute at a time, so a run of millions of calls keeps about a
 * megabyte of records, and a report read while the run is live sees up to the last minute.
 * A store without records (MemoryStore) gets none: the hooks then cost one test.
 */
import { hostname } from 'node:os';
import type { Clock } from '../util/clock.js';
import { reasonOf } from '../util/reason.js';
import { RunFailedError } from '../util/errors.js';
import type { RecordsSink, RunMeta, RunStore } from '../store/store.js';
import { encodeCounts, encodeSeconds, RECORDS_VERSION, type MetaLine, type MinuteLine, type PlanRecord, type RecordsLine } from '../store/records/format.js';
import type { RunEvents } from './events.js';
import { isFinal, type RunState } from './state-machine.js';

const MINUTE_MS = 60_000;
/** How often the totals are written (and at the end). */
const TOTALS_EVERY_MS = 10 * MINUTE_MS;

/** The events kept whole in the records (their payloads carry the reasons). */
const KEPT_EVENTS = ['state', 'source-paused', 'source-resumed', 'stalled', 'resume-scheduled', 'shared-unavailable', 'shared-restored'] as const;

/** One source's minute being measured. */
class SourceMinute {
  inFlight = 0;
  /** Last second of the minute with an event (-1: none yet). */
  last = -1;
  readonly peaks = new Array<number>(60).fill(0);
  readonly starts = new Array<number>(60).fill(0);
  rejects: CodeCounts | undefined;
  exhausted: CodeCounts | undefined;
  retries: CodeCounts | undefined;

  constructor(readonly source: string) {}

  /** Moves to second `second` of the minute: the seconds since the last event had the calls in flight then. */
  touch(second: number): void {
    for (let s = this.last + 1; s <= second; s++) this.peaks[s] = this.inFlight;
    if (second > this.last) this.last = second;
  }

  /** The minute's line (undefined when nothing happened), then a fresh minute. */
  take(minute: number): MinuteLine | undefined {
    const { last } = this;
    if (last < 0 && this.rejects === undefined && this.exhausted === undefined && this.retries === undefined) return undefined;
    let started = last + 1;
    while (started > 0 && this.starts[started - 1] === 0) started--;
    const line: MinuteLine = {
      k: 'min',
      s: this.source,
      m: minute,
      p: encodeSeconds(this.peaks.slice(0, last + 1)),
      c: encodeSeconds(this.starts.slice(0, started)),
      e: this.inFlight,
      ...(this.rejects === undefined ? {} : { r: encodeCounts(this.rejects) }),
      ...(this.exhausted === undefined ? {} : { x: encodeCounts(this.exhausted) }),
      ...(this.retries === undefined ? {} : { t: encodeCounts(this.retries) }),
    };
    this.starts.fill(0, 0, last + 1);
    this.last = -1;
    this.rejects = this.exhausted = this.retries = undefined;
    return line;
  }
}

/** Counts by code number. */
type CodeCounts = Map<number, number>;

function count(counts: CodeCounts | undefined, code: number): CodeCounts {
  const into = counts ?? new Map<number, number>();
  into.set(code, (into.get(code) ?? 0) + 1);
  return into;
}

/** What the recorder needs of its run. */
export interface RecorderContext {
  /** Subscribes to a run event. */
  on<K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void): unknown;
  /** The records could not be written: the run fails (called later, never inside a hook). */
  fail(error: RunFailedError): void;
}

/** The figures of the run's options the records keep. */
export interface RecorderSettings {
  readonly minPauseMs: number;
  readonly maxRejectRatio: number | false;
  readonly plan: PlanRecord | undefined;
}

/** The recorder's settings from a run's validated options. */
export function recorderSettings(options: { readonly minPauseMs: number; readonly rejectBudget: false | { readonly maxRatio: number }; readonly plan?: PlanRecord | undefined }): RecorderSettings {
  return { minPauseMs: options.minPauseMs, maxRejectRatio: options.rejectBudget === false ? false : options.rejectBudget.maxRatio, plan: options.plan };
}

/** Records one run's compliance figures into its store's records file. */
export class Recorder {
  #sink: RecordsSink | undefined;
  #minute = 0;
  #totalsAt = Number.NEGATIVE_INFINITY;
  readonly #codes = new Map<string, number>();
  readonly #sources = new Map<string, SourceMinute>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: RecorderSettings,
    private readonly run: RecorderContext,
  ) {}

  /**
   * Opens the store's records (when it keeps some) as the run starts, and writes the metadata.
   * @throws {StoreIoError} the records file could not be created or written.
   */
  open(store: RunStore, meta: RunMeta, now: number): void {
    if (store.openRecords === undefined || this.#sink !== undefined) return;
    const sink = store.openRecords(now);
    const { minPauseMs, maxRejectRatio, plan } = this.settings;
    const line: MetaLine = { k: 'meta', v: RECORDS_VERSION, pid: process.pid, host: hostname(), meta, minPauseMs, maxRejectRatio, ...(plan === undefined ? {} : { plan }) };
    sink.append([line]);
    this.#sink = sink;
    this.#minute = now - (now % MINUTE_MS);
    for (const event of KEPT_EVENTS) this.run.on(event, (payload) => this.write([{ ...payload, k: 'ev', e: event }]));
    this.run.on('reject', (record) => {
      const source = this.minuteOf(record.source, this.clock.now());
      if (record.outcome === 'exhausted') source.exhausted = count(source.exhausted, this.codeOf(record.code));
      else source.rejects = count(source.rejects, this.codeOf(record.code));
    });
    this.run.on('retry', (retry) => {
      const source = this.minuteOf(retry.source, retry.at);
      source.retries = count(source.retries, this.codeOf(retry.code));
    });
    this.run.on('progress', (status) => this.progress(status.at, status.state, status.totals));
  }

  /** True while the records are open (a store that keeps records, a run not yet ended). */
  get recording(): boolean {
    return this.#sink !== undefined;
  }

  /** A call of `source` starts (the caller's function is about to be invoked). */
  started(source: string, now: number): void {
    if (this.#sink === undefined) return;
    const minute = this.minuteOf(source, now);
    const second = this.secondOf(now);
    minute.touch(second);
    minute.starts[second]!++;
    if (++minute.inFlight > minute.peaks[second]!) minute.peaks[second] = minute.inFlight;
  }

  /** A call of `source` ended (its promise settled). */
  ended(source: string, now: number): void {
    if (this.#sink === undefined) return;
    const minute = this.minuteOf(source, now);
    minute.touch(this.secondOf(now));
    minute.inFlight--;
  }

  /** The second of the current minute (a clock stepped back counts in the minute's first second). */
  private secondOf(now: number): number {
    return Math.max(0, Math.floor((now - this.#minute) / 1000));
  }

  /** The number of an outcome code in the records (its `code` line written the first time). */
  private codeOf(code: string | undefined): number {
    const name = code ?? 'UNKNOWN';
    let number = this.#codes.get(name);
    if (number === undefined) {
      this.#codes.set(name, (number = this.#codes.size));
      this.write([{ k: 'code', i: number, c: name }]);
    }
    return number;
  }

  /** The source's minute at `now`, after writing the minutes before it. */
  private minuteOf(source: string, now: number): SourceMinute {
    if (now - this.#minute >= MINUTE_MS) this.roll(now);
    let minute = this.#sources.get(source);
    if (minute === undefined) this.#sources.set(source, (minute = new SourceMinute(source)));
    return minute;
  }

  /** Writes the current minute of every source, and moves to `now`'s minute. */
  private roll(now: number): void {
    const lines: RecordsLine[] = [];
    for (const minute of this.#sources.values()) {
      const line = minute.take(this.#minute);
      if (line !== undefined) lines.push(line);
    }
    this.#minute = now - (now % MINUTE_MS);
    this.write(lines);
  }

  /** Each progress: the minutes passed, the totals every ten minutes, and everything at the end. */
  private progress(at: number, state: RunState, totals: MinuteTotals): void {
    if (this.#sink === undefined) return;
    if (at - this.#minute >= MINUTE_MS) this.roll(at);
    const final = isFinal(state);
    if (final || at - this.#totalsAt >= TOTALS_EVERY_MS) {
      this.#totalsAt = at;
      const { finished, succeeded, rejected, exhausted, attempts, retries } = totals;
      this.write([{ k: 'totals', at, t: { finished, succeeded, rejected, exhausted, attempts, retries } }]);
    }
    if (!final) return;
    this.roll(at);
    const sink = this.#sink;
    this.#sink = undefined; // calls abandoned by a stop may still end: nothing more is written
    try {
      sink?.close();
    } catch (error) {
      this.failed(error);
    }
  }

  private write(lines: readonly RecordsLine[]): void {
    try {
      this.#sink?.append(lines);
    } catch (error) {
      this.#sink = undefined;
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    queueMicrotask(() => this.run.fail(new RunFailedError('STORE_FAILED', `The compliance records could not be written: ${reasonOf(error)}`, { cause: error })));
  }
}

/** The totals a progress carries. */
type MinuteTotals = RunEvents['progress']['totals'];
