/**
 * The run's yield budget. A run whose calls resolve without I/O (a cache, a stub, a fake
 * service) and whose input is a generator works in one unbroken chain of promise callbacks: the
 * event loop never turns, so no timer runs, no heartbeat beats and a `stop()` set on a timer
 * never comes. The budget bounds such a chain: after {@link YIELD_EVERY_ITEMS} steps of work or
 * {@link YIELD_AFTER_MS} of real time, whichever comes first, the run hands the event loop a
 * turn (an immediate: after the I/O callbacks, before the next round of timers).
 *
 * The turn is taken with the real `setImmediate`, also when a test's fake timers replaced the
 * global one (vitest's `vi.useFakeTimers()` fakes it by default): a turn of the event loop is
 * not time, and a run must not hang until a test ticks fake timers. Time is read from the run's
 * clock: real milliseconds on the system clock; on a fake clock (or under fake timers) the
 * budget then depends only on virtual time and steps, so a test's run yields at the same
 * points every time. While a turn is pending it is counted in a registry shared by every copy
 * of the package (`Symbol.for`), so that a `FakeClock` waits for it before it moves time on.
 */
import type { Clock } from './clock.js';

/** Steps of work (an item read, a call settled: about two per item) after which the run yields, whatever the time. */
export const YIELD_EVERY_ITEMS = 5_000;
/** Milliseconds of continuous work (on the run's clock) after which the run yields. */
export const YIELD_AFTER_MS = 10;
/** Steps between two looks at the time (a look costs more than a step). */
const TIME_CHECK_EVERY = 32;

type Immediate = (callback: () => void) => unknown;

/** `setImmediate` as it was when this module was loaded (the real one, unless fake timers were already installed). */
const loadedSetImmediate: Immediate = globalThis.setImmediate;

/**
 * The real `setImmediate`: the one fake timers keep on their clock when they replaced the
 * global one (`@sinonjs/fake-timers`, which vitest uses, stores it as `clock._setImmediate`),
 * else the one seen when this module was loaded.
 */
function realSetImmediate(): Immediate {
  const faked = loadedSetImmediate as Immediate & { clock?: Record<string, unknown> };
  const original = faked.clock?.['_setImmediate'];
  return typeof original === 'function' ? (original as Immediate) : loadedSetImmediate;
}

/** Turns of the event loop that runs have asked for and not yet had, shared by every copy of the package. */
const registry: { pending: number } = ((globalThis as Record<symbol, unknown>)[Symbol.for('bcss-bulk.pending-yields')] ??= { pending: 0 }) as { pending: number };

/** How many runs wait for the turn of the event loop they yielded (a fake clock lets them have it before it moves time). */
export function pendingYields(): number {
  return registry.pending;
}

/** Counts a stretch of work and says when it is time to give the event loop a turn. */
export class YieldBudget {
  private steps = 0;
  private since: number;
  private pending = false;

  constructor(
    private readonly clock: Clock,
    private readonly everyItems = YIELD_EVERY_ITEMS,
    private readonly afterMs = YIELD_AFTER_MS,
  ) {
    this.since = clock.now();
  }

  /** True while a turn is scheduled: the work waits for it. */
  get yielding(): boolean {
    return this.pending;
  }

  /** Counts one step of work; true when the budget is spent and the caller should {@link yieldThen}. */
  spend(): boolean {
    if (this.pending) return true;
    const steps = ++this.steps;
    if (steps >= this.everyItems) return true;
    return steps % TIME_CHECK_EVERY === 0 && this.clock.now() - this.since >= this.afterMs;
  }

  /** Gives the event loop a turn, then starts a new budget and calls `resume` (once, however often it is asked). */
  yieldThen(resume: () => void): void {
    if (this.pending) return;
    this.pending = true;
    registry.pending++;
    realSetImmediate()(() => {
      registry.pending--;
      this.pending = false;
      this.steps = 0;
      this.since = this.clock.now();
      resume();
    });
  }
}
