/**
 * Where a run keeps its records: the outcome of every finished item (rejects with their code
 * and reason) and the run's metadata (caps, overrides and their reasons). The engine talks to
 * a {@link RunStore}; {@link MemoryStore} is the default. A store may be synchronous or return
 * promises: an item counts as finished only once its record is stored.
 */
import type { ResolvedCalendarOptions } from '../calendar/calendar.js';
import type { SourceKind } from '../policy/caps.js';
import type { AnnouncementRecord } from '../policy/announcement.js';

/** How an item ended. `exhausted`: transient failures until the attempts ran out. */
export type ItemOutcome = 'success' | 'reject' | 'exhausted';

/** The record of one finished item. Keys and reasons are already masked by the engine. */
export interface OutcomeRecord {
  /** Position of the item in the input, from 0. */
  readonly position: number;
  /** The item's key (the caller's `key` function, or `#position`), with national numbers masked. */
  readonly key: string;
  /** Name of the item's source. */
  readonly source: string;
  readonly outcome: ItemOutcome;
  /** Outcome code, e.g. `HTTP_404`, `MSG00005`, `CALL_TIMEOUT`. */
  readonly code?: string;
  /** Human-readable reason of a reject or of the last failure. */
  readonly reason?: string;
  /** Attempts made for the item. */
  readonly attempts: number;
  /** ISO 8601 instant of the first attempt. */
  readonly firstAttemptAt: string;
  /** ISO 8601 instant of the last attempt. */
  readonly lastAttemptAt: string;
}

/** The cap a source runs with, as kept in the run's records. */
export interface SourceRecord {
  readonly kind: SourceKind;
  readonly cap: number;
  readonly policyCap: number;
  /** The written reason of a cap above the policy cap. */
  readonly overrideReason?: string;
}

/**
 * The office-hours calendar a run keeps to, as kept in its records: its options, or that it was
 * turned off and the written reason why.
 */
export type CalendarRecord = ({ readonly enforced: true } & ResolvedCalendarOptions) | { readonly enforced: false; readonly overrideReason: string };

/** What a run tells its store when it starts. */
export interface RunMeta {
  /** ISO 8601 instant the run started. */
  readonly startedAt: string;
  readonly sources: Readonly<Record<string, SourceRecord>>;
  readonly maxConcurrency?: number;
  /** The office-hours calendar of the run. */
  readonly calendar?: CalendarRecord;
  /** Name of the batch (run option `name`); preflight finds earlier runs of a batch by it. */
  readonly name?: string;
  /** The batch's announcement to the BCSS service desk, or the written reason of its override. */
  readonly announcement?: AnnouncementRecord;
}

/** Items of one source that an earlier run over the same store finished, by outcome. */
export type OutcomeCounts = Readonly<Record<ItemOutcome, number>>;

/**
 * What a durable store remembers of an earlier run over the same input: the engine skips the
 * finished positions (no call, no second `onSuccess`) and starts its counters from `counts`.
 */
export interface ResumeState {
  /** Every position below the watermark is finished. */
  readonly watermark: number;
  /** Finished positions at or above the watermark. */
  readonly finished: readonly number[];
  /** Finished items per source and outcome. */
  readonly counts: Readonly<Record<string, OutcomeCounts>>;
}

/** Where a run appends its compliance records. */
export interface RecordsSink {
  /** Appends whole lines. @throws {StoreIoError} the file could not be written. */
  append(lines: readonly object[]): void;
  /** Syncs and closes the file. @throws {StoreIoError} the file could not be synced or closed. */
  close(): void;
}

/** Storage seam of a run. */
export interface RunStore {
  /**
   * Called once when the run starts, before any call. A durable store returns what an earlier
   * run over the same input finished, so the run resumes after it.
   */
  open(meta: RunMeta): void | ResumeState | Promise<void | ResumeState>;
  /** Called once per finished item, before the item counts as finished. */
  record(record: OutcomeRecord): void | Promise<void>;
  /**
   * Optional: called with a fingerprint of each of the first {@link FINGERPRINTED_ITEMS} items as
   * they are read, so a durable store can refuse an input that changed since the earlier run
   * (by throwing an `InputChangedError`).
   */
  verifyInput?(position: number, fingerprint: string): void;
  /** Optional: true when records should carry keys unmasked (an explicit opt-in of the store's owner). */
  readonly keepsNationalNumbers?: boolean;
  /**
   * Optional: where the run appends its compliance records (for the report for the BCSS), opened
   * once when the run starts; a store without it keeps none.
   */
  openRecords?(startedAt: number): RecordsSink;
}

/** How many items at the start of the input are fingerprinted for {@link RunStore.verifyInput}. */
export const FINGERPRINTED_ITEMS = 32;

/**
 * The default store: keeps the metadata and every non-success record in memory, and only
 * counts successes (so a run of millions of items keeps memory flat).
 */
export class MemoryStore implements RunStore {
  private runMeta: RunMeta | undefined;
  private readonly kept: OutcomeRecord[] = [];
  private readonly counts: Record<ItemOutcome, number> = { success: 0, reject: 0, exhausted: 0 };

  /** {@inheritDoc RunStore.open} */
  open(meta: RunMeta): void {
    this.runMeta = meta;
  }

  /** {@inheritDoc RunStore.record} */
  record(record: OutcomeRecord): void {
    this.counts[record.outcome]++;
    if (record.outcome !== 'success') this.kept.push(record);
  }

  /** The metadata of the run, once started. */
  meta(): RunMeta | undefined {
    return this.runMeta;
  }

  /** The records of rejected and exhausted items, in the order they finished. */
  rejects(): readonly OutcomeRecord[] {
    return this.kept;
  }

  /** How many items ended in each outcome. */
  outcomeCounts(): Readonly<Record<ItemOutcome, number>> {
    return { ...this.counts };
  }
}
