/**
 * The run's control from outside its code, put together: the live files of its run directory
 * (only when its store is a `FileStore`; a `MemoryStore` run has none), the `AbortSignal` of
 * `createRun({ signal })`, and, in shared mode, the institution-wide pause and the registry of
 * live runs. One narrow context to the run: its own pause, resume and stop, its status.
 */
import type { Clock } from '../../util/clock.js';
import { RunFailedError } from '../../util/errors.js';
import { reasonOf } from '../../util/reason.js';
import { FileStore } from '../../store/file-store/file-store.js';
import type { RunStore } from '../../store/store.js';
import type { ResolvedShared } from '../../shared/shared-options.js';
import type { Lifecycle } from '../lifecycle.js';
import { isFinal } from '../state-machine.js';
import type { ResolvedLiveControl } from './control-options.js';
import { InstitutionFollow, type FollowEngine } from './institution-follow.js';
import { LiveControl, type LiveControlRun } from './live-control.js';

/** What the control needs of its run: its public control methods. */
export type ControlledRun = Omit<LiveControlRun, 'resumeRefused' | 'fail'>;

/** What the control needs of the engine. */
export interface ControlEngine extends Omit<FollowEngine, 'hold'> {
  readonly lifecycle: Lifecycle;
}

/** The settings the control reads. */
export interface ControlSettings {
  readonly control: ResolvedLiveControl | false;
  readonly signal?: AbortSignal | undefined;
  readonly shared?: ResolvedShared | undefined;
}

/** The control of one run. */
export class RunControl {
  #live: LiveControl | undefined;
  #institution: InstitutionFollow | undefined;
  #unlinkSignal: (() => void) | undefined;

  constructor(
    private readonly run: ControlledRun,
    private readonly engine: ControlEngine,
    private readonly clock: Clock,
    private readonly settings: ControlSettings,
    private readonly store: RunStore,
  ) {}

  /**
   * The store is open: starts the live files and the institution link, links the abort signal,
   * then calls `go` (which starts calling), unless the institution holds the run. An aborted
   * signal stops the run instead; a failure fails it.
   */
  begin(go: () => void): void {
    this.linkSignal();
    const { control, shared } = this.settings;
    const refreshMs = control === false ? 2_000 : control.refreshMs;
    const opening: Promise<void>[] = [];
    if (control !== false && this.store instanceof FileStore) {
      this.#live = new LiveControl(this.store.dir, this.clock, this.liveRun(), control);
      opening.push(this.#live.open());
    }
    if (shared !== undefined) {
      const engine = this.engine;
      const lifecycle = engine.lifecycle;
      const hold = (message: string) => lifecycle.asking({ origin: 'institution', reason: message }, () => lifecycle.to('waiting', 'institution'));
      this.#institution = new InstitutionFollow(shared, this.clock, this.run, { lanes: engine.lanes, pump: () => engine.pump(), fail: (error) => engine.fail(error), hold }, refreshMs);
      opening.push(this.#institution.open());
    }
    if (opening.length === 0) return this.go(go); // nothing to open: the run starts in this very turn, as without control
    Promise.all(opening).then(
      () => this.go(go),
      (error: unknown) => this.engine.fail(new RunFailedError('CONTROL_FAILED', `The run's control could not start: ${reasonOf(error)}`, { cause: error })),
    );
  }

  /** The run's state changed. */
  changed(): void {
    this.#live?.changed();
    this.#institution?.changed();
  }

  /** The run ended: unlinks the signal, writes the final snapshot, leaves the registry of live runs. */
  async close(): Promise<void> {
    this.#unlinkSignal?.();
    this.#unlinkSignal = undefined;
    try {
      await Promise.all([this.#live?.close(), this.#institution?.close()]);
    } catch (error) {
      throw new RunFailedError('CONTROL_FAILED', `The run's control could not close (final live status, registry of live runs): ${reasonOf(error)}`, { cause: error });
    }
  }

  /** The run as the live control sees it. */
  private liveRun(): LiveControlRun {
    const run = this.run;
    return {
      get state() {
        return run.state;
      },
      get name() {
        return run.name;
      },
      status: () => run.status(),
      pause: (request) => run.pause(request),
      resume: (request) => run.resume(request),
      stop: (options) => run.stop(options),
      fail: (error) => this.engine.fail(error),
      resumeRefused: () => this.#institution?.resumeRefused(),
    };
  }

  private go(go: () => void): void {
    if (this.run.state !== 'idle') return; // stopped (or failed) meanwhile
    if (this.settings.signal?.aborted === true) return void this.abort();
    if (this.#institution !== undefined) this.#institution.begin(go);
    else go();
  }

  private linkSignal(): void {
    const signal = this.settings.signal;
    if (signal === undefined || this.#unlinkSignal !== undefined) return;
    const onAbort = () => this.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#unlinkSignal = () => signal.removeEventListener('abort', onAbort);
  }

  /** The run's signal aborted: a graceful stop (calls in flight finish). */
  private abort(): void {
    if (isFinal(this.run.state)) return;
    const reason = this.settings.signal?.reason;
    void this.run.stop({ origin: 'signal', reason: `the run's AbortSignal was aborted${reason === undefined ? '' : `: ${reason instanceof Error ? reason.message : String(reason)}`}` });
  }
}
