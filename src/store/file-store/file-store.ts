/**
 * The durable store: a run directory on local disk, no server needed. Rejects go to
 * append-only ledgers (one per triage route), successes to a journal, and a compact
 * checkpoint (low watermark, the few positions finished above it, counts) is replaced
 * atomically every `checkpointEvery` records and when the store closes. Appends are synced in
 * groups: every record waiting when a group starts is written and fsynced together, and its
 * `record()` resolves then — one fsync per group, not per item. After each group the seal
 * (synced lengths of the journal and the ledgers) is overwritten in place, in parallel with the
 * next group; the next group resolves once both are on disk. A run started again on the same
 * directory and input resumes after what is recorded; a file shorter than the checkpoint or the
 * seal say is damage, not a torn end.
 */
import path from 'node:path';
import { parseOptions } from '../../util/options.js';
import { InputChangedError } from '../errors.js';
import { assertReadableOptions } from '../../util/options-guard.js';
import type { OutcomeRecord, RecordsSink, ResumeState, RunMeta, RunStore } from '../store.js';
import { nextMacrotask } from '../../util/macrotask.js';
import { encodeRecord } from './framing.js';
import { DIR_MODE, FILE_MODE, storeIo, writeFileDurably, type AppendHandle, type FileSystem } from './fs.js';
import { acquireLock, LOCK_FILE, type HeldLock } from './lock.js';
import { CHECKPOINT_FILE, journalFileName, ledgerFileName, loadRunDir, type CheckpointData, type Progress } from './run-dir.js';
import { Sealer, sealSnapshot } from './sealer.js';
import { ledgerFor, type TriageRoute } from './triage.js';
import { fileStoreOptionsSchema, type FileStoreOptions } from './options.js';
import { RecordsFile } from '../records/writer.js';

export type { FileStoreOptions } from './options.js';

/** A record waiting for its group's fsync. */
interface Pending {
  /** The ledger file, or `undefined` for the journal of the generation current when the group is written. */
  readonly file: string | undefined;
  readonly line: string;
  readonly apply: (() => void) | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A {@link RunStore} in a run directory: durable ledgers, journal and checkpoint. */
export class FileStore implements RunStore {
  /** True when the ledgers keep keys unmasked. */
  readonly keepsNationalNumbers: boolean;
  private readonly handles = new Map<string, AppendHandle>();
  private readonly ledgerLengths = new Map<string, number>();
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private sinceCheckpoint = 0;
  private meta: RunMeta | undefined;
  private closed = false;
  /** Bytes of the journal of the current generation (synced once the group that wrote them is). */
  private journalLength: number;

  private constructor(
    /** The run directory. */
    readonly dir: string,
    private readonly fs: FileSystem,
    private readonly lock: HeldLock,
    private readonly progress: Progress,
    private generation: number,
    ledgerLengths: ReadonlyMap<string, number>,
    private readonly routes: readonly TriageRoute[],
    private readonly defaultLedger: string,
    private readonly checkpointEvery: number,
    keepNationalNumbers: boolean,
    journalLength: number,
    private readonly sealer: Sealer,
  ) {
    this.journalLength = journalLength;
    this.keepsNationalNumbers = keepNationalNumbers;
    for (const [ledger, length] of ledgerLengths) this.ledgerLengths.set(ledger, length);
  }

