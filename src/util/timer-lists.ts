/**
 * Timers for the system clock, cheap to set and to cancel. A run sets a timeout timer for
 * every call and cancels it when the call settles; with Node's own timers that pair costs
 * about 0.8 µs, a third of the engine's time per item when calls are fast (CPU profile,
 * issue 8). Here the timers of one delay wait in a list in order of due time, behind a single
 * Node timer armed for the earliest of them; cancelling only marks the entry, and cancelled
 * entries are swept out once they are half the list, so memory stays bounded.
 */
import { MAX_TIMER_MS } from './time.js';

/** One timer: the handle `set` returns. */
class Entry {
  cancelled = false;

  constructor(
    readonly list: TimerList,
    readonly due: number,
    readonly callback: () => void,
  ) {}
}

/** The timers of one delay, in order of due time (they were set in that order). */
interface TimerList {
  readonly delay: number;
  entries: Entry[];
  /** Index of the first entry not yet fired or swept. */
  head: number;
  /** Cancelled entries still in `entries` after `head`. */
  cancelled: number;
  nodeTimer: ReturnType<typeof setTimeout> | undefined;
  /** True while its due entries run: the Node timer is armed once they are done. */
  firing: boolean;
}

/** Sweep cancelled entries once there are this many and they are half the list. */
const SWEEP_AT = 64;

/** A set of timers grouped by delay, each group behind one Node timer. */
export class TimerLists {
  private readonly lists = new Map<number, TimerList>();

  /** Calls `callback` once, `ms` from now (Node's rules: a delay below 1 or above 2^31 − 1 ms is 1 ms). */
  set(callback: () => void, ms: number): unknown {
    const delay = ms >= 1 && ms <= MAX_TIMER_MS ? ms : 1;
    let list = this.lists.get(delay);
    if (list === undefined) {
      list = { delay, entries: [], head: 0, cancelled: 0, nodeTimer: undefined, firing: false };
      this.lists.set(delay, list);
    }
    const entry = new Entry(list, performance.now() + delay, callback);
    list.entries.push(entry);
    if (list.nodeTimer === undefined && !list.firing) this.arm(list, delay);
    return entry;
  }

  /** Cancels a timer; a timer that already fired, or an unknown handle, is ignored. */
  clear(handle: unknown): void {
    if (!(handle instanceof Entry) || handle.cancelled) return;
    handle.cancelled = true;
    const list = handle.list;
    if (this.lists.get(list.delay) !== list) return; // already fired: its list is gone or renewed
    list.cancelled++;
    const live = list.entries.length - list.head;
    if (list.cancelled === live) {
      this.drop(list);
      return;
    }
    if (list.cancelled >= SWEEP_AT && list.cancelled * 2 >= live) this.sweep(list);
  }

  /** Number of timers set and not yet fired nor cancelled. */
  pending(): number {
    let count = 0;
    for (const list of this.lists.values()) count += list.entries.length - list.head - list.cancelled;
    return count;
  }

  private arm(list: TimerList, ms: number): void {
    list.nodeTimer = setTimeout(() => this.fire(list), Math.max(1, Math.ceil(ms)));
  }

  /** Runs the entries that are due, then arms the Node timer for the next one (or drops the list). */
  private fire(list: TimerList): void {
    list.nodeTimer = undefined;
    list.firing = true;
    const now = performance.now();
    try {
      while (list.head < list.entries.length) {
        const entry = list.entries[list.head]!;
        if (entry.cancelled) {
          list.head++;
          list.cancelled--;
          continue;
        }
        if (entry.due > now) break;
        list.head++;
        entry.cancelled = true; // fired: a later clear() is a no-op
        entry.callback();
      }
    } finally {
      list.firing = false;
      this.rearm(list, now);
    }
  }

  private rearm(list: TimerList, now: number): void {
    if (list.nodeTimer !== undefined) return;
    if (list.head >= list.entries.length) {
      if (this.lists.get(list.delay) === list) this.lists.delete(list.delay);
      return;
    }
    if (list.head >= SWEEP_AT && list.head * 2 >= list.entries.length) {
      list.entries = list.entries.slice(list.head);
      list.head = 0;
    }
    this.arm(list, list.entries[list.head]!.due - now);
  }

  private sweep(list: TimerList): void {
    list.entries = list.entries.slice(list.head).filter((entry) => !entry.cancelled);
    list.head = 0;
    list.cancelled = 0;
  }

  private drop(list: TimerList): void {
    if (list.nodeTimer !== undefined) clearTimeout(list.nodeTimer);
    list.nodeTimer = undefined;
    this.lists.delete(list.delay);
  }
}
