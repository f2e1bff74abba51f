/**
 * A fake {@link Clock} for tests: time moves only when the test says so, and timers fire in
 * order of their due time, with pending promise callbacks settled between two timers. Hours of
 * schedule run in milliseconds, without real sleeps.
 */
import { MessageChannel } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../clock.js';

/** A timer of a {@link FakeClock}; the object itself is the handle `setTimeout` returns. */
class Timer {
  cancelled = false;

  constructor(
    readonly id: number,
    readonly at: number,
    readonly callback: () => void,
  ) {}
}

const realSetImmediate = globalThis.setImmediate;

/** Lets every pending promise callback run (one turn of the real event loop). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** A {@link flushPromises} that can be called many times in a row, and must be closed after. */
interface Settler {
  (): Promise<void>;
  close(): void;
}

/**
 * Opens a settler: each call resolves once every pending promise callback has run, like
 * {@link flushPromises}, but through a message on a private `MessageChannel` (a macrotask
 * about four times cheaper than `setImmediate`), which matters when a simulation fires a
 * million timers. The channel keeps the process alive while open: close it when done.
 */
function openSettler(): Settler {
  const { port1, port2 } = new MessageChannel();
  const waiting: Array<() => void> = [];
  port1.on('message', () => waiting.shift()?.());
  const settle = (() =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      port2.postMessage(null);
    })) as Settler;
  settle.close = () => {
    port1.close();
    port2.close();
    for (const resolve of waiting.splice(0)) resolve();
  };
  return settle;
}

/** Fake clock with manual time. `advance()` moves time and fires the timers that fall due. */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private heap: Timer[] = [];

  /** @param start the initial time, as a `Date` or ms since epoch (default 2026-01-05T20:00:00Z, a Monday evening). */
  constructor(start: Date | number = Date.UTC(2026, 0, 5, 20, 0, 0)) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  /** The fake time, in ms since the epoch. */
  now(): number {
    return this.time;
  }

  /** Calls `callback` once the fake time has moved `ms` forward (a negative or non-finite delay counts as 0). */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = new Timer(++this.seq, this.time + Math.max(0, Number.isFinite(ms) ? ms : 0), callback);
    this.push(timer);
    return timer;
  }

  /** Cancels a timer; cancelling a timer that already fired, or an unknown handle, does nothing. */
  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof Timer) handle.cancelled = true;
  }

  /** Resolves after `ms` of fake time (a timer on this clock). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Number of timers not yet fired nor cancelled. */
  pendingTimers(): number {
    let count = 0;
    for (const timer of this.heap) if (!timer.cancelled) count++;
    return count;
  }

  /** Due time of the next timer (ms since epoch), or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due in order, and settling
   * pending promises after each one and at the end.
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  /** Moves time forward to `target` (a `Date` or ms since epoch); see {@link advance}. */
  async advanceTo(target: Date | number): Promise<void> {
    const end = typeof target === 'number' ? target : target.getTime();
    const settle = openSettler();
    try {
      await settle();
      for (;;) {
        this.dropCancelled();
        const next = this.heap[0];
        if (next === undefined || next.at > end) break;
        this.pop();
        this.time = Math.max(this.time, next.at);
        next.callback();
        await settle();
      }
      this.time = Math.max(this.time, end);
      await settle();
    } finally {
      settle.close();
    }
  }

  /**
   * Fires timers one after the other, moving time to each, until none is left or `until()`
   * returns true (checked after each timer). Throws after `maxTimers` timers, to catch a
   * schedule that never ends.
   */
  async runUntil(until: () => boolean = () => false, maxTimers = 1_000_000): Promise<void> {
    const settle = openSettler();
    try {
      await settle();
      for (let fired = 0; !until(); fired++) {
        if (fired >= maxTimers) throw new Error(`FakeClock.runUntil: still running after ${maxTimers} timers`);
        this.dropCancelled();
        const next = this.pop();
        if (next === undefined) return;
        this.time = Math.max(this.time, next.at);
        next.callback();
        await settle();
      }
    } finally {
      settle.close();
    }
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private before(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
