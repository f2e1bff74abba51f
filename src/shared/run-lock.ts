/**
 * The run lock of the shared mode: one process at a time, on any host, processes a run name in
 * a namespace. The lock is a Redis key set only if absent (SET NX PX) to a token of its holder,
 * renewed every third of its time-to-live while the run lives, and deleted at the end; if its
 * holder dies, the key expires after its time-to-live.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '../util/clock.js';
import { RunFailedError } from '../util/errors.js';
import { RunLockedError, SharedStateError } from './errors.js';
import type { RedisConnection, ScriptSet } from './redis-connection.js';
import { namespaceKey } from './redis-semaphore.js';

/** The lock's scripts; define them on the connection. */
export const RUN_LOCK_SCRIPTS: ScriptSet = {
  // KEYS: lock. ARGV: token, ttl ms. Returns '' when taken, else the holder's token.
  bcssBulkLock: {
    keys: 1,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return '' end
return redis.call('GET', KEYS[1]) or ''`,
  },
  // KEYS: lock. ARGV: token, ttl ms. Returns 1 while the lock is ours (taken again if Redis lost it), 0 when another holds it.
  bcssBulkRelock: {
    keys: 1,
    lua: `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`,
  },
  // KEYS: lock. ARGV: token.
  bcssBulkUnlock: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
};

/** Who holds a lock, from its token (`host:pid:uuid`). */
function holderOf(token: string): string {
  return token.split(':').slice(0, 2).join(':');
}

/** A run lock held in Redis. */
export class RedisRunLock {
  private readonly token = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly key: string;
  private timer: TimerHandle | undefined;
  private held = false;

  private constructor(
    private readonly connection: RedisConnection,
    private readonly runName: string,
    namespace: string,
    private readonly lockMs: number,
    private readonly clock: Clock,
    private readonly onLost: (error: Error) => void,
  ) {
    this.key = `${namespaceKey(namespace)}:lock:${runName}`;
  }

  /**
   * Takes the lock of `runName` and keeps it until {@link release}.
   *
   * @throws {RunLockedError} another process holds it.
   */
  static async take(connection: RedisConnection, options: { runName: string; namespace: string; lockMs: number; clock: Clock; onLost: (error: Error) => void }): Promise<RedisRunLock> {
    const lock = new RedisRunLock(connection, options.runName, options.namespace, options.lockMs, options.clock, options.onLost);
    const holder = (await connection.run('bcssBulkLock', [lock.key], [lock.token, lock.lockMs])) as string;
    if (holder !== '') throw new RunLockedError(options.runName, holderOf(holder));
    lock.held = true;
    lock.schedule();
    connection.onAvailability((available) => {
      if (available && lock.held) void lock.renew();
    });
    return lock;
  }

  /** Stops renewing and deletes the lock (if Redis is down, it expires after its time-to-live). */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.connection.available) return; // it expires after lockMs
    try {
      await this.connection.run('bcssBulkUnlock', [this.key], [this.token]);
    } catch (error) {
      if (!this.connection.isOutage(error)) throw new SharedStateError(`Redis refused to release the run lock: ${String(error)}`, { cause: error });
    }
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.renew().then(() => {
        if (this.held) this.schedule();
      });
    }, Math.max(1, Math.floor(this.lockMs / 3)));
  }

  private async renew(): Promise<void> {
    let mine: number;
    try {
      mine = (await this.connection.run('bcssBulkRelock', [this.key], [this.token, this.lockMs])) as number;
    } catch (error) {
      if (!this.connection.isOutage(error)) this.onLost(new SharedStateError(`Redis refused to renew the run lock: ${String(error)}`, { cause: error }));
      return; // Redis is down: renewed when it is back
    }
    if (mine === 1 || !this.held) return;
    this.held = false;
    this.onLost(new RunFailedError('RUN_LOCK_LOST', `The run lock of '${this.runName}' was taken by another process while Redis was unreachable for longer than lockMs (${this.lockMs} ms)`));
  }
}
