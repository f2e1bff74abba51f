/**
 * The items whose attempt is out (calling, or waiting for a shared slot): added when an attempt
 * starts, removed when it ends, listed when a stop or a failure cuts them all. An array with
 * each item's index on the item itself, so that adding and removing cost no hashing and no
 * allocation: a Map by position cost, at every call, as much as the rest of a dispatch (its set
 * and delete, in a CPU profile of a run of calls resolving at once).
 */

/** An item that can be out: it carries its index in the list (-1 when not out). */
export interface OutItem {
  outAt: number;
}

/** The items out, in no particular order. */
export class OutList<P extends OutItem> {
  readonly #items: P[] = [];

  /** Adds `item` (no-op when already out). */
  add(item: P): void {
    if (item.outAt >= 0) return;
    item.outAt = this.#items.length;
    this.#items.push(item);
  }

  /** Removes `item` (no-op when not out). */
  delete(item: P): void {
    const at = item.outAt;
    if (at < 0) return;
    item.outAt = -1;
    const last = this.#items.pop()!;
    if (last !== item) {
      this.#items[at] = last;
      last.outAt = at;
    }
  }

  get size(): number {
    return this.#items.length;
  }

  /** A copy of the items out (safe to change the list while going through it). */
  snapshot(): P[] {
    return this.#items.slice();
  }
}