  /**
   * Opens (or creates) a run directory: takes its lock, reads its checkpoint, journal and
   * ledgers, and cuts a torn record off their ends.
   *
   * @throws {RunDirLockedError} another live process holds the directory.
   * @throws {LedgerDamagedError} a file is damaged before its end, or missing or shorter than the
   * checkpoint or the seal say (file, byte offset, expected and found lengths named); nothing is
   * changed on disk. `bcss-bulk ledger repair DIR` says what a repair would do.
   * @throws {StoreIoError} a file operation failed: no space left (`ENOSPC`), quota (`EDQUOT`),
   * read-only file system (`EROFS`), permission denied (`EACCES`), ...
   * @throws {ConfigError} a bad triage route or option.
   */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
    assertReadableOptions(options, 'file store configuration');
    const { fs, routes, defaultLedger, checkpointEvery, keepNationalNumbers } = parseOptions(fileStoreOptionsSchema, options, 'file store configuration');
    const absolute = path.resolve(dir);
    await storeIo('create the run directory', absolute, () => fs.ensureDir(absolute, DIR_MODE));
    const lock = await storeIo('create the lock file', path.join(absolute, LOCK_FILE), () => acquireLock(fs, absolute));
    try {
      const loaded = await loadRunDir(fs, absolute);
      const lengths = new Map<string, number>();
      for (const scanned of [loaded.journal, ...loaded.ledgers.values()]) {
        // Synced even when nothing is cut: what the seal will record must be on disk first.
        if (scanned !== undefined) await storeIo('cut the torn end of a file', scanned.file, () => cutTornEnd(fs, scanned.file, scanned.validEnd, scanned.length));
      }
      for (const [ledger, scanned] of loaded.ledgers) lengths.set(ledger, scanned.validEnd);
      for (const leftover of loaded.leftovers) await storeIo('remove a leftover file', leftover, () => fs.remove(leftover));
      const journalLength = loaded.journal?.validEnd ?? 0;
      const ledgerNames = new Set([...lengths.keys(), defaultLedger, ...routes.map((route) => route.ledger)]);
      const snapshot = sealSnapshot({ generation: loaded.generation, journal: journalLength, ledgers: lengths, completed: loaded.progress.completed(), next: loaded.progress.next });
      const sealer = await Sealer.create(fs, absolute, ledgerNames, snapshot, loaded.seal?.data.seq ?? 0);
      const store = new FileStore(absolute, fs, lock, loaded.progress, loaded.generation, lengths, routes, defaultLedger, checkpointEvery, keepNationalNumbers, journalLength, sealer);
      return store;
    } catch (error) {
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  /** Called once when the run starts: writes a checkpoint with the run's metadata and returns what earlier runs over this directory finished. */
  async open(meta: RunMeta): Promise<ResumeState> {
    this.meta = meta;
    await this.serialized(() => this.writeCheckpoint());
    return this.progress.resumeState();
  }

  /** Called once per finished item; resolves once the record is on disk (its group fsynced). */
  record(record: OutcomeRecord): Promise<void> {
    if (record.outcome === 'success') {
      return this.append(undefined, { t: 's', p: record.position, s: record.source }, () => {
        this.progress.add(record.position, record.source, 'success');
      });
    }
    const ledger = ledgerFor(record, this.routes, this.defaultLedger);
    return this.append(ledgerFileName(ledger), record, () => {
      this.progress.add(record.position, record.source, record.outcome);
    });
  }

  /** {@inheritDoc RunStore.openRecords} @throws {StoreIoError} the records file could not be created. */
  openRecords(startedAt: number): RecordsSink {
    return new RecordsFile(this.dir, startedAt);
  }

  /** {@inheritDoc RunStore.verifyInput} @throws {InputChangedError} when the item differs from the earlier run's. */
  verifyInput(position: number, fingerprint: string): void {
    const known = this.progress.fingerprints[position];
    if (known !== undefined) {
      if (known !== fingerprint) {
        throw new InputChangedError(`Item #${position} of the input differs from item #${position} of the run recorded in ${this.dir}: the input changed, so its positions cannot be trusted`);
      }
      return;
    }
    if (position !== this.progress.fingerprints.length) return;
    this.progress.addFingerprint(position, fingerprint);
    // Not awaited: a failure is kept and fails every later record, so it is not lost.
    this.append(undefined, { t: 'f', p: position, h: fingerprint }, undefined).catch(() => undefined);
  }

  /** Items finished so far (recorded and synced), with counts per source and outcome. */
  status(): ResumeState & { readonly completed: number } {
    return { ...this.progress.resumeState(), completed: this.progress.completed() };
  }

  /** Waits for every pending record, writes a last checkpoint, closes the files and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flushing;
      if (this.failure === undefined) await this.serialized(() => this.writeCheckpoint());
      if (this.failure === undefined) await this.sealer.settled();
    } finally {
      await this.sealer.close().catch(() => undefined);
      for (const handle of this.handles.values()) await handle.close().catch(() => undefined);
      this.handles.clear();
      await this.lock.release();
    }
    if (this.failure !== undefined) throw this.failure;
  }

  // ── Group commit ───────────────────────────────────────────────────────────

  private append(file: string | undefined, value: unknown, apply: (() => void) | undefined): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error(`The file store of ${this.dir} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ file, line: encodeRecord(value), apply, resolve, reject });
      // A group starts one turn later, so the records of the I/O callbacks of this turn join it.
      // Not setImmediate: a test that fakes timers (vitest's defaults) would never let it run.
      this.flushing ??= nextMacrotask().then(() => this.flush());
    });
  }

  /** Writes and syncs groups until the queue is empty; a checkpoint between groups when due. */
  private async flush(): Promise<void> {
    let group: Pending[] = [];
    try {
      while (this.queue.length > 0) {
        group = this.queue;
        this.queue = [];
        const byFile = new Map<string, string[]>();
        for (const pending of group) {
          const file = pending.file ?? journalFileName(this.generation);
          const lines = byFile.get(file);
          if (lines === undefined) byFile.set(file, [pending.line]);
          else lines.push(pending.line);
        }
        const touched: [string, AppendHandle][] = [];
        for (const [file, lines] of byFile) {
          const handle = await this.handle(file);
          const data = Buffer.from(lines.join(''));
          await storeIo('append records', path.join(this.dir, file), () => handle.append(data));
          if (file.startsWith('ledger-')) this.ledgerLengths.set(ledgerNameOf(file), (this.ledgerLengths.get(ledgerNameOf(file)) ?? 0) + data.length);
          else this.journalLength += data.length;
          touched.push([path.join(this.dir, file), handle]);
        }
        // The seal of the previous group was started when it ended: both on disk before this group resolves.
        await Promise.all([...touched.map(([file, handle]) => storeIo('sync records', file, () => handle.sync())), this.sealer.settled()]);
        for (const pending of group) pending.apply?.();
        for (const pending of group) pending.resolve();
        this.sinceCheckpoint += group.length;
        group = [];
        if (this.sinceCheckpoint >= this.checkpointEvery) await this.writeCheckpoint();
        else this.seal();
      }
    } catch (error) {
      this.failure = error;
      for (const pending of [...group, ...this.queue]) pending.reject(error);
      this.queue = [];
    } finally {
      this.flushing = undefined;
    }
  }

  /** Starts writing the seal of the synced state (awaited by the next group, or by `close()`). */
  private seal(): void {
    this.sealer.write(
      sealSnapshot({ generation: this.generation, journal: this.journalLength, ledgers: this.ledgerLengths, completed: this.progress.completed(), next: this.progress.next }),
    );
  }

  /** Runs `task` when no group is being written (appends wait for it). */
  private async serialized(task: () => Promise<void>): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.failure !== undefined) throw this.failure;
    const running = task();
    this.flushing = running.then(
      () => undefined,
      (error: unknown) => {
        this.failure = error;
      },
    );
    try {
      await running;
    } finally {
      this.flushing = undefined;
      if (this.queue.length > 0) this.flushing = this.flush();
    }
  }

