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
 * - Each process has as many places in a source's Redis queue (tickets, semaphore-demand.ts) as
 *   items waiting for it; whichever of its items waits longest gets the slot a ticket brings.
 * - A slot freed by a call while this process has another item waiting for the same source stays
 *   with this process, with no Redis round trip (see {@link KEEP_MS}, the fairness bound);
 *   otherwise the release hands it to the oldest live ticket (any process), and it reaches that
 *   process through a blocking pop on its own list: no polling, first come first served between
 *   processes.
 * - After a freeze, a grant is confirmed before a call starts on it.
 * - A Redis server that changed (restarted, possibly empty, or a replica promoted) opens a
 *   recovery window: no new lease, while running calls re-register theirs.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../util/clock.js';
import { LeaseLostError, SharedStateError } from './errors.js';
import { HeldLeases, type Held } from './held-leases.js';
import { FreezeWatch } from './freeze-watch.js';
import { GrantListener } from './grant-listener.js';
import type { RedisConnection } from './redis-connection.js';
import type { Lease, SlotGate } from './slot-gate.js';
import { Demand, type Ticket, type Waiter } from './semaphore-demand.js';
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
  /** How long a slot that came through Redis may serve this process's next items before it goes back to Redis, in ms (the fairness bound). */
  readonly keepSlotMs?: number;
}

/** While tickets are queued: interval of the alive refresh and of the checks for slots freed by expiry, at most, in ms. */
const NUDGE_MS = 250;
/**
 * The default fairness bound of a kept slot, in ms (option `keepSlotMs`). A slot that came to this
 * process through Redis may go on, with no Redis round trip, to this process's next items of the
 * same source for this long; the first release after that goes through Redis, which hands the
 * slot to the oldest ticket of any process.
 */
export const KEEP_MS = 500;

