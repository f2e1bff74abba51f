/**
 * This process's own receiver of hand-offs: a dedicated Redis connection that blocks (BLPOP) on
 * the process's grants list, where whoever frees a slot pushes it for the oldest waiter. While
 * Redis is down it waits for it to come back; it stops when closed.
 */
import type { Redis } from 'ioredis';

/** Receives `<seq>|<member>` grants (member empty: the wait was dropped, queue again). */
export class GrantListener {
  #closed = false;
  readonly #client: Redis;
  readonly #done: Promise<void>;

  constructor(
    base: Redis,
    private readonly key: string,
    private readonly onGrant: (seq: number, member: string | undefined) => void,
    private readonly blockSeconds = 1,
  ) {
    this.#client = base.duplicate({ enableOfflineQueue: true, lazyConnect: true });
    this.#client.on('error', () => undefined); // the main connection reports outages
    this.#done = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      await this.#client.connect();
    } catch {
      // reconnects by itself; BLPOP below waits in the offline queue
    }
    while (!this.#closed) {
      let reply: [string, string] | null;
      try {
        reply = await this.#client.blpop(this.key, this.blockSeconds);
      } catch {
        if (this.#closed) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (reply === null) continue;
      const [seq, member] = splitGrant(reply[1]);
      this.onGrant(seq, member);
    }
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#client.disconnect();
    await this.#done.catch(() => undefined);
  }
}

/** Parses a grant `<seq>|<member>`. */
export function splitGrant(grant: string): [number, string | undefined] {
  const bar = grant.indexOf('|');
  const member = grant.slice(bar + 1);
  return [Number(grant.slice(0, bar)), member === '' ? undefined : member];
}
