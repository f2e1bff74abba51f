/**
 * The run's control from outside its code, put together: the live files of its run directory
 * (only when its store is a `FileStore`; a `MemoryStore` run has none), the `AbortSignal` of
 * `createRun({ signal })`, and (shared mode) the institution-wide pause. One narrow context
 * to the run: its own pause, resume and stop, its status, its failure.
 */
import type { Clock } from '../../util/clock.js';
import { RunFailedError } from '../../util/errors.js';
import { reasonOf } from '../../util/reason.js';
import { FileStore } from '../../store/file-store/file-store.js';
import type { RunStore } from '../../store/store.js';
import { isFinal } from '../state-machine.js';
import type { ResolvedLiveControl } from './control-options.js';
import { LiveControl, type LiveControlRun } from './live-control.js';

/** What the control needs of its run: its public control methods. */
export type ControlledRun = Omit<LiveControlRun, 'resumeRefused' | 'fail'>;

/** The settings the control reads. */
export interface ControlSettings {
  readonly control: ResolvedLiveControl | false;
  readonly signal?: AbortSignal | undefined;
}

/** The control of one run. */
export class RunControl {
  #live: LiveControl | undefined;
  #unlinkSignal: (() => void) | undefined;

  constructor(
    private readonly run: ControlledRun,
    private readonly fail: (error: RunFailedError) => void,
    private readonly clock: Clock,
    private readonly settings: ControlSettings,
    private readonly store: RunStore,
  ) {}

  /**
   * The store is open: starts the live files, links the abort signal, then calls `go` (which
   * starts calling). An aborted signal stops the run instead; a failure fails it.
   */
  begin(go: () => void): void {
    this.linkSignal();
    const control = this.settings.control;
    if (control === false || !(this.store instanceof FileStore)) {
      this.go(go);
      return;
    }
    const live = (this.#live = new LiveControl(this.store.dir, this.clock, this.liveRun(), control));
    live.open().then(
      () => this.go(go),
      (error: unknown) => this.fail(new RunFailedError('CONTROL_FAILED', `The live control could not start in ${this.store instanceof FileStore ? this.store.dir : ''}: ${reasonOf(error)}`, { cause: error })),
    );
  }

  /** The run's state changed. */
  changed(): void {
    this.#live?.changed();
  }

  /** The run ended: unlinks the signal, writes the final snapshot. */
  async close(): Promise<void> {
    this.#unlinkSignal?.();
    this.#unlinkSignal = undefined;
    try {
      await this.#live?.close();
    } catch (error) {
      throw new RunFailedError('CONTROL_FAILED', `The final live status could not be written: ${reasonOf(error)}`, { cause: error });
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
      fail: (error) => this.fail(error),
      resumeRefused: () => undefined,
    };
  }

  private go(go: () => void): void {
    if (this.run.state !== 'idle') return; // stopped (or failed) meanwhile
    if (this.settings.signal?.aborted === true) return void this.abort();
    go();
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
    void this.run.stop({ origin: 'signal', reason: `the run's AbortSignal was aborted${reason === undefined ? '' : `: ${reasonOf(reason)}`}` });
  }
}
