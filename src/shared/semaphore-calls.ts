/**
 * The semaphore's side of the wire: the keys of a namespace and the calls of the scripts of
 * semaphore-scripts.ts, with their arguments in the order the scripts read them. What to do
 * with a reply or a failure is {@link RedisSemaphore}'s business (redis-semaphore.ts).
 */
import type { RedisConnection } from './redis-connection.js';

/** Prefix of every key of a namespace (one hash slot per namespace). */
export function namespaceKey(namespace: string): string {
  return `bcss-bulk:{${namespace}}`;
}

/** How long a waiting process stays "alive" (eligible for hand-offs) without refreshing, in ms. */
export const ALIVE_MS = 1_000;

/** The reply of the acquire script: `[1, member]` granted; `[0, hintMs, 1]` queued; `[0, waitMs]` refused (recovery window). */
export type AcquireReply = [number, string | number, number?];

/** The scripts' calls for one process (`clientId`) of one namespace. */
export class SemaphoreCalls {
  readonly prefix: string;
  /** The run id of the Redis server this process talks to (changes on restart and failover). */
  #serverId: Promise<string> | undefined;

  constructor(
    private readonly connection: RedisConnection,
    namespace: string,
    readonly clientId: string,
    private readonly recoveryMs: number,
  ) {
    this.prefix = namespaceKey(namespace);
  }

  /** The list a hand-off to this process is pushed on. */
  get grantsKey(): string {
    return `${this.prefix}:grants:${this.clientId}`;
  }

  /** Forgets the server's run id (asked again on the next call): the connection dropped. */
  forgetServer(): void {
    this.#serverId = undefined;
  }

  /** Asks for a slot of `source` for waiter `seq`, or queues it. */
  async acquire(source: string, cap: number, seq: number, ttlMs: number): Promise<AcquireReply> {
    const runId = await this.runId();
    const keys = [this.slotsKey(source), this.queueKey(source), this.epochKey, this.fenceKey];
    return (await this.connection.run('bcssBulkAcquire', keys, [this.prefix, cap, this.clientId, seq, ttlMs, runId, this.recoveryMs, ALIVE_MS])) as AcquireReply;
  }

  /** Extends a lease; false when it is gone. */
  async renew(member: string, source: string, cap: number, ttlMs: number): Promise<boolean> {
    const runId = await this.runId();
    return (await this.connection.run('bcssBulkRenew', [this.slotsKey(source), this.epochKey], [member, ttlMs, runId, this.recoveryMs, cap])) !== 0;
  }

  /** Releases a lease, handing the slot to the oldest live waiter. */
  async release(member: string, source: string, cap: number): Promise<void> {
    await this.connection.run('bcssBulkRelease', [this.slotsKey(source), this.queueKey(source), this.fenceKey], [this.prefix, member, cap]);
  }

  /** Withdraws a queued entry; true when it was still queued. */
  async cancel(source: string, entry: string): Promise<boolean> {
    return (await this.connection.run('bcssBulkCancel', [this.queueKey(source)], [entry])) === 1;
  }

  /** Refreshes this process's "alive" key and hands out slots freed by expiry; the next check's hint in ms (negative: none). */
  async nudge(source: string, cap: number): Promise<number> {
    return Number(await this.connection.run('bcssBulkNudge', [this.slotsKey(source), this.queueKey(source), this.fenceKey], [this.prefix, cap, this.clientId, ALIVE_MS]));
  }

  private runId(): Promise<string> {
    this.#serverId ??= (this.connection.client.info('server') as Promise<string>).then((info) => /run_id:(\w+)/.exec(info)?.[1] ?? 'unknown');
    return this.#serverId;
  }

  private slotsKey(source: string): string {
    return `${this.prefix}:slots:${source}`;
  }

  private queueKey(source: string): string {
    return `${this.prefix}:queue:${source}`;
  }

  private get epochKey(): string {
    return `${this.prefix}:epoch`;
  }

  private get fenceKey(): string {
    return `${this.prefix}:fence`;
  }
}
