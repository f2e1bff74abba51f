/**
 * An in-process fake service for tests of a run: a `call` function that takes fake time
 * (latency on the injected clock), answers what the test decides per item and attempt,
 * honours the abort signal, and records the peak of simultaneous calls per source, so a test
 * can assert that the caps were never exceeded and were fully used.
 */
import type { Clock } from '../util/clock.js';
import type { CallContext } from '../engine/config.js';

/** Settings of a {@link RecordingService}. */
export interface RecordingServiceOptions<T, R> {
  /**
   * The clock the latency runs on (the run's clock).
   * @defaultValue none: required
   */
  readonly clock: Clock;
  /**
   * Latency of a call in ms, fixed or per item and attempt (default 100).
   * @defaultValue `100`
   */
  readonly latencyMs?: number | ((item: T, context: CallContext) => number);
  /**
   * The answer: return the value, or throw to make the call fail. Default: returns the item.
   * @defaultValue returns the item
   */
  readonly respond?: (item: T, context: CallContext) => R;
}

/** What the service saw of one source. */
export interface SourceRecording {
  inFlight: number;
  peak: number;
  calls: number;
}

/** A fake service that records concurrency. Pass `service.call` as the run's `call`. */
export class RecordingService<T, R = T> {
  private readonly bySource = new Map<string, SourceRecording>();
  private total = 0;
  private totalPeak = 0;
  private readonly callsPerItem = new Map<number, number>();

  constructor(private readonly options: RecordingServiceOptions<T, R>) {}

  /** The call function to give to the run. */
  readonly call = (item: T, context: CallContext): Promise<R> => {
    const recording = this.recording(context.source);
    recording.inFlight++;
    recording.calls++;
    recording.peak = Math.max(recording.peak, recording.inFlight);
    this.total++;
    this.totalPeak = Math.max(this.totalPeak, this.total);
    this.callsPerItem.set(context.position, (this.callsPerItem.get(context.position) ?? 0) + 1);
    const latency = typeof this.options.latencyMs === 'function' ? this.options.latencyMs(item, context) : (this.options.latencyMs ?? 100);
    const signal = context.signal;
    return new Promise<R>((resolve, reject) => {
      const done = () => {
        recording.inFlight--;
        this.total--;
      };
      const onAbort = () => {
        this.options.clock.clearTimeout(timer);
        done();
        reject(signal.reason);
      };
      const timer = this.options.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        done();
        try {
          resolve(this.options.respond === undefined ? (item as unknown as R) : this.options.respond(item, context));
        } catch (error) {
          reject(error);
        }
      }, latency);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** Peak of simultaneous calls seen for a source (0 if never called). */
  peak(source: string): number {
    return this.bySource.get(source)?.peak ?? 0;
  }

  /** Peak of simultaneous calls across all sources. */
  peakTotal(): number {
    return this.totalPeak;
  }

  /** Calls received for a source. */
  calls(source?: string): number {
    if (source !== undefined) return this.bySource.get(source)?.calls ?? 0;
    let sum = 0;
    for (const r of this.bySource.values()) sum += r.calls;
    return sum;
  }

  /** Calls in progress now, for a source or in all. */
  inFlight(source?: string): number {
    return source === undefined ? this.total : (this.bySource.get(source)?.inFlight ?? 0);
  }

  /** How many calls the item at `position` received. */
  callsFor(position: number): number {
    return this.callsPerItem.get(position) ?? 0;
  }

  private recording(source: string): SourceRecording {
    let recording = this.bySource.get(source);
    if (recording === undefined) {
      recording = { inFlight: 0, peak: 0, calls: 0 };
      this.bySource.set(source, recording);
    }
    return recording;
  }
}
