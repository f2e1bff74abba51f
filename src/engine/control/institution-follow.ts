/**
 * A run in shared mode follows its institution (see shared/institution.ts): an institution-wide
 * pause pauses it (origin `institution`), its lifting resumes it (under the minimum pause); a
 * pause of one source stops that source's new calls only; a run started while the institution
 * is paused waits (state `waiting`, reason `institution`) and starts when it is lifted. The run
 * reads the pauses on each message of the namespace's channel and every `INSTITUTION_POLL_MS` of
 * real time (the bound when a message is lost), and keeps its entry in the registry of live runs fresh.
 */
import { hostname } from 'node:os';
import type { Clock } from '../../util/clock.js';
import { realInterval, realMonotonicNow } from '../../util/real-time.js';
import { RunFailedError } from '../../util/errors.js';
import { reasonOf } from '../../util/reason.js';
import { Institution, type InstitutionPause, type InstitutionState, type LiveRunEntry } from '../../shared/institution.js';
import type { ResolvedShared } from '../../shared/shared-options.js';
import type { ControlRequest, RunState } from '../state-machine.js';
import type { RunStatus } from '../status.js';

/** How often a run reads the institution's pauses besides the pub/sub messages: the bound on its reaction, in ms. */
export const INSTITUTION_POLL_MS = 1_000;

/** What the follower needs of its run. */
export interface FollowedRun {
  readonly state: RunState;
  readonly name: string | undefined;
  status(): RunStatus;
  pause(request: ControlRequest): void;
  resume(request: ControlRequest): Date;
}

/** What the follower needs of the engine. */
export interface FollowEngine {
  /** The sources' lanes: `pausedByInstitution` stops a source's new calls. */
  readonly lanes: { readonly list: readonly { readonly name: string; pausedByInstitution: boolean }[] };
  pump(): void;
  /** A run held before its first call: goes `waiting` (reason `institution`). */
  hold(message: string): void;
  fail(error: RunFailedError): void;
}

const describe = (pause: InstitutionPause) => `paused by ${pause.by} at ${new Date(pause.at).toISOString()}${pause.reason === undefined ? '' : `: ${pause.reason}`}`;

/** The link of one run to its institution. */
export class InstitutionFollow {
  readonly #host = hostname();
  #institution: Institution | undefined;
  #state: InstitutionState = { all: undefined, sources: {} };
  #heldStart: (() => void) | undefined;
  #cancelTimer: (() => void) | undefined;
  #reading = false;
  #closed = false;
  /** Real time (ms) of the last registry entry written: the poll and the refresh run on a real timer (a fake clock runs a night in seconds). */
  #lastPublishedReal = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly shared: ResolvedShared,
    private readonly clock: Clock,
    private readonly run: FollowedRun,
    private readonly engine: FollowEngine,
    private readonly refreshMs: number,
    private readonly realNow: () => number = realMonotonicNow,
  ) {}

  /** Connects, listens to the channel and reads the pauses once. */
  async open(): Promise<void> {
    const institution = (this.#institution = await Institution.open(this.shared.redis, this.shared.namespace, this.shared.maxReconnectDelayMs));
    await institution.onChange(() => this.refresh());
    this.#state = await institution.read();
  }

  /** Before the first call: `go` now, or once the institution-wide pause is lifted. */
  begin(go: () => void): void {
    const all = this.#state.all;
    if (all !== undefined) {
      this.#heldStart = go;
      this.engine.hold(`the institution is ${describe(all)}; the run starts when it is resumed`);
    } else {
      go();
    }
    this.apply();
    this.arm();
  }

  /** Why a local resumption is refused (the institution is paused), if it is. */
  resumeRefused(): string | undefined {
    const all = this.#state.all;
    return all === undefined ? undefined : `the institution is ${describe(all)}; resume it with bcss-bulk resume --redis URL --namespace ${this.shared.namespace}`;
  }

  /** The run's state changed: refresh its registry entry. */
  changed(): void {
    if (!this.#closed) this.publish();
  }

  /** Removes the registry entry and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer?.();
    const institution = this.#institution;
    if (institution === undefined) return;
    try {
      if (institution.available) await institution.removeLive({ host: this.#host, pid: process.pid, runName: this.shared.runName });
    } catch (error) {
      if (!institution.isOutage(error)) throw error; // Redis went away: the entry expires by its time to live
    } finally {
      await institution.close();
    }
  }

  private arm(): void {
    this.#cancelTimer = realInterval(() => {
      if (this.#closed) return;
      this.refresh();
      if (this.realNow() - this.#lastPublishedReal >= this.refreshMs) this.publish();
    }, INSTITUTION_POLL_MS);
  }

  /** Reads the pauses and applies them (Redis down: the shared mode already holds every call, and the next read after its return catches up). */
  private refresh(): void {
    const institution = this.#institution;
    if (institution === undefined || this.#reading || this.#closed || !institution.available) return;
    this.#reading = true;
    institution.read().then(
      (state) => {
        this.#reading = false;
        if (this.#closed) return;
        this.#state = state;
        this.apply();
      },
      (error: unknown) => {
        this.#reading = false;
        if (!institution.isOutage(error)) this.engine.fail(new RunFailedError('SHARED_STATE', `The institution's pauses could not be read: ${reasonOf(error)}`, { cause: error }));
      },
    );
  }

  /** Applies the pauses read last. */
  private apply(): void {
    const { all, sources } = this.#state;
    let released = false;
    for (const lane of this.engine.lanes.list) {
      const held = sources[lane.name] !== undefined;
      if (lane.pausedByInstitution && !held) released = true;
      lane.pausedByInstitution = held;
    }
    const state = this.run.state;
    if (all !== undefined) {
      if (state === 'running' || (state === 'waiting' && this.#heldStart === undefined)) this.run.pause({ origin: 'institution', reason: all.reason ?? `institution-wide pause by ${all.by}` });
    } else if (this.#heldStart !== undefined) {
      const go = this.#heldStart;
      this.#heldStart = undefined;
      if (state === 'waiting') go();
    } else if (state === 'paused' && this.run.status().pausedBy?.origin === 'institution') {
      this.run.resume({ origin: 'institution', reason: 'the institution-wide pause was lifted' });
    }
    if (released) this.engine.pump();
  }

  private publish(): void {
    const institution = this.#institution;
    if (institution === undefined || !institution.available) return;
    const now = this.clock.now();
    this.#lastPublishedReal = this.realNow();
    const status = this.run.status();
    const sources: Record<string, { inFlight: number; cap: number; queued: number }> = {};
    for (const [name, source] of Object.entries(status.sources)) sources[name] = { inFlight: source.inFlight, cap: source.cap, queued: source.queued };
    const name = this.run.name;
    const entry: LiveRunEntry = {
      host: this.#host,
      pid: process.pid,
      runName: this.shared.runName,
      ...(name === undefined ? {} : { name }),
      state: status.state,
      ...(status.pauseReason === undefined ? {} : { pauseReason: status.pauseReason }),
      sources,
      finished: status.totals.finished,
      at: now,
    };
    institution.publishLive(entry, 3 * this.refreshMs + 4_000).catch((error: unknown) => {
      if (!institution.isOutage(error) && !this.#closed) this.engine.fail(new RunFailedError('SHARED_STATE', `The run's entry in the registry of live runs could not be written: ${reasonOf(error)}`, { cause: error }));
    });
  }
}