/** Per-source caps shared by every process that uses the same Redis and namespace. */
export class RedisSemaphore implements SlotGate {
  private readonly calls: SemaphoreCalls;
  private sequence = 0;
  private readonly held: HeldLeases;
  /** This process's demand per source and lease terms. */
  private readonly demands = new Map<string, Demand>();
  /** Live tickets by the sequence number of their entry in Redis. */
  private readonly tickets = new Map<number, Ticket>();
  /** Every entry queued in Redis and not yet answered, by sequence number (a late grant is given back to its source). */
  private readonly issued = new Map<number, Demand>();
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
    this.held = new HeldLeases(calls, connection, options.clock, options.onFatal, options.renewEveryMs);
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
    const demand = this.demandOf(source, cap, ttlMs);
    return new Promise<Lease>((resolve, reject) => {
      const spare = this.spare.findIndex((held) => held.demand === demand && this.keepable(held));
      if (spare >= 0) {
        resolve(this.lease(this.spare.splice(spare, 1)[0]!));
        return;
      }
      const waiter: Waiter = {
        signal,
        resolve,
        reject,
        onAbort: () => {
          if (!demand.remove(waiter)) return;
          reject(signal.reason);
          this.scheduleTrim(demand);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      demand.waiters.push(waiter);
      this.balance(demand);
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
    this.held.stopAll();
    this.flushSpare();
    const withdrawn: Promise<void>[] = [];
    for (const demand of this.demands.values()) {
      for (const waiter of demand.waiters.splice(0)) {
        waiter.signal.removeEventListener('abort', waiter.onAbort);
        waiter.reject(new SharedStateError('The shared mode was closed'));
      }
      for (const ticket of [...demand.tickets]) withdrawn.push(this.withdraw(ticket));
    }
    await Promise.all(withdrawn);
    await this.listener.close();
  }

  private demandOf(source: string, cap: number, ttlMs: number): Demand {
    const key = Demand.key(source, cap, ttlMs);
    let demand = this.demands.get(key);
    if (demand === undefined) this.demands.set(key, (demand = new Demand(source, cap, ttlMs)));
    return demand;
  }

  /** As many tickets as waiters: issues the missing ones now, withdraws surplus ones on the next turn of the event loop. */
  private balance(demand: Demand): void {
    while (demand.surplus < 0) {
      const ticket: Ticket = { demand, seq: 0, queuedAt: 0, issuing: false };
      demand.tickets.add(ticket);
      void this.issue(ticket);
    }
    if (demand.surplus > 0) this.scheduleTrim(demand);
  }

  /**
   * Withdraws surplus tickets, newest first, unless new waiters came meanwhile (the run asks for
   * its next item's slot in the same turn as a kept slot serves a waiter: then nothing is sent).
   */
  private scheduleTrim(demand: Demand): void {
    if (demand.trimScheduled || this.closed) return;
    demand.trimScheduled = true;
    setImmediate(() => {
      demand.trimScheduled = false;
      for (const ticket of demand.newestQueued(demand.surplus)) void this.withdraw(ticket);
    });
  }

  /** Puts `ticket` in the source's Redis queue: granted at once, queued (the grant comes through the listener), or retried after a recovery window. */
  private async issue(ticket: Ticket): Promise<void> {
    if (ticket.issuing) return;
    ticket.issuing = true;
    try {
      await this.issueLoop(ticket);
    } finally {
      ticket.issuing = false;
    }
    if (ticket.demand.surplus > 0) this.scheduleTrim(ticket.demand);
  }

  private async issueLoop(ticket: Ticket): Promise<void> {
    const demand = ticket.demand;
    for (;;) {
      if (this.closed || !demand.tickets.has(ticket)) return;
      if (demand.surplus > 0) {
        demand.tickets.delete(ticket); // its waiter left or was served by a kept slot meanwhile
        this.tickets.delete(ticket.seq);
        return;
      }
      if (!this.connection.available) {
        await this.connection.whenAvailable();
        continue;
      }
      this.tickets.delete(ticket.seq);
      ticket.seq = ++this.sequence;
      ticket.queuedAt = this.options.clock.now();
      this.tickets.set(ticket.seq, ticket);
      this.issued.set(ticket.seq, demand);
      let reply: AcquireReply;
      try {
        reply = await this.calls.acquire(demand.source, demand.cap, ticket.seq, demand.ttlMs);
      } catch (error) {
        if (!this.connection.isOutage(error)) {
          this.refuse(demand, new SharedStateError(`Redis refused to grant a slot of source '${demand.source}': ${String(error)}`, { cause: error }));
          return;
        }
        await this.pause(this.options.pollMs);
        continue;
      }
      if (reply[0] === 1) {
        this.granted(ticket.seq, String(reply[1]));
        return;
      }
      if (reply[2] === 1) {
        this.scheduleNudge(Number(reply[1]));
        return; // queued: the grant comes through the listener
      }
      this.issued.delete(ticket.seq); // refused during a recovery window: nothing was queued
      await this.pause(Math.min(Math.max(Number(reply[1]), 1), this.options.recoveryMs));
    }
  }

  /** Redis refused a script (not an outage): every waiter of `demand` fails with `error`. */
  private refuse(demand: Demand, error: Error): void {
    for (const ticket of demand.tickets) this.tickets.delete(ticket.seq);
    demand.tickets.clear();
    for (const waiter of demand.waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(error);
    }
  }

  /** A grant for entry `seq` (from the acquire reply or a hand-off); `member` undefined: the entry was dropped. */
  private granted(seq: number, member: string | undefined): void {
    const ticket = this.tickets.get(seq);
    const issued = this.issued.get(seq);
    this.issued.delete(seq);
    if (ticket === undefined || this.closed) {
      // Withdrawn, queued again or closed meanwhile: give the slot back at once (handing it on).
      if (member !== undefined && issued !== undefined) void this.releaseNow(member, issued.source, issued.cap);
      return;
    }
    this.tickets.delete(seq);
    if (member === undefined) {
      void this.issue(ticket); // dropped while this process looked dead (frozen): queue again
      return;
    }
    if (!this.freeze.frozenSince(ticket.queuedAt)) {
      this.serve(ticket, member);
      return;
    }
    // Frozen since the entry was queued: the grant may have expired and its slot gone elsewhere. Confirm it first.
    const { source, cap, ttlMs } = ticket.demand;
    void this.held.renew(member, source, cap, ttlMs).then((state) => {
      if (state === 'held') this.serve(ticket, member);
      else void this.issue(ticket);
    });
  }

  /** A ticket brought slot `member`: it goes to the item waiting longest here (or back to Redis when none waits). */
  private serve(ticket: Ticket, member: string): void {
    const demand = ticket.demand;
    demand.tickets.delete(ticket);
    this.tickets.delete(ticket.seq); // an entry it was queued again with meanwhile is given back when granted
    const waiter = this.closed ? undefined : demand.waiters.shift();
    if (waiter === undefined) {
      void this.releaseNow(member, demand.source, demand.cap);
      return;
    }
    this.give(waiter, this.held.add(member, demand));
  }

  private give(waiter: Waiter, held: Held): void {
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(this.lease(held));
  }

  /** A lease on `held` (a slot granted by Redis, or kept from this process's previous call). */
  private lease(held: Held): Lease {
    held.lostListeners.length = 0;
    let released = false;
    return {
      onLost: (listener) => {
        if (held.lost) listener(new LeaseLostError(held.demand.source, 'found lost earlier'));
        else held.lostListeners.push(listener);
      },
      release: () => {
        if (released) return;
        released = true;
        if (this.keep(held)) return;
        this.held.drop(held);
        if (!held.lost) void this.releaseNow(held.member, held.demand.source, held.demand.cap);
      },
    };
  }

  private keepable(held: Held): boolean {
    const now = this.options.clock.now();
    return !held.lost && !this.closed && this.connection.available && now - held.grantedAt < (this.options.keepSlotMs ?? KEEP_MS) && !this.freeze.frozenSince(held.grantedAt);
  }

  /**
   * A call freed `held`: keep it for this process's item waiting longest for the same source, or
   * for an item that asks before the next turn of the event loop (the run starts its next item at
   * once). False: give it back to Redis (lost, past the fairness bound, or after a freeze).
   */
  private keep(held: Held): boolean {
    if (!this.keepable(held)) return false;
    const waiter = held.demand.waiters.shift();
    if (waiter !== undefined) {
      this.give(waiter, held);
      this.scheduleTrim(held.demand); // its ticket goes to the next item, or is withdrawn
      return true;
    }
    this.spare.push(held);
    if (this.spare.length === 1) setImmediate(() => this.flushSpare());
    return true;
  }

  /** Gives back to Redis the kept slots no item asked for. */
  private flushSpare(): void {
    for (const held of this.spare.splice(0)) {
      this.held.drop(held);
      if (!held.lost) void this.releaseNow(held.member, held.demand.source, held.demand.cap);
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

  /** Takes `ticket` out of line (a grant already on its way is given back by {@link granted}). */
  private async withdraw(ticket: Ticket): Promise<void> {
    const { demand, seq } = ticket;
    demand.tickets.delete(ticket);
    this.tickets.delete(seq);
    try {
      if (await this.calls.cancel(demand.source, `${this.calls.clientId}|${seq}|${demand.ttlMs}`)) this.issued.delete(seq);
    } catch {
      // Redis down: a grant for it that comes later is given back at once
    }
  }

  /** While tickets are queued: refresh "alive" and hand out slots freed by expiry, every {@link NUDGE_MS} at most. */
  private scheduleNudge(hintMs: number): void {
    if (this.nudgeTimer !== undefined || this.closed) return;
    const delay = Math.max(1, Math.min(hintMs > 0 ? hintMs : NUDGE_MS, NUDGE_MS));
    this.nudgeTimer = this.options.clock.setTimeout(() => {
      this.nudgeTimer = undefined;
      void this.nudge();
    }, delay);
  }

  private async nudge(): Promise<void> {
    const queued = [...this.demands.values()].filter((demand) => demand.tickets.size > 0);
    if (this.closed || queued.length === 0) return;
    let hint = NUDGE_MS;
    for (const demand of queued) {
      try {
        const next = await this.calls.nudge(demand.source, demand.cap);
        if (next >= 0) hint = Math.min(hint, next + 1);
      } catch {
        // outage: restore() queues the tickets again when Redis is back
      }
    }
    this.scheduleNudge(hint);
  }

  /** Redis is back (maybe another server): re-register the leases of running calls, give back the others, queue the tickets again. */
  private restore(): void {
    if (this.closed) return;
    this.held.reRegister();
    for (const [member, { source, cap }] of this.toRelease) void this.releaseNow(member, source, cap);
    for (const demand of this.demands.values()) for (const ticket of demand.tickets) void this.issue(ticket); // no-op for one already issuing
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimeout(resolve, ms));
  }
}
