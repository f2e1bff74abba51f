/**
 * The leases this process holds, and their renewals. Each lease is renewed every third of its
 * time-to-live (at most every `renewEveryMs`) while its holder lives; a renewal that finds it
 * gone (the process froze past its time-to-live, or Redis lost it outside a recovery window)
 * never re-adds it: the lease is lost, and its listeners abort the call.
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import { LeaseLostError, SharedStateError } from './errors.js';
import type { RedisConnection } from './redis-connection.js';
import type { SemaphoreCalls } from './semaphore-calls.js';
import type { Demand } from './semaphore-demand.js';

/** Longest interval between two renewals of a lease, in ms (a frozen holder finds its lease lost within this after waking). */
const RENEW_MS = 1_000;

/** A lease held by this process. */
export interface Held {
  readonly member: string;
  readonly demand: Demand;
  timer: TimerHandle | undefined;
  lost: boolean;
  /** When the slot came to this process through Redis (a kept slot goes back to Redis a while after). */
  readonly grantedAt: number;
  readonly lostListeners: ((error: Error) => void)[];
}

/** What a renewal found: `held`, `lost`, or `unknown` (Redis unreachable: re-registered on reconnection). */
export type RenewState = 'held' | 'lost' | 'unknown';

/** The held leases, by member, each renewed until dropped. */
export class HeldLeases {
  readonly #held = new Map<string, Held>();

  constructor(
    private readonly calls: SemaphoreCalls,
    private readonly connection: RedisConnection,
    private readonly clock: Clock,
    private readonly onFatal: (error: Error) => void,
    private readonly renewEveryMs = RENEW_MS,
  ) {}

  get size(): number {
    return this.#held.size;
  }

  /** Holds `member` (granted now) and renews it until {@link drop}. */
  add(member: string, demand: Demand): Held {
    const held: Held = { member, demand, timer: undefined, lost: false, grantedAt: this.clock.now(), lostListeners: [] };
    this.#held.set(member, held);
    this.schedule(held);
    return held;
  }

  /** No longer held by this process (released, or left to expire): renewals stop. */
  drop(held: Held): void {
    this.stop(held);
    this.#held.delete(held.member);
  }

  /** Stops every renewal (the leases left expire by their time-to-live). */
  stopAll(): void {
    for (const held of this.#held.values()) this.stop(held);
  }

  /** Redis is back (maybe another server): re-registers every lease; a lease found lost aborts its call. */
  reRegister(): void {
    for (const held of this.#held.values()) {
      const { source, cap, ttlMs } = held.demand;
      void this.renew(held.member, source, cap, ttlMs).then((state) => {
        if (state === 'lost' && this.#held.has(held.member)) this.lose(held);
      });
    }
  }

  /** Extends a lease in Redis. */
  async renew(member: string, source: string, cap: number, ttlMs: number): Promise<RenewState> {
    try {
      return (await this.calls.renew(member, source, cap, ttlMs)) ? 'held' : 'lost';
    } catch (error) {
      if (!this.connection.isOutage(error)) this.onFatal(new SharedStateError(`Redis refused to renew a lease of source '${source}': ${String(error)}`, { cause: error }));
      return 'unknown';
    }
  }

  private schedule(held: Held): void {
    const { source, cap, ttlMs } = held.demand;
    const every = Math.max(1, Math.min(Math.floor(ttlMs / 3), this.renewEveryMs));
    held.timer = this.clock.setTimeout(() => {
      held.timer = undefined;
      if (!this.#held.has(held.member)) return;
      void this.renew(held.member, source, cap, ttlMs).then((state) => {
        if (!this.#held.has(held.member)) return;
        if (state === 'lost') this.lose(held);
        else this.schedule(held);
      });
    }, every);
  }

  private lose(held: Held): void {
    held.lost = true;
    const error = new LeaseLostError(held.demand.source, 'it expired while this process was frozen or Redis lost it');
    for (const listener of held.lostListeners.splice(0)) listener(error);
  }

  private stop(held: Held): void {
    if (held.timer !== undefined) this.clock.clearTimeout(held.timer);
    held.timer = undefined;
  }
}
