/**
 * The seam between the run engine and a shared cap: before a call, the engine asks a
 * {@link SlotGate} for a lease on one of its source's slots, and releases it when the call
 * settles. The in-process mode has no gate; the shared mode's gate is a Redis semaphore.
 */

/** A slot held on a shared cap; give it back with {@link release} once the call settled. */
export interface Lease {
  /** Gives the slot back (at once when Redis is reachable, else as soon as it is again). Idempotent. */
  release(): void;
  /**
   * Calls `listener` (at most once) if the lease is found lost while held: this process was
   * frozen longer than the lease's time-to-live, or Redis lost it. The holder must then abort the
   * call (another process may hold the slot now).
   */
  onLost(listener: (error: Error) => void): void;
}

/** Grants slots of per-source caps shared beyond this process. */
export interface SlotGate {
  /**
   * Resolves with a lease once fewer than `cap` leases of `source` are held (by every process
   * sharing the gate); waits while the shared state is unreachable. Rejects with the signal's
   * reason when `signal` aborts first.
   *
   * @param ttlMs how long the lease lives if its holder stops renewing it (dies): at least the
   *   call's hard deadline plus its grace time, plus a margin.
   */
  acquire(source: string, cap: number, ttlMs: number, signal: AbortSignal): Promise<Lease>;
}
