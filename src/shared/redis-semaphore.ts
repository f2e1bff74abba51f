/**
 * A counting semaphore with leases, in Redis: one sorted set per source holds the ids of the
 * leases, scored by their expiry (Redis server time, so hosts' clocks do not matter).
 * Acquire, renew and release are Lua scripts that Redis runs atomically. Expired leases
 * (of processes that died) are purged on every acquire. Holders renew their leases every third
 * of the time-to-live and re-register them when Redis comes back.
 *
 * Redis that lost its data (restarted without persistence) forgets the leases of calls still
 * running; so the first acquire that finds the namespace's epoch key missing starts a recovery
 * window, during which leases are refused while the running calls re-register.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../util/clock.js';
import { SharedStateError } from './errors.js';
import type { RedisConnection, ScriptSet } from './redis-connection.js';
import type { Lease, SlotGate } from './slot-gate.js';

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** The semaphore's scripts; define them on the connection. */
export const SEMAPHORE_SCRIPTS: ScriptSet = {
  // KEYS: slots, epoch. ARGV: cap, lease id, ttl ms, recovery ms. Returns {granted, hint ms}.
  bcssBulkAcquire: {
    keys: 2,
    lua: `${NOW_MS}
local recovering = redis.call('GET', KEYS[2])
if not recovering then
  redis.call('SET', KEYS[2], now + tonumber(ARGV[4]))
  return {0, tonumber(ARGV[4])}
end
if now < tonumber(recovering) then return {0, tonumber(recovering) - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(first[2]) - now}`,
  },
  // KEYS: slots. ARGV: lease id, ttl ms. Returns 1 when the lease had to be re-registered.
  bcssBulkRenew: {
    keys: 1,
    lua: `${NOW_MS}
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])`,
  },
  // KEYS: slots. ARGV: lease id, channel, source. Tells waiting processes that a slot is free.
  bcssBulkRelease: {
    keys: 1,
    lua: `local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return removed`,
  },
};

/** Prefix of every key of a namespace (one hash slot per namespace). */
export function namespaceKey(namespace: string): string {
  return `bcss-bulk:{${namespace}}`;
}

/** Pub/sub channel on which a namespace's released slots are announced (message: the source). */
export function releasedChannel(namespace: string): string {
  return `${namespaceKey(namespace)}:released`;
}

/** Options of a {@link RedisSemaphore}. */
export interface RedisSemaphoreOptions {
  readonly namespace: string;
  /** Recovery window after Redis lost its data, in ms. */
  readonly recoveryMs: number;
  /** Longest wait between two tries for a slot, in ms. */
  readonly pollMs: number;
  readonly clock: Clock;
  /** Called with an error that is not an outage (the run fails on it). */
  readonly onFatal: (error: Error) => void;
  readonly random?: () => number;
}

interface Held {
  readonly id: string;
  readonly key: string;
  readonly source: string;
  readonly ttlMs: number;
  timer: TimerHandle | undefined;
}

/** Per-source caps shared by every process that uses the same Redis and namespace. */
export class RedisSemaphore implements SlotGate {
  private readonly clientId = randomUUID();
  private sequence = 0;
  private readonly held = new Map<string, Held>();
  /** Leases whose release failed while Redis was down, released when it is back. */
  private readonly toRelease = new Map<string, { readonly key: string; readonly source: string }>();
  /** Waiters by source, woken early when this process releases a slot of that source. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly random: () => number;
  private closed = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisSemaphoreOptions,
  ) {
    this.random = options.random ?? Math.random;
    connection.onAvailability((available) => {
      if (available) this.restore();
    });
  }

  /** {@inheritDoc SlotGate.acquire} */
  async acquire(source: string, cap: number, ttlMs: number, signal: AbortSignal): Promise<Lease> {
    const id = `${this.clientId}:${++this.sequence}`;
    const key = this.slotsKey(source);
    const epoch = `${namespaceKey(this.options.namespace)}:epoch`;
    for (;;) {
      signal.throwIfAborted();
      if (this.closed) throw new SharedStateError('The shared mode was closed');
      if (!this.connection.available) {
        await abortable(this.connection.whenAvailable(), signal);
        continue;
      }
      let reply: [number, number];
      try {
        reply = (await this.connection.run('bcssBulkAcquire', [key, epoch], [cap, id, ttlMs, this.options.recoveryMs])) as [number, number];
      } catch (error) {
        if (!this.connection.isOutage(error)) throw new SharedStateError(`Redis refused to grant a slot of source '${source}': ${String(error)}`, { cause: error });
        await this.sleep(source, this.options.pollMs, signal);
        continue;
      }
      if (reply[0] === 1) {
        const lease = this.hold(id, key, source, ttlMs);
        if (signal.aborted) {
          lease.release();
          signal.throwIfAborted();
        }
        return lease;
      }
      const pause = Math.min(Math.max(reply[1], 1), this.options.pollMs);
      await this.sleep(source, pause * (0.5 + this.random() / 2), signal);
    }
  }

