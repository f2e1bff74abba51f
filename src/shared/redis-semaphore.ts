/**
 * A counting semaphore with leases, in Redis, shared by every process of a namespace (see
 * semaphore-scripts.ts for the keys and the scripts). What it guarantees:
 *
 * - A lease lives `ttlMs` after its last renewal; the engine asks for a TTL that covers the
 *   call's hard deadline, its grace time and a margin, so a lease never expires while its call may
 *   still be at the server, unless its holder froze (or died) for longer than the TTL.
 * - Holders renew every lease while they live (every third of the TTL, at most every
 *   `renewEveryMs`). A renewal that finds the lease gone (the holder froze past its TTL, or Redis
 *   lost it outside a recovery window) never re-adds it: the lease is lost, its call is aborted.
 * - Every lease is numbered by a fencing counter: a late release or renewal only ever touches its
 *   own lease, never a slot now held by someone else.
 * - A slot freed by a call while this process has another item waiting for the same source stays
 *   with this process, with no Redis round trip (see {@link KEEP_MS}, the fairness bound);
 *   otherwise the release hands it to the oldest live waiter (any process), and it reaches that
 *   waiter through a blocking pop on the waiter's own list: no polling, first come first served
 *   between processes.
 * - After a freeze, a grant is confirmed before a call starts on it.
 * - A Redis server that changed (restarted, possibly empty, or a replica promoted) opens a
 *   recovery window: no new lease, while running calls re-register theirs.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../util/clock.js';
import { LeaseLostError, SharedStateError } from './errors.js';
import { FreezeWatch } from './freeze-watch.js';
import { GrantListener } from './grant-listener.js';
import type { RedisConnection } from './redis-connection.js';
import type { Lease, SlotGate } from './slot-gate.js';
import { SemaphoreCalls, type AcquireReply } from './semaphore-calls.js';

export { SEMAPHORE_SCRIPTS } from './semaphore-scripts.js';

export { namespaceKey } from './semaphore-calls.js';

/** Options of a {@link RedisSemaphore}. */
export interface RedisSemaphoreOptions {
  readonly namespace: string;
  /** Recovery window after the Redis server changed (restart, failover), in ms. */
  readonly recoveryMs: number;
  /** Longest wait between two checks for slots freed by expiry (not by release: those are handed off at once), in ms. */
  readonly pollMs: number;
  readonly clock: Clock;
  /** Called with an error that is not an outage (the run fails on it). */
  readonly onFatal: (error: Error) => void;
  /** Longest interval between two renewals of a lease, in ms. */
  readonly renewEveryMs?: number;
}

/** While waiting: interval of the alive refresh and of the checks for slots freed by expiry, at most, in ms. */
const NUDGE_MS = 250;
/** Longest interval between two renewals of a lease, in ms (a frozen holder finds its lease lost within this after waking). */
const RENEW_MS = 1_000;
/**
 * The fairness bound of a kept slot, in ms. A slot that came to this process through Redis may go
 * on, with no Redis round trip, to this process's next items of the same source for this long;
 * the first release after that goes through Redis, which hands the slot to the oldest waiter of
 * any process. So a waiter of another process waits at most this plus one call per slot for its
 * turn in the first-come queue.
 */
export const KEEP_MS = 100;

interface Held {
  readonly member: string;
  readonly source: string;
  readonly cap: number;
  readonly ttlMs: number;
  timer: TimerHandle | undefined;
  lost: boolean;
  /** When the slot came to this process through Redis (kept slots go back to Redis {@link KEEP_MS} after). */
  readonly grantedAt: number;
  readonly lostListeners: ((error: Error) => void)[];
}

interface Waiter {
  readonly source: string;
  readonly cap: number;
  readonly ttlMs: number;
  readonly signal: AbortSignal;
  seq: number;
  queuedAt: number;
  /** True while {@link RedisSemaphore.tryAcquire} runs for it. */
  trying: boolean;
  readonly resolve: (lease: Lease) => void;
  readonly reject: (error: unknown) => void;
}

