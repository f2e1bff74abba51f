/**
 * The intake of a run: reads the input ahead (at most `prefetch` items waiting), skips what an
 * earlier run over the same store finished (resuming), checks the first items' fingerprints,
 * asks the precheck, and queues each item in its source's lane.
 */
import { reasonOf } from '../util/reason.js';
import { RunFailedError } from '../util/errors.js';
import { maskNationalNumbers } from '../util/privacy.js';
import type { YieldBudget } from '../util/yield-budget.js';
import type { PrecheckFailure } from '../policy/classify.js';
import { InputChangedError } from '../store/errors.js';
import { itemFingerprint } from '../store/fingerprint.js';
import { FINGERPRINTED_ITEMS, type ResumeState, type RunStore } from '../store/store.js';
import type { ResolvedRunOptions } from './config.js';
import { openInput, type InputReader, type Read } from './input.js';
import { QUEUED } from './item-state.js';
import type { Lanes } from './lanes.js';
import type { Lifecycle } from './lifecycle.js';
import type { PendingItem } from './source-lane.js';

/** What the intake needs of its run. */
export interface IntakeContext<T> {
  readonly lifecycle: Lifecycle;
  /** Items read and not yet dispatched or stored: queued, waiting for a retry, being stored. */
  waiting(): number;
  /** Finishes an item the precheck refused, as a reject. */
  refuse(pending: PendingItem<T>, code: string, reason: string): void;
  fail(error: RunFailedError): void;
  pump(): void;
}

/** The settings the intake reads. */
export type IntakeOptions<T> = Pick<ResolvedRunOptions<T, unknown>, 'input' | 'sourceOf' | 'key' | 'precheck' | 'prefetch'>;

/** Reads the input of one run. */
export class Intake<T> {
  #reader: InputReader<T> | undefined;
  #reading = false;
  #exhausted = false;
  #read = 0;
  /** Positions an earlier run over the same store finished (skipped here), when resuming. */
  #resumed: { readonly watermark: number; readonly finished: ReadonlySet<number>; readonly last: number } | undefined;

  constructor(
    private readonly options: IntakeOptions<T>,
    private readonly store: RunStore,
    private readonly lanes: Lanes<T>,
    private readonly budget: YieldBudget,
    private readonly run: IntakeContext<T>,
  ) {}

  /** Items read from the input so far. */
  get read(): number {
    return this.#read;
  }

  /** True once every item of the input has been read. */
  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** True while an asynchronous read is pending. */
  get reading(): boolean {
    return this.#reading;
  }

  /** Opens the input (at start). */
  open(): void {
    this.#reader = openInput(this.options.input);
  }

  /** Closes the input (the run ended). */
  close(): void {
    void this.#reader?.close().catch(() => undefined);
  }

  /** Takes over what an earlier run over the same store finished; false when the run failed on it. */
  resumeFrom(state: ResumeState): boolean {
    for (const [source, counts] of Object.entries(state.counts)) {
      const lane = this.lanes.get(source);
      if (lane === undefined) {
        this.run.fail(new InputChangedError(`The store records items of source '${source}', which is not configured (configured: ${this.lanes.names()})`));
        return false;
      }
      lane.resumed(counts);
    }
    const finished = new Set(state.finished);
    let last = state.watermark - 1;
    for (const position of finished) if (position > last) last = position;
    this.#resumed = { watermark: state.watermark, finished, last };
    return true;
  }

