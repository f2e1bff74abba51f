/**
 * The run's driving loop: one turn reads ahead, dispatches what the caps allow and checks the
 * end. Re-entrant requests (a call that settles synchronously, a store that records at once)
 * are folded into one more turn, and the event loop gets its turn every so often (the yield
 * budget), so that timers, heartbeats and stop() run even when calls resolve without I/O.
 */
import type { YieldBudget } from '../util/yield-budget.js';

/** Runs `turn` on request, never re-entrantly. */
export class Pump {
  #pumping = false;
  #again = false;

  constructor(
    private readonly budget: YieldBudget,
    private readonly turn: () => void,
  ) {}

  /** Runs a turn now, or once more after the current one, or after the event loop's turn. */
  run(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    if (this.budget.spend()) {
      this.budget.yieldThen(() => this.run()); // the event loop's turn first: timers, heartbeats, stop()
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        this.turn();
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
  }
}
