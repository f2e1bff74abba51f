/**
 * Configuration of the shared mode: caps enforced across every process (on any host) that uses
 * the same Redis and namespace, and a run lock. Validated with zod like the rest of a run's
 * options; the bounds derived from it (lease, lock, recovery) are computed here, in one place.
 */
import { z } from 'zod';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import { nonNegativeMs, positiveMs as ms } from '../util/options.js';

/**
 * The least an ioredis client must offer to be shared: the run never uses the client itself,
 * it opens its own connection with `duplicate()` (same server, credentials and TLS) and closes it.
 */
export interface RedisClientLike {
  /** Opens a new connection with the same settings (ioredis' `duplicate`). */
  duplicate(override?: object): unknown;
}


/** Schema of the `shared` option of a run. */
export const sharedSchema = z.strictObject({
  redis: z.union(
    [
      z.string().regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL"),
      z.custom<RedisClientLike>((v) => typeof v === 'object' && v !== null && typeof (v as RedisClientLike).duplicate === 'function', {
        message: 'expected an ioredis client',
      }),
    ],
    { message: 'expected a redis:// URL or an ioredis client' },
  ),
  namespace: z.string().trim().min(1, 'name the namespace shared by every process of the institution').max(200),
  runName: z.string().trim().min(1, 'name the run (for instance its run directory), for the run lock').max(200),
  leaseMarginMs: ms.default(5_000),
  leaseMs: ms.optional(),
  lockMs: ms.default(30_000),
  recoveryMs: ms.default(5_000),
  pollMs: ms.default(50),
  keepSlotMs: nonNegativeMs.default(500),
  maxReconnectDelayMs: ms.default(2_000),
}).superRefine((shared, context) => {
  // Holders reconnect within maxReconnectDelayMs of Redis's return and then re-register their leases.
  if (shared.recoveryMs <= shared.maxReconnectDelayMs) {
    context.addIssue({ code: 'custom', path: ['recoveryMs'], message: `must exceed maxReconnectDelayMs (${shared.maxReconnectDelayMs}), or running calls may not have re-registered their leases when the recovery window ends` });
  }
});

/** Shared mode of a run: caps and a run lock held in Redis (see docs/shared-mode.md). */
export interface SharedOptions {
  /**
   * A `redis://` / `rediss://` URL (needs the optional `ioredis` package), or an ioredis client to duplicate.
   * @defaultValue none: required
   */
  readonly redis: string | RedisClientLike;
  /**
   * Institution-wide namespace: every process using it shares the caps of each source name.
   * @defaultValue none: required
   */
  readonly namespace: string;
  /**
   * Name of the run (for instance its run directory): one process at a time may process it.
   * @defaultValue none: required
   */
  readonly runName: string;
  /**
   * Added to the longest a call may hold its slot (the source's `hardDeadlineMs` plus its
   * `abortGraceMs`) to give its lease time-to-live, in ms. The lease is renewed while the call
   * runs; the time-to-live is how long the slots of a process that died (or froze) stay taken.
   * @defaultValue `5000`
   */
  readonly leaseMarginMs?: number | undefined;
  /**
   * Lease time-to-live for every source, in ms; never less than `hardDeadlineMs + abortGraceMs +
   * leaseMarginMs` (a shorter one is raised to it: the cap must hold for a call's whole life).
   * @defaultValue the source's `hardDeadlineMs` plus `abortGraceMs` plus `leaseMarginMs`
   */
  readonly leaseMs?: number | undefined;
  /**
   * Time-to-live of the run lock, renewed every third of it, in ms.
   * @defaultValue `30000`
   */
  readonly lockMs?: number | undefined;
  /**
   * After Redis lost its data (restart without persistence), new leases wait this long for
   * running calls to re-register, in ms (more than `maxReconnectDelayMs`).
   * @defaultValue `5000`
   */
  readonly recoveryMs?: number | undefined;
  /**
   * Wait between two tries while Redis refuses commands for a moment, in ms. Slots released by
   * other processes are handed over at once (no polling); slots of dead processes come back at
   * their lease's expiry.
   * @defaultValue `50`
   */
  readonly pollMs?: number | undefined;
  /**
   * The fairness bound between processes, in ms. A slot that came to this process through Redis
   * serves this process's next items of the same source, with no Redis round trip, for this long;
   * the first call to end after that gives it back to Redis, which hands it to the process that
   * has waited longest. Longer: fewer hand-offs, so more of the cap used when calls are short (each
   * hand-off leaves the slot empty for about a millisecond or two); shorter: slots rotate between
   * processes more often. `0`: every slot goes back to Redis after each call.
   * @defaultValue `500`
   */
  readonly keepSlotMs?: number | undefined;
  /**
   * Longest delay between two reconnection attempts while Redis is down, in ms.
   * @defaultValue `2000`
   */
  readonly maxReconnectDelayMs?: number | undefined;
}

// The schema and the interface cannot drift apart.
type _SharedAgrees = Assert<SchemaMatches<z.input<typeof sharedSchema>, SharedOptions>>;

/** Shared options after validation, with defaults applied. */
export type ResolvedShared = z.output<typeof sharedSchema>;

/**
 * Time-to-live of a lease of a call that may hold its slot `holdMs` (its source's hard deadline
 * plus grace time): the bound after which the slots of a process that died come back.
 */
export function leaseTtl(shared: Pick<ResolvedShared, 'leaseMs' | 'leaseMarginMs'>, holdMs: number): number {
  return Math.max(shared.leaseMs ?? 0, holdMs + shared.leaseMarginMs);
}

/** Delay before the `attempt`-th reconnection (from 1): doubling from 100 ms up to `maxMs`. */
export function reconnectDelay(attempt: number, maxMs: number): number {
  return Math.min(100 * 2 ** Math.min(Math.max(attempt - 1, 0), 20), maxMs);
}
