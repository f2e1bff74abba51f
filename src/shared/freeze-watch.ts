/**
 * Notices that this process was frozen (SIGSTOP, a VM pause, a long GC pause, a debugger): a
 * timer that should tick every `tickMs` finds that far more time passed since its last tick.
 * A grant read after such a gap may be stale (its lease may have expired meanwhile and its slot
 * gone to another process), so the semaphore confirms it before a call starts.
 */
import type { Clock, TimerHandle } from '../util/clock.js';

/** Watches the event loop for gaps longer than `gapMs`. */
export class FreezeWatch {
  #lastTick: number;
  /** When the last gap was noticed (or -Infinity). */
  #lastGapAt = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly gapMs: number,
  ) {
    this.#lastTick = clock.now();
    this.schedule();
  }

  /** True when a gap is under way now, or one was noticed at or after `since`. */
  frozenSince(since: number): boolean {
    const now = this.clock.now();
    return now - this.#lastTick > this.gapMs || this.#lastGapAt >= since;
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  private schedule(): void {
    this.#timer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      if (now - this.#lastTick > this.gapMs) this.#lastGapAt = now;
      this.#lastTick = now;
      this.schedule();
    }, this.tickMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