  private async handle(file: string): Promise<AppendHandle> {
    let handle = this.handles.get(file);
    if (handle === undefined) {
      const full = path.join(this.dir, file);
      const opened = await storeIo('create a file', full, () => this.fs.openAppend(full, FILE_MODE));
      await storeIo('sync the run directory', this.dir, () => this.fs.syncDir(this.dir)); // the new file's name is durable before its records count
      handle = opened;
      this.handles.set(file, handle);
    }
    return handle;
  }

  /**
   * Replaces the checkpoint with the synced state and starts a new journal generation; the
   * journal of the old one is removed once the new checkpoint is durable.
   */
  private async writeCheckpoint(): Promise<void> {
    const next = this.generation + 1;
    const ledgers: Record<string, number> = {};
    for (const [ledger, length] of this.ledgerLengths) ledgers[ledger] = length;
    const state = this.progress.resumeState();
    const data: CheckpointData = {
      format: 1,
      generation: next,
      watermark: state.watermark,
      finished: state.finished,
      counts: state.counts,
      fingerprints: [...this.progress.fingerprints],
      ledgers,
      ...(this.meta === undefined ? {} : { meta: this.meta }),
      sealed: true,
      writtenAt: new Date().toISOString(),
    };
    const file = path.join(this.dir, CHECKPOINT_FILE);
    await storeIo('write the checkpoint', file, () => writeFileDurably(this.fs, file, encodeRecord(data)));
    const oldJournal = journalFileName(this.generation);
    this.generation = next;
    this.journalLength = 0;
    this.sinceCheckpoint = 0;
    const old = this.handles.get(oldJournal);
    this.handles.delete(oldJournal);
    await old?.close();
    await storeIo('remove the journal covered by the checkpoint', path.join(this.dir, oldJournal), () => this.fs.remove(path.join(this.dir, oldJournal)));
    this.seal();
  }
}

function ledgerNameOf(file: string): string {
  return file.slice('ledger-'.length, -'.log'.length);
}

/** Cuts a torn record off the end of a file, so new records follow the last valid one, and syncs it. */
async function cutTornEnd(fs: FileSystem, file: string, validEnd: number, length: number): Promise<void> {
  const handle = await fs.openAppend(file, FILE_MODE);
  try {
    if (validEnd < length) await handle.truncate(validEnd);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
