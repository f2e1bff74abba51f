/**
 * The shared mode's own Redis connection: opened from a URL (ioredis is loaded only then, so
 * the in-process mode needs neither Redis nor ioredis) or duplicated from the caller's client.
 * It fails commands at once while Redis is down (no offline queue), reconnects with backoff
 * forever, and tells its listeners when Redis becomes unavailable and available again.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { peerLoadError } from '../util/peer.js';
import { SharedStateError } from './errors.js';
import { reconnectDelay, type RedisClientLike } from './shared-options.js';

/** Lua scripts run atomically by Redis, by command name. */
export type ScriptSet = Readonly<Record<string, { readonly keys: number; readonly lua: string }>>;

/** Listener of the connection's availability. */
export type AvailabilityListener = (available: boolean, reason: string) => void;

/** Errors Redis gives while it is starting or failing over: an outage, not a bug. */
const OUTAGE_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

/** A Redis connection with availability tracking and atomic scripts. */
export class RedisConnection {
  private availableNow = false;
  private readonly listeners = new Set<AvailabilityListener>();
  private readyWaiters: (() => void)[] = [];
  private closed = false;
  private subscriber: Redis | undefined;

  private constructor(readonly client: Redis) {
    client.on('ready', () => this.setAvailable(true, 'connected'));
    client.on('close', () => this.setAvailable(false, 'connection to Redis lost'));
    // ioredis reports every failed (re)connection here; a listener keeps it from printing them.
    client.on('error', (error: Error) => {
      if (client.status !== 'ready') this.setAvailable(false, `Redis: ${error.message}`);
    });
  }

  /**
   * Opens a connection and defines the scripts; resolves once Redis answers.
   * @param redis a `redis://` URL or an ioredis client to duplicate.
   */
  static async open(redis: string | RedisClientLike, scripts: ScriptSet, maxReconnectDelayMs: number): Promise<RedisConnection> {
    const options: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => reconnectDelay(attempt, maxReconnectDelayMs),
      lazyConnect: true,
    };
    let client: Redis;
    if (typeof redis === 'string') {
      let RedisClass: typeof Redis;
      try {
        ({ Redis: RedisClass } = await import('ioredis'));
      } catch (error) {
        throw peerLoadError('ioredis', 'The shared mode with a redis:// URL', error);
      }
      client = new RedisClass(redis, options);
    } else {
      client = redis.duplicate(options) as Redis;
    }
    for (const [name, script] of Object.entries(scripts)) client.defineCommand(name, { numberOfKeys: script.keys, lua: script.lua });
    const connection = new RedisConnection(client);
    let firstError: Error | undefined;
    const noteError = (error: Error) => (firstError ??= error);
    client.on('error', noteError);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect(); // stop reconnecting: the run does not start
      const cause = firstError ?? error;
      throw new SharedStateError(`Redis could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    } finally {
      client.off('error', noteError);
    }
    return connection;
  }

  /** True while Redis is reachable. */
  get available(): boolean {
    return this.availableNow;
  }

  /** Listens to availability changes; returns a function that removes the listener. */
  onAvailability(listener: AvailabilityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when Redis is reachable (at once if it is), or when the connection closes. */
  whenAvailable(): Promise<void> {
    if (this.availableNow || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Runs a script defined at {@link open}. */
  run(name: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const command = (this.client as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name];
    if (command === undefined) throw new Error(`bcss-bulk internal error: script ${name} is not defined`);
    return command.call(this.client, ...keys, ...args);
  }

  /** True when a failed command failed because Redis was unreachable (retry when it is back). */
  isOutage(error: unknown): boolean {
    if (this.client.status !== 'ready') return true;
    const message = error instanceof Error ? error.message : String(error);
    return OUTAGE_REPLY.test(message) || /Connection is closed|Stream isn't writeable/.test(message);
  }

  /**
   * Listens to a pub/sub channel on a second connection (ioredis subscribes again after each
   * reconnection). Messages only hasten what polling does anyway, so the subscriber's own
   * connection errors are not reported: the main connection reports the outage.
   */
  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined); // the same outage is reported by the main connection
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) onMessage(message);
    });
    await subscriber.connect();
    await subscriber.subscribe(channel);
  }

  /** Closes the connection (QUIT when Redis is reachable, otherwise at once). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeWaiters();
    this.subscriber?.disconnect();
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // Redis went away while quitting: nothing is left to say to it; disconnect below.
      }
    }
    this.client.disconnect();
  }

  private setAvailable(available: boolean, reason: string): void {
    if (this.closed || available === this.availableNow) return;
    this.availableNow = available;
    if (available) this.wakeWaiters();
    for (const listener of this.listeners) listener(available, reason);
  }

  private wakeWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }
}