/** Per-source caps shared by every process that uses the same Redis and namespace. */
export class RedisSemaphore implements SlotGate {
  private readonly calls: SemaphoreCalls;
  private sequence = 0;
  private readonly held = new Map<string, Held>();
  /** Local waiters queued in Redis, by their sequence number. */
  private readonly waiters = new Map<number, Waiter>();
  /** Every wait queued in Redis and not yet answered, by sequence number (a late grant is given back to its source). */
  private readonly issued = new Map<number, { readonly source: string; readonly cap: number }>();
  /** Leases whose release failed while Redis was down, released when it is back. */
  private readonly toRelease = new Map<string, { readonly source: string; readonly cap: number }>();
  /** Slots just freed by a call and kept for this process's next item (given back to Redis on the next turn of the event loop if none asks). */
  private readonly spare: Held[] = [];
  private readonly listener: GrantListener;
  private readonly freeze: FreezeWatch;
  private nudgeTimer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisSemaphoreOptions,
  ) {
    const calls = (this.calls = new SemaphoreCalls(connection, options.namespace, randomUUID(), options.recoveryMs));
    this.listener = new GrantListener(connection.client, calls.grantsKey, (seq, member) => this.granted(seq, member));
    this.freeze = new FreezeWatch(options.clock, 200, 1_000);
    connection.onAvailability((available) => {
      calls.forgetServer();
      if (available) this.restore();
    });
  }

  /** {@inheritDoc SlotGate.acquire} */
  acquire(source: string, cap: number, ttlMs: number, signal: AbortSignal): Promise<Lease> {
    signal.throwIfAborted();
    if (this.closed) return Promise.reject(new SharedStateError('The shared mode was closed'));
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { source, cap, ttlMs, signal, seq: 0, queuedAt: 0, trying: false, resolve, reject };
      const onAbort = () => {
        if (!this.waiters.delete(waiter.seq)) return;
        void this.cancel(waiter);
        reject(signal.reason);
      };
      const spare = this.spare.findIndex((held) => this.fits(held, waiter));
      if (spare >= 0) {
        this.give(waiter, this.spare.splice(spare, 1)[0]!);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = waiter.resolve;
      (waiter as { resolve: (lease: Lease) => void }).resolve = (lease) => {
        signal.removeEventListener('abort', onAbort);
        settle(lease);
      };
      void this.tryAcquire(waiter);
    });
  }

  /** Leases held by this process now. */
  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Stops renewals and withdraws this process's waits. Leases still held belong to calls still
   * at the server (given up on by the run, not by the server): they are not released, and expire
   * by their time-to-live, which covers those calls' hard deadline and grace time.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.freeze.stop();
    if (this.nudgeTimer !== undefined) this.options.clock.clearTimeout(this.nudgeTimer);
    for (const held of this.held.values()) this.stopRenewing(held);
    this.flushSpare();
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(new SharedStateError('The shared mode was closed'));
    await Promise.all(waiters.map((waiter) => this.cancel(waiter)));
    await this.listener.close();
  }

  private entry(waiter: Waiter): string {
    return `${this.calls.clientId}|${waiter.seq}|${waiter.ttlMs}`;
  }

  /** Asks Redis for a slot: granted at once, queued (the grant comes through the listener), or retried after a recovery window. */
  private async tryAcquire(waiter: Waiter): Promise<void> {
    if (waiter.trying) return;
    waiter.trying = true;
    try {
      await this.acquireLoop(waiter);
    } finally {
      waiter.trying = false;
    }
  }

  private async acquireLoop(waiter: Waiter): Promise<void> {
    for (;;) {
      if (waiter.signal.aborted || this.closed) return;
      if (!this.connection.available) {
        await this.connection.whenAvailable();
        continue;
      }
      this.waiters.delete(waiter.seq);
      waiter.seq = ++this.sequence;
      waiter.queuedAt = this.options.clock.now();
      this.waiters.set(waiter.seq, waiter);
      this.issued.set(waiter.seq, waiter);
      let reply: AcquireReply;
      try {
        reply = await this.calls.acquire(waiter.source, waiter.cap, waiter.seq, waiter.ttlMs);
      } catch (error) {
        if (!this.connection.isOutage(error)) {
          this.waiters.delete(waiter.seq);
          waiter.reject(new SharedStateError(`Redis refused to grant a slot of source '${waiter.source}': ${String(error)}`, { cause: error }));
          return;
        }
        await this.pause(this.options.pollMs);
        continue;
      }
      if (reply[0] === 1) {
        this.granted(waiter.seq, String(reply[1]));
        return;
      }
      if (reply[2] === 1) {
        this.scheduleNudge(Number(reply[1]));
        return; // queued: the grant comes through the listener
      }
      this.issued.delete(waiter.seq); // refused during a recovery window: nothing was queued
      await this.pause(Math.min(Math.max(Number(reply[1]), 1), this.options.recoveryMs));
    }
  }

  /** A grant for waiter `seq` (from the acquire reply or a hand-off); `member` undefined: the wait was dropped. */
  private granted(seq: number, member: string | undefined): void {
    const waiter = this.waiters.get(seq);
    const issued = this.issued.get(seq);
    this.issued.delete(seq);
    if (waiter === undefined || this.closed) {
      // Aborted, re-queued or closed meanwhile: give the slot back at once (handing it on).
      if (member !== undefined && issued !== undefined) void this.releaseNow(member, issued.source, issued.cap);
      return;
    }
    if (member === undefined) {
      void this.tryAcquire(waiter); // dropped while this process looked dead (frozen): queue again
      return;
    }
    this.waiters.delete(seq);
    if (!this.freeze.frozenSince(waiter.queuedAt)) {
      this.hand(waiter, member);
      return;
    }
    // Frozen since the wait began: the grant may have expired and its slot gone elsewhere. Confirm it first.
    void this.renew(member, waiter.source, waiter.cap, waiter.ttlMs).then((state) => {
      if (state === 'held') this.hand(waiter, member);
      else {
        this.waiters.set(seq, waiter);
        void this.tryAcquire(waiter);
      }
    });
  }

  private hand(waiter: Waiter, member: string): void {
    if (waiter.signal.aborted) {
      void this.releaseNow(member, waiter.source, waiter.cap);
      return;
    }
    const held: Held = { member, source: waiter.source, cap: waiter.cap, ttlMs: waiter.ttlMs, timer: undefined, lost: false, grantedAt: this.options.clock.now(), lostListeners: [] };
    this.held.set(member, held);
    this.scheduleRenewal(held);
    this.give(waiter, held);
  }

  /** Resolves `waiter` with a lease on `held` (a slot granted by Redis, or kept from this process's previous call). */
  private give(waiter: Waiter, held: Held): void {
    const { member } = held;
    held.lostListeners.length = 0;
    let released = false;
    waiter.resolve({
      onLost: (listener) => {
        if (held.lost) listener(new LeaseLostError(held.source, 'found lost earlier'));
        else held.lostListeners.push(listener);
      },
      release: () => {
        if (released) return;
        released = true;
        if (this.keep(held)) return;
        this.stopRenewing(held);
        this.held.delete(member);
        if (!held.lost) void this.releaseNow(member, held.source, held.cap);
      },
    });
  }

  /** Whether a kept slot may serve `waiter` (same source and lease terms, still valid, within the fairness bound). */
  private fits(held: Held, waiter: Waiter): boolean {
    return held.source === waiter.source && held.cap === waiter.cap && held.ttlMs === waiter.ttlMs && this.keepable(held);
  }

  private keepable(held: Held): boolean {
    const now = this.options.clock.now();
    return !held.lost && !this.closed && this.connection.available && now - held.grantedAt < KEEP_MS && !this.freeze.frozenSince(held.grantedAt);
  }

  /**
   * A call freed `held`: keep it for this process's newest item waiting for the same source (its
   * entry is last in the Redis queue: the older ones keep their places in line), or
   * for an item that asks before the next turn of the event loop (the run starts its next item at
   * once). False: give it back to Redis (lost, past the fairness bound, or after a freeze).
   */
  private keep(held: Held): boolean {
    if (!this.keepable(held)) return false;
    let newest: Waiter | undefined;
    for (const waiter of this.waiters.values()) {
      if (!waiter.trying && !waiter.signal.aborted && this.fits(held, waiter) && (newest === undefined || waiter.seq > newest.seq)) newest = waiter;
    }
    if (newest !== undefined) {
      this.waiters.delete(newest.seq);
      void this.cancel(newest); // its queued entry; a grant already on its way is given back by granted()
      this.give(newest, held);
      return true;
    }
    this.spare.push(held);
    if (this.spare.length === 1) setImmediate(() => this.flushSpare());
    return true;
  }

  /** Gives back to Redis the kept slots no item asked for. */
  private flushSpare(): void {
    for (const held of this.spare.splice(0)) {
      this.stopRenewing(held);
      this.held.delete(held.member);
      if (!held.lost) void this.releaseNow(held.member, held.source, held.cap);
    }
  }

  private scheduleRenewal(held: Held): void {
    const every = Math.max(1, Math.min(Math.floor(held.ttlMs / 3), this.options.renewEveryMs ?? RENEW_MS));
    held.timer = this.options.clock.setTimeout(() => {
      held.timer = undefined;
      if (!this.held.has(held.member)) return;
      void this.renew(held.member, held.source, held.cap, held.ttlMs).then((state) => {
        if (!this.held.has(held.member)) return;
        if (state === 'lost') this.lose(held);
        else this.scheduleRenewal(held);
      });
    }, every);
  }

  private lose(held: Held): void {
    held.lost = true;
    const error = new LeaseLostError(held.source, 'it expired while this process was frozen or Redis lost it');
    for (const listener of held.lostListeners.splice(0)) listener(error);
  }

  private stopRenewing(held: Held): void {
    if (held.timer !== undefined) this.options.clock.clearTimeout(held.timer);
    held.timer = undefined;
  }

  /** Extends a lease: `held`, `lost`, or `unknown` (Redis unreachable: re-registered on reconnection). */
  private async renew(member: string, source: string, cap: number, ttlMs: number): Promise<'held' | 'lost' | 'unknown'> {
    try {
      return (await this.calls.renew(member, source, cap, ttlMs)) ? 'held' : 'lost';
    } catch (error) {
      if (!this.connection.isOutage(error)) this.options.onFatal(new SharedStateError(`Redis refused to renew a lease of source '${source}': ${String(error)}`, { cause: error }));
      return 'unknown';
    }
  }

  /** Releases a lease in Redis (handing the slot on); while Redis is down, remembers it for {@link restore}. */
  private async releaseNow(member: string, source: string, cap: number): Promise<void> {
    try {
      await this.calls.release(member, source, cap);
      this.toRelease.delete(member);
    } catch (error) {
      if (this.connection.isOutage(error)) this.toRelease.set(member, { source, cap });
      else this.options.onFatal(new SharedStateError(`Redis refused to release a lease: ${String(error)}`, { cause: error }));
    }
  }

  private async cancel(waiter: Waiter): Promise<void> {
    try {
      if (await this.calls.cancel(waiter.source, this.entry(waiter))) this.issued.delete(waiter.seq);
    } catch {
      // Redis down: the entry is dropped by the next hand-off once this process stops refreshing its "alive" key
    }
  }

  /** While waiters are queued: refresh "alive" and hand out slots freed by expiry, every second at most. */
  private scheduleNudge(hintMs: number): void {
    if (this.nudgeTimer !== undefined || this.closed) return;
    const delay = Math.max(1, Math.min(hintMs > 0 ? hintMs : NUDGE_MS, NUDGE_MS));
    this.nudgeTimer = this.options.clock.setTimeout(() => {
      this.nudgeTimer = undefined;
      void this.nudge();
    }, delay);
  }

  private async nudge(): Promise<void> {
    if (this.closed || this.waiters.size === 0) return;
    const bySource = new Map<string, number>();
    for (const waiter of this.waiters.values()) bySource.set(waiter.source, waiter.cap);
    let hint = NUDGE_MS;
    for (const [source, cap] of bySource) {
      try {
        const next = await this.calls.nudge(source, cap);
        if (next >= 0) hint = Math.min(hint, next + 1);
      } catch {
        // outage: restore() re-queues the waiters when Redis is back
      }
    }
    this.scheduleNudge(hint);
  }

  /** Redis is back (maybe another server): re-register the leases of running calls, give back the others, queue the waiters again. */
  private restore(): void {
    if (this.closed) return;
    for (const held of this.held.values()) {
      void this.renew(held.member, held.source, held.cap, held.ttlMs).then((state) => {
        if (state === 'lost' && this.held.has(held.member)) this.lose(held);
      });
    }
    for (const [member, { source, cap }] of this.toRelease) void this.releaseNow(member, source, cap);
    for (const waiter of [...this.waiters.values()]) void this.tryAcquire(waiter); // no-op for one already trying
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimeout(resolve, ms));
  }
}
