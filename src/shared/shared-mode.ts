/**
 * The shared mode of a run, put together: one Redis connection, the run lock, and the Redis
 * semaphore that the engine uses as its {@link SlotGate}. It reports Redis outages and
 * recoveries to the run, and errors that must stop the run (lock lost, Redis refusing a script).
 */
import type { Clock } from '../util/clock.js';
import { RedisConnection } from './redis-connection.js';
import { RedisSemaphore, SEMAPHORE_SCRIPTS } from './redis-semaphore.js';
import { RedisRunLock, RUN_LOCK_SCRIPTS } from './run-lock.js';
import type { ResolvedShared } from './shared-options.js';
import type { Lease, SlotGate } from './slot-gate.js';

/** What the shared mode tells the run. */
export interface SharedModeHooks {
  /** Redis became unreachable: new calls wait. */
  readonly unavailable: (reason: string, at: number) => void;
  /** Redis is reachable again after `downMs`: calls flow again. */
  readonly restored: (at: number, downMs: number) => void;
  /** An error that must fail the run. */
  readonly fatal: (error: Error) => void;
}

/** An open shared mode: a slot gate plus the run lock; close it when the run ends. */
export class SharedMode implements SlotGate {
  private constructor(
    private readonly connection: RedisConnection,
    private readonly semaphore: RedisSemaphore,
    private readonly lock: RedisRunLock,
  ) {}

  /**
   * Connects to Redis and takes the run lock.
   *
   * @throws {RunLockedError} another process holds the run lock.
   * @throws an ioredis error when Redis cannot be reached at the start.
   */
  static async open(shared: ResolvedShared, clock: Clock, hooks: SharedModeHooks): Promise<SharedMode> {
    const connection = await RedisConnection.open(shared.redis, { ...SEMAPHORE_SCRIPTS, ...RUN_LOCK_SCRIPTS }, shared.maxReconnectDelayMs);
    let downSince: number | undefined;
    connection.onAvailability((available, reason) => {
      const at = clock.now();
      if (!available) {
        downSince = at;
        hooks.unavailable(reason, at);
      } else if (downSince !== undefined) {
        hooks.restored(at, at - downSince);
        downSince = undefined;
      }
    });
    let lock: RedisRunLock;
    try {
      lock = await RedisRunLock.take(connection, { runName: shared.runName, namespace: shared.namespace, lockMs: shared.lockMs, clock, onLost: hooks.fatal });
    } catch (error) {
      await connection.close();
      throw error;
    }
    const semaphore = new RedisSemaphore(connection, { namespace: shared.namespace, recoveryMs: shared.recoveryMs, pollMs: shared.pollMs, keepSlotMs: shared.keepSlotMs, clock, onFatal: hooks.fatal });
    return new SharedMode(connection, semaphore, lock);
  }

  /** {@inheritDoc SlotGate.acquire} */
  acquire(source: string, cap: number, ttlMs: number, signal: AbortSignal): Promise<Lease> {
    return this.semaphore.acquire(source, cap, ttlMs, signal);
  }

  /** Withdraws the waits, releases the run lock, then closes the connection (leases of calls still at the server expire by themselves). */
  async close(): Promise<void> {
    try {
      await this.semaphore.close();
      await this.lock.release();
    } finally {
      await this.connection.close();
    }
  }
}