  /** Reads items until `prefetch` of them wait (queued or for a retry), or the input ends. */
  readAhead(): void {
    const reader = this.#reader;
    if (reader === undefined || this.#exhausted || this.#reading) return;
    const state = this.run.lifecycle.state;
    if (state !== 'running' && state !== 'paused' && state !== 'waiting') return;
    // Items whose record is still being stored count too: a long run of items refused by the
    // precheck, with an asynchronous store, must not pile up without bound.
    while (this.run.waiting() < this.options.prefetch) {
      if (!reader.sync) {
        this.#reading = true;
        reader.next().then(
          (result) => {
            this.#reading = false;
            if (this.run.lifecycle.final) return;
            this.accept(result);
            this.run.pump();
          },
          (error: unknown) => {
            this.#reading = false;
            this.run.fail(inputFailure(error));
          },
        );
        return;
      }
      if (this.budget.spend()) {
        this.budget.yieldThen(() => this.run.pump());
        return;
      }
      let result: Read<T>;
      try {
        result = reader.next();
      } catch (error) {
        this.run.fail(inputFailure(error));
        return;
      }
      if (!this.accept(result)) return;
    }
  }

  /** Queues an item read from the input in its source's lane; false when there is nothing more to read. */
  private accept(result: Read<T>): boolean {
    if (result.done) {
      this.#exhausted = true;
      if (this.#resumed !== undefined && this.#resumed.last >= this.#read) {
        this.run.fail(new InputChangedError(`The input has ${this.#read} items, but the store records item #${this.#resumed.last} as finished: the input changed since the run it resumes`));
      }
      return false;
    }
    const position = this.#read++;
    const item = result.value;
    let name: string;
    let key: string;
    let rawKey: string | undefined;
    try {
      if (position < FINGERPRINTED_ITEMS && this.store.verifyInput !== undefined) this.verifyInput(item, position);
      if (this.#resumed !== undefined && (position < this.#resumed.watermark || this.#resumed.finished.has(position))) return true;
      name = this.options.sourceOf(item);
      if (this.options.key === undefined) key = `#${position}`;
      else {
        const raw = String(this.options.key(item, position));
        key = maskNationalNumbers(raw);
        if (raw !== key) rawKey = raw; // whole for the caller's own code (onSuccess), and for a store whose owner opted in
      }
    } catch (error) {
      if (error instanceof RunFailedError) this.run.fail(error);
      else this.run.fail(new RunFailedError('PROGRAMMER_ERROR', `The source or key function threw for item #${position}: ${reasonOf(error)}`, { cause: error }));
      return false;
    }
    const lane = this.lanes.get(name);
    if (lane === undefined) {
      this.run.fail(new RunFailedError('UNKNOWN_SOURCE', `Item #${position} belongs to source '${maskNationalNumbers(String(name))}', which is not configured (configured: ${this.lanes.names()})`));
      return false;
    }
    const pending: PendingItem<T> = {
      item,
      position,
      key,
      rawKey, // always present (possibly undefined): one object shape for every item
      lane,
      attempts: 0,
      firstAttemptAt: 0,
      lastAttemptAt: 0,
      state: QUEUED,
      outAt: -1,
    };
    if (this.options.precheck !== undefined && this.refusedByPrecheck(pending)) return !this.run.lifecycle.final;
    lane.enqueue(pending);
    return true;
  }

  /** Asks the precheck about an item; a refused item is finished as a reject with 0 attempts, before any call. */
  private refusedByPrecheck(pending: PendingItem<T>): boolean {
    let refused: PrecheckFailure | undefined;
    try {
      refused = this.options.precheck?.(pending.item);
    } catch (error) {
      this.run.fail(new RunFailedError('PROGRAMMER_ERROR', `The precheck function threw for item ${pending.key}: ${reasonOf(error)}`, { cause: error }));
      return true;
    }
    if (refused === undefined) return false;
    this.run.refuse(pending, String(refused.code), maskNationalNumbers(String(refused.reason)));
    return true;
  }

  /** Hands the store the fingerprint of one of the first items; the store throws when it differs from its earlier run's. */
  private verifyInput(item: T, position: number): void {
    const identity = this.options.key === undefined ? undefined : String(this.options.key(item, position));
    this.store.verifyInput?.(position, itemFingerprint(item, position, identity));
  }
}

/** The failure of a run whose input could not be read. */
function inputFailure(error: unknown): RunFailedError {
  if (error instanceof RunFailedError && error.outcomeCode === 'INPUT_ERROR') return error; // already says what broke (src/input-protocol.ts)
  return new RunFailedError('INPUT_ERROR', `Reading the input failed: ${reasonOf(error)}`, { cause: error });
}
