/**
 * Items waiting for their retry delay. They hold no slot; when the delay ends the item goes to
 * the front of its source's queue. The delay is the retry policy's (policy/retry.ts): this part
 * only keeps the timers.
 */
import type { Clock } from '../util/clock.js';
import type { TypedEmitter } from '../util/emitter.js';
import type { RunEvents } from './events.js';
import { moveItem, SETTLED } from './item-state.js';
import type { PendingItem } from './source-lane.js';

/** The retries of one run. */
export class Retries<T> {
  readonly #waiting = new Set<PendingItem<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly emitter: TypedEmitter<RunEvents>,
    /** Wakes the run when a retry is due. */
    private readonly wake: () => void,
  ) {}

  /** The item waits `delayMs`, then goes back to the front of its queue; a `retry` event says so. */
  schedule(pending: PendingItem<T>, delayMs: number, code: string, reason: string, now: number): void {
    const lane = pending.lane;
    lane.retryScheduled();
    this.#waiting.add(pending);
    const timer = this.clock.setTimeout(() => {
      this.#waiting.delete(pending);
      lane.retryEnded();
      lane.requeueFront(pending);
      this.wake();
    }, delayMs);
    moveItem(pending, { kind: 'retrying', timer });
    if (this.emitter.has('retry')) {
      this.emitter.emit('retry', { key: pending.key, position: pending.position, source: lane.name, attempt: pending.attempts, code, reason, delayMs, at: now });
    }
  }

  /** Drops every waiting retry (the run stops or fails): the items stay unfinished. */
  drop(): void {
    for (const pending of this.#waiting) {
      if (pending.state.kind === 'retrying') this.clock.clearTimeout(pending.state.timer);
      moveItem(pending, SETTLED);
      pending.lane.retryEnded();
    }
    this.#waiting.clear();
  }
}