  /** Leases held by this process now. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Stops renewals and releases what is still held (best effort: leases expire anyway). */
  async close(): Promise<void> {
    this.closed = true;
    const releases = [...this.held.values()].map((held) => this.releaseNow(held.key, held.id, held.source));
    for (const held of this.held.values()) this.stopRenewing(held);
    this.held.clear();
    for (const set of this.waiters.values()) for (const wake of set) wake();
    await Promise.all(releases);
  }

  private slotsKey(source: string): string {
    return `${namespaceKey(this.options.namespace)}:slots:${source}`;
  }

  private hold(id: string, key: string, source: string, ttlMs: number): Lease {
    const held: Held = { id, key, source, ttlMs, timer: undefined };
    this.held.set(id, held);
    this.scheduleRenewal(held);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.stopRenewing(held);
        this.held.delete(id);
        void this.releaseNow(key, id, source);
        this.wake(source);
      },
    };
  }

  private scheduleRenewal(held: Held): void {
    held.timer = this.options.clock.setTimeout(() => {
      held.timer = undefined;
      if (!this.held.has(held.id)) return;
      void this.renew(held).then(() => {
        if (this.held.has(held.id)) this.scheduleRenewal(held);
      });
    }, Math.max(1, Math.floor(held.ttlMs / 3)));
  }

  private stopRenewing(held: Held): void {
    if (held.timer !== undefined) this.options.clock.clearTimeout(held.timer);
    held.timer = undefined;
  }

  /** Extends a lease; while Redis is down it is skipped (the lease is re-registered on reconnection). */
  private async renew(held: Held): Promise<void> {
    try {
      await this.connection.run('bcssBulkRenew', [held.key], [held.id, held.ttlMs]);
    } catch (error) {
      if (!this.connection.isOutage(error)) this.options.onFatal(new SharedStateError(`Redis refused to renew a lease of source '${held.source}': ${String(error)}`, { cause: error }));
    }
  }

  /** Releases a lease in Redis; while Redis is down, remembers it for {@link restore}. */
  private async releaseNow(key: string, id: string, source: string): Promise<void> {
    try {
      await this.connection.run('bcssBulkRelease', [key], [id, releasedChannel(this.options.namespace), source]);
      this.toRelease.delete(id);
    } catch (error) {
      if (this.connection.isOutage(error)) this.toRelease.set(id, { key, source });
      else this.options.onFatal(new SharedStateError(`Redis refused to release a lease: ${String(error)}`, { cause: error }));
    }
  }

  /** Redis is back: re-register the leases of running calls (it may have lost them), give back the others. */
  private restore(): void {
    if (this.closed) return;
    for (const held of this.held.values()) void this.renew(held);
    for (const [id, { key, source }] of this.toRelease) void this.releaseNow(key, id, source);
  }

  /** Wakes this process's waiters for a slot of `source` (a slot was released here or elsewhere). */
  wake(source: string): void {
    const set = this.waiters.get(source);
    if (set === undefined) return;
    for (const wake of set) wake();
  }

  /** Waits `ms`, or less when this process releases a slot of `source`; rejects when `signal` aborts. */
  private sleep(source: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let set = this.waiters.get(source);
      if (set === undefined) this.waiters.set(source, (set = new Set()));
      const waiters = set;
      const done = () => {
        this.options.clock.clearTimeout(timer);
        waiters.delete(wake);
        signal.removeEventListener('abort', onAbort);
      };
      const wake = () => {
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      const timer = this.options.clock.setTimeout(wake, ms);
      waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** `promise`, or a rejection with the signal's reason when it aborts first. */
function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
