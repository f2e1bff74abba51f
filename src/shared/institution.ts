/**
 * The institution-wide pause and the registry of live runs, in Redis (shared mode):
 *
 * - `bcss-bulk:{NS}:institution:pause` — a hash: field `*` pauses every run of the namespace,
 *   field `source:NAME` pauses the calls of one source; each value says why, when and who
 *   (JSON). Set and cleared by `bcss-bulk pause|resume --redis URL --namespace NS`.
 * - `bcss-bulk:{NS}:institution` — pub/sub channel: a message after each change, so that the
 *   runs of every host react at once; they also read the hash every `pollMs` (a message is
 *   lost while a subscriber reconnects), which bounds the reaction whatever pub/sub does.
 * - `bcss-bulk:{NS}:live:HOST:PID:RUN` — one entry per live run (host, pid, state, in flight
 *   and cap per source), written with a time to live and refreshed by the run: an entry of a
 *   process that died disappears within its time to live.
 */
import { hostname } from 'node:os';
import { RedisConnection } from './redis-connection.js';
import type { RedisClientLike } from './shared-options.js';

/** Prefix of every key of a namespace (the same as the shared caps': one hash slot per namespace). */
function prefix(namespace: string): string {
  return `bcss-bulk:{${namespace}}`;
}

/** Hash field of the pause of the whole namespace. */
const ALL = '*';

/** Who paused, when, and why. */
export interface InstitutionPause {
  /** Instant of the pause (ms since epoch). */
  readonly at: number;
  readonly reason?: string;
  /** `host pid N` of the command that paused. */
  readonly by: string;
}

/** What is paused in a namespace. */
export interface InstitutionState {
  /** The pause of every run of the namespace, if any. */
  readonly all: InstitutionPause | undefined;
  /** Paused sources, by name. */
  readonly sources: Readonly<Record<string, InstitutionPause>>;
}

/** A live run as its registry entry says. */
export interface LiveRunEntry {
  readonly host: string;
  readonly pid: number;
  readonly runName: string;
  readonly name?: string;
  readonly state: string;
  readonly pauseReason?: string;
  readonly sources: Readonly<Record<string, { readonly inFlight: number; readonly cap: number; readonly queued: number }>>;
  readonly finished: number;
  /** Instant the entry was written (ms since epoch). */
  readonly at: number;
}

/** Parses the hash of pauses (a damaged value counts as a pause without reason: a pause is never lost). */
export function parsePauses(hash: Readonly<Record<string, string>>): InstitutionState {
  let all: InstitutionPause | undefined;
  const sources: Record<string, InstitutionPause> = {};
  for (const [field, value] of Object.entries(hash)) {
    let pause: InstitutionPause;
    try {
      const parsed = JSON.parse(value) as Partial<InstitutionPause>;
      pause = { at: typeof parsed.at === 'number' ? parsed.at : 0, by: typeof parsed.by === 'string' ? parsed.by : 'unknown', ...(typeof parsed.reason === 'string' ? { reason: parsed.reason } : {}) };
    } catch {
      pause = { at: 0, by: 'unknown', reason: `unreadable pause entry: ${value.slice(0, 80)}` };
    }
    if (field === ALL) all = pause;
    else if (field.startsWith('source:')) sources[field.slice('source:'.length)] = pause;
  }
  return { all, sources };
}

/** A connection to the institution's control in Redis. */
export class Institution {
  readonly #pauseKey: string;
  readonly #channel: string;
  readonly #livePrefix: string;

  private constructor(
    private readonly connection: RedisConnection,
    readonly namespace: string,
  ) {
    this.#pauseKey = `${prefix(namespace)}:institution:pause`;
    this.#channel = `${prefix(namespace)}:institution`;
    this.#livePrefix = `${prefix(namespace)}:live:`;
  }

  /** Connects to Redis; resolves once it answers. */
  static async open(redis: string | RedisClientLike, namespace: string, maxReconnectDelayMs = 2_000): Promise<Institution> {
    return new Institution(await RedisConnection.open(redis, {}, maxReconnectDelayMs), namespace);
  }

  /** True while Redis is reachable. */
  get available(): boolean {
    return this.connection.available;
  }

  /** True when a failed command failed because Redis was unreachable (it is retried when Redis is back). */
  isOutage(error: unknown): boolean {
    return this.connection.isOutage(error);
  }

  /** What is paused now. */
  async read(): Promise<InstitutionState> {
    return parsePauses(await this.connection.client.hgetall(this.#pauseKey));
  }

  /** Calls `listener` at each change announced on the namespace's channel. */
  async onChange(listener: () => void): Promise<void> {
    await this.connection.subscribe(this.#channel, () => listener());
  }

  /** Pauses every run of the namespace, or the calls of one source; announces it. */
  async pause(source: string | undefined, reason: string | undefined, now = Date.now()): Promise<void> {
    const pause: InstitutionPause = { at: now, by: `${hostname()} pid ${process.pid}`, ...(reason === undefined ? {} : { reason }) };
    await this.connection.client.hset(this.#pauseKey, source === undefined ? ALL : `source:${source}`, JSON.stringify(pause));
    await this.connection.client.publish(this.#channel, 'changed');
  }

  /** Lifts the pause of the namespace (or of one source); true when there was one. */
  async resume(source: string | undefined): Promise<boolean> {
    const removed = await this.connection.client.hdel(this.#pauseKey, source === undefined ? ALL : `source:${source}`);
    await this.connection.client.publish(this.#channel, 'changed');
    return removed > 0;
  }

  /** Writes (or refreshes) the entry of a live run, with a time to live. */
  async publishLive(entry: LiveRunEntry, ttlMs: number): Promise<void> {
    await this.connection.client.set(this.liveKey(entry), JSON.stringify(entry), 'PX', ttlMs);
  }

  /** Removes the entry of a run that ended. */
  async removeLive(entry: Pick<LiveRunEntry, 'host' | 'pid' | 'runName'>): Promise<void> {
    await this.connection.client.del(this.liveKey(entry));
  }

  /** The live runs of the namespace (entries whose time to live has not run out), by host and pid. */
  async listLive(): Promise<LiveRunEntry[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.connection.client.scan(cursor, 'MATCH', `${this.#livePrefix}*`, 'COUNT', 200);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.connection.client.mget(...keys);
    const entries: LiveRunEntry[] = [];
    for (const value of values) if (value !== null) entries.push(JSON.parse(value) as LiveRunEntry);
    return entries.sort((a, b) => (a.host === b.host ? a.pid - b.pid : a.host < b.host ? -1 : 1));
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.connection.close();
  }

  private liveKey(entry: Pick<LiveRunEntry, 'host' | 'pid' | 'runName'>): string {
    return `${this.#livePrefix}${entry.host}:${entry.pid}:${entry.runName}`;
  }
}
