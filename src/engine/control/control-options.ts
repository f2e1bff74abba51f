/**
 * Options of a run's live control: the status snapshot and the commands in its run directory
 * (see live-control.ts). Validated with zod like the rest of a run's options.
 */
import { z } from 'zod';
import { positiveMs } from '../../util/options.js';
import type { Assert, SchemaMatches } from '../../util/type-checks.js';

/** Schema of the `control` option of a run. */
export const liveControlSchema = z.strictObject({
  refreshMs: positiveMs.max(60_000).default(2_000),
  pollMs: positiveMs.max(2_000, 'at most 2000: a command must be picked up within 2 s').default(500),
});

/**
 * The live control of a run whose store is a `FileStore`: the run keeps a status snapshot
 * (`status.json`) in its run directory and takes the operator's commands (`bcss-bulk
 * status|pause|resume|stop DIR`). See docs/operating.md.
 */
export interface LiveControlOptions {
  /**
   * How often the status snapshot is rewritten while the run is live (besides each state change), in ms.
   * @defaultValue `2000`
   */
  readonly refreshMs?: number | undefined;
  /**
   * How often the run looks for commands besides watching the folder (the bound on picking one up), in ms; at most 2000.
   * @defaultValue `500`
   */
  readonly pollMs?: number | undefined;
}

type _LiveControlAgrees = Assert<SchemaMatches<z.input<typeof liveControlSchema>, LiveControlOptions>>;

/** Live control options after validation. */
export type ResolvedLiveControl = z.output<typeof liveControlSchema>;
