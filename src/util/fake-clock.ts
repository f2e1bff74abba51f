/**
 * A fake {@link Clock} for tests: time moves only when the test says so, and timers fire in
 * order of their due time, with pending promise callbacks settled between two timers. Hours of
 * schedule run in milliseconds, without real sleeps.
 */
import type { Clock, TimerHandle } from './clock.js';
import { pendingYields } from './yield-budget.js';
import { driveUntilSettled, loopTurn, openSettler, waitForIdle, type IdleOptions, type Settler } from './io-idle.js';

/** A timer of a {@link FakeClock}; the object itself is the handle `setTimeout` returns. */
class Timer {
  cancelled = false;

  constructor(
    readonly id: number,
    readonly at: number,
    readonly callback: () => void,
  ) {}
}

/**
 * Lets every pending promise callback run (one turn of the real event loop, through a message
 * port: it works the same when a test fakes `setImmediate`).
 */
export async function flushPromises(): Promise<void> {
  const settle = openSettler();
  try {
    await settle();
  } finally {
    settle.close();
  }
}

/** Options of a {@link FakeClock}. */
export interface FakeClockOptions extends IdleOptions {
  /**
   * Before moving time to the next timer, wait until the I/O the code under test started is
   * idle (no file, network or DNS request in flight, no `setImmediate` pending), so a run with a
   * `FileStore`, a CSV input or an `onSuccess` that writes a file keeps exact fake time. Turn it
   * off only for simulations without I/O that fire millions of timers (it costs about 2 µs per
   * timer).
   * @defaultValue true
   */
  readonly waitForIo?: boolean;
}

/** Options of {@link FakeClock.runUntilSettled}. */
export interface RunUntilSettledOptions {
  /**
   * Timers to fire before giving up with an error (a schedule that never ends).
   * @defaultValue 1000000
   */
  readonly maxTimers?: number;
  /**
   * Real milliseconds to wait, when no timer is pending and nothing is in flight, for the
   * promise to settle (or for a timer to be set) before failing: the promise can then never
   * settle on this clock.
   * @defaultValue 2000
   */
  readonly stuckAfterMs?: number;
}

/**
 * Fake clock with manual time. `advance()` moves time and fires the timers that fall due;
 * {@link FakeClock.runUntilSettled} runs a whole job. Before each move it waits until the I/O
 * the code under test started is idle, so fake time stays exact: a call of 5 s takes 5 s of
 * fake time, however long the disk takes.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private heap: Timer[] = [];
  private readonly options: FakeClockOptions;

  /**
   * @param start the initial time, as a `Date` or ms since epoch (default 2026-01-05T20:00:00Z, a Monday evening).
   * @param options waiting for I/O before each move of time (on by default).
   */
  constructor(start: Date | number = Date.UTC(2026, 0, 5, 20, 0, 0), options: FakeClockOptions = {}) {
    this.time = typeof start === 'number' ? start : start.getTime();
    this.options = options;
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
      await this.idle(settle);
      for (;;) {
        this.dropCancelled();
        const next = this.heap[0];
        if (next === undefined || next.at > end) break;
        this.pop();
        this.time = Math.max(this.time, next.at);
        next.callback();
        await this.idle(settle);
      }
      this.time = Math.max(this.time, end);
      await this.idle(settle);
    } finally {
      settle.close();
    }
  }

  /**
   * Fires timers one after the other, moving time to each, until none is left or `until()`
   * returns true (checked after each timer, once the I/O is idle). Throws after `maxTimers`
   * timers, to catch a schedule that never ends. To run a job to its end, prefer
   * {@link runUntilSettled}: it also waits for I/O when no timer is pending yet.
   */
  async runUntil(until: () => boolean = () => false, maxTimers = 1_000_000): Promise<void> {
    const settle = openSettler();
    try {
      await this.idle(settle);
      for (let fired = 0; !until(); fired++) {
        if (fired >= maxTimers) throw new Error(`FakeClock.runUntil: still running after ${maxTimers} timers`);
        this.dropCancelled();
        const next = this.pop();
        if (next === undefined) return;
        this.time = Math.max(this.time, next.at);
        next.callback();
        await this.idle(settle);
      }
    } finally {
      settle.close();
    }
  }

  /**
   * Runs the clock until `promise` settles, and returns its value (or throws its error): waits
   * until the code under test and the I/O it started are idle, fires the next timer (moving
   * time to it), and again. Hours of schedule run in milliseconds, with exact fake time.
   *
   * ```ts
   * const summary = await clock.runUntilSettled(run.start());
   * ```
   *
   * @throws {Error} when the promise is still pending while no timer is pending and nothing is
   * in flight for `stuckAfterMs` of real time (it cannot settle on this clock), after
   * `maxTimers` timers, or when the I/O stays busy longer than the clock's `ioTimeoutMs`.
   */
  async runUntilSettled<V>(promise: PromiseLike<V>, options: RunUntilSettledOptions = {}): Promise<V> {
    const settle = openSettler();
    try {
      return await driveUntilSettled(
        promise,
        {
          idle: () => this.idle(settle),
          pending: () => this.pendingTimers(),
          fireNext: () => {
            this.dropCancelled();
            const next = this.pop()!;
            this.time = Math.max(this.time, next.at);
            next.callback();
          },
        },
        { who: 'FakeClock.runUntilSettled', noTimer: 'no timer is pending on this clock', hint: '. Is the code under test on this clock?' },
        options,
      );
    } finally {
      settle.close();
    }
  }

  /**
   * One turn of the event loop, then (unless turned off) until the I/O is idle. Without the wait
   * for I/O, a run that gave the event loop a turn (its yield budget) still has it before time
   * moves on: it would otherwise dispatch at a later instant than it should.
   */
  private async idle(settle: Settler): Promise<void> {
    if (this.options.waitForIo !== false) return waitForIdle(this.options);
    await settle();
    while (pendingYields() > 0) await loopTurn();
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
