/**
 * The lanes of a run, one per source: found by name, summed over, and taken in turn by the
 * dispatcher. Only reads the lanes' books; each lane writes its own.
 */
import type { Clock } from '../util/clock.js';
import type { OverloadOptions } from '../policy/overload.js';
import type { ResolvedSource } from '../policy/source.js';
import { SourceLane, type SourceStatus } from './source-lane.js';

/** A counter of a lane that the run sums. */
export type Counter = 'inFlight' | 'finishing' | 'retrying' | 'succeeded' | 'rejected' | 'exhausted' | 'attempts' | 'retries' | 'queued';

/** The lanes of one run. */
export class Lanes<T> {
  readonly #byName = new Map<string, SourceLane<T>>();
  /** The lanes in the order of the configuration. */
  readonly list: readonly SourceLane<T>[];

  constructor(sources: Iterable<ResolvedSource>, overload: OverloadOptions | false) {
    for (const config of sources) this.#byName.set(config.name, new SourceLane<T>(config, overload));
    this.list = [...this.#byName.values()];
  }

  /** The lane of source `name`, if configured. */
  get(name: string): SourceLane<T> | undefined {
    return this.#byName.get(name);
  }

  /** The configured sources' names, for messages. */
  names(): string {
    return [...this.#byName.keys()].join(', ');
  }

  /** A counter summed over the lanes. */
  sum(counter: Counter): number {
    let total = 0;
    for (const lane of this.list) total += lane[counter];
    return total;
  }

  /** Items waiting, for the read-ahead: queued or waiting for a retry (one pass, named reads: it runs per item read). */
  waiting(): number {
    let total = 0;
    for (const lane of this.list) total += lane.queued + lane.retrying;
    return total;
  }

  /** Slots taken, for the global cap: calls out and items being finished (one pass, named reads: it runs per dispatch). */
  occupied(): number {
    let total = 0;
    for (const lane of this.list) total += lane.inFlight + lane.lingering + lane.finishing;
    return total;
  }

  /** Items the run holds, for the end check: all of them (`held`), or only the calls in flight (while stopping). */
  held(stopping: boolean): number {
    let held = 0;
    for (const lane of this.list) held += stopping ? lane.inFlight : lane.held();
    return held;
  }

  /** Calls out (including requests given up on that still run at the server) or being finished, per source (only sources with some). */
  busy(): Record<string, number> {
    const busy: Record<string, number> = {};
    for (const lane of this.list) {
      const out = lane.inFlight + lane.lingering + lane.finishing;
      if (out > 0) busy[lane.name] = out;
    }
    return busy;
  }

  /** Each lane's snapshot. */
  status(now: number): Record<string, SourceStatus> {
    const sources: Record<string, SourceStatus> = {};
    for (const lane of this.list) sources[lane.name] = lane.status(now);
    return sources;
  }

  /** Stops every cooldown timer (the run ended). */
  clearCooldowns(clock: Clock): void {
    for (const lane of this.list) lane.clearCooldown(clock);
  }
}
