/**
 * One process's demand for the slots of one source (under one set of lease terms): the items
 * waiting here, first come first served, and the tickets this process has in the source's Redis
 * queue. A ticket is a place in the queue for "one slot for this process", not for a given item:
 * whichever item waits longest here gets the slot a ticket brings. So a slot kept by this process
 * for its next item needs no Redis round trip at all: the ticket that item would have issued is
 * already in line, and the item that takes its place in the queue here inherits it.
 *
 * The semaphore (redis-semaphore.ts) keeps as many tickets as items waiting: it issues one when
 * an item comes and none is spare, and withdraws the newest when items leave (served by a kept
 * slot, or aborted) and none came back by the next turn of the event loop.
 */
import type { Lease } from './slot-gate.js';

/** An item waiting for a slot. */
export interface Waiter {
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
  readonly resolve: (lease: Lease) => void;
  readonly reject: (error: unknown) => void;
}

/** A place in the source's Redis queue. */
export interface Ticket {
  readonly demand: Demand;
  /** The sequence number of its current entry in Redis (a new one each time it is queued again). */
  seq: number;
  /** When its current entry was queued (a grant read after a freeze since then is confirmed first). */
  queuedAt: number;
  /** True while the acquire loop runs for it. */
  issuing: boolean;
}

/** The waiters and tickets of one source and lease terms. */
export class Demand {
  readonly waiters: Waiter[] = [];
  readonly tickets = new Set<Ticket>();
  /** True while a withdrawal of surplus tickets is scheduled. */
  trimScheduled = false;

  constructor(
    readonly source: string,
    readonly cap: number,
    readonly ttlMs: number,
  ) {}

  /** The key of a source and lease terms. */
  static key(source: string, cap: number, ttlMs: number): string {
    return `${source}\u0000${cap}\u0000${ttlMs}`;
  }

  /** Tickets beyond the waiters (negative: tickets to issue). */
  get surplus(): number {
    return this.tickets.size - this.waiters.length;
  }

  /** Removes a waiter (aborted); false when it was no longer waiting. */
  remove(waiter: Waiter): boolean {
    const at = this.waiters.indexOf(waiter);
    if (at < 0) return false;
    this.waiters.splice(at, 1);
    return true;
  }

  /** The newest `count` tickets that are queued in Redis (not being issued), newest first. */
  newestQueued(count: number): Ticket[] {
    return [...this.tickets]
      .filter((ticket) => !ticket.issuing)
      .sort((a, b) => b.seq - a.seq)
      .slice(0, Math.max(0, count));
  }
}
