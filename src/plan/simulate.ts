/**
 * Simulation of a whole batch in virtual time: the real engine ({@link createRun}) runs the
 * plan against a simulated service (a latency model and an error mix, drawn from a seeded
 * random) on a {@link FakeClock}, so a batch of a million calls that would take days runs in
 * seconds and says when it would finish, how many calls it makes, and how many allowed windows
 * it needs.
 */
import { z } from 'zod';
import { runOptionsSchema, type CallContext, type RunOptions } from '../engine/config.js';
import type { SourceConfig } from '../policy/source.js';
import { runCalendarSchema, type RunCalendarConfig } from '../calendar/run-calendar.js';
import { sourceSchema } from '../policy/source.js';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import { parseOptions, ratio } from '../util/options.js';
import { HttpStatusError } from '../policy/errors.js';
import type { StateChange } from '../engine/events.js';
import { latencyModelSchema, sampleLatency, type LatencyModel } from './latency-model.js';
import { createRun } from '../engine/create-run.js';
import type { RunSummary } from '../engine/status.js';
import { seededRandom } from '../util/seeded-random.js';
import { isFinal, type PauseReason, type RunState } from '../engine/state-machine.js';
import { FakeClock } from '../util/fake-clock.js';

/** Schema of an {@link ErrorMix}. */
export const errorMixSchema = z
  .strictObject({
    reject: ratio.default(0),
    transient: ratio.default(0),
    retryAfter: ratio.default(0),
    retryAfterSeconds: z.number().int().nonnegative().default(2),
  })
  .refine((mix) => mix.reject + mix.transient + mix.retryAfter <= 1, { message: 'the shares reject + transient + retryAfter must not exceed 1' });

/**
 * What share of attempts fail, and how; the rest succeed. Each attempt draws its outcome anew,
 * so a retried item may fail again. The shares (each from 0 to 1) add up to 1 at most.
 */
export interface ErrorMix {
  /**
   * Share of business rejects (HTTP 404), recorded and never retried.
   * @defaultValue `0`
   */
  readonly reject?: number | undefined;
  /**
   * Share of transient failures (HTTP 503), retried after backoff with jitter.
   * @defaultValue `0`
   */
  readonly transient?: number | undefined;
  /**
   * Share of HTTP 503 with `Retry-After: retryAfterSeconds`, retried after it.
   * @defaultValue `0`
   */
  readonly retryAfter?: number | undefined;
  /**
   * The `Retry-After` of those, in seconds.
   * @defaultValue `2`
   */
  readonly retryAfterSeconds?: number | undefined;
}

/** One source of a simulated batch: its configuration, the number of items, and optionally its own service behaviour. */
export interface SimulatedSource extends SourceConfig {
  /**
   * Items of this source in the batch.
   * @defaultValue none: required
   */
  readonly items: number;
  /**
   * Latency of this source's service.
   * @defaultValue the batch's `latency`
   */
  readonly latency?: LatencyModel | undefined;
  /**
   * Error mix of this source's service.
   * @defaultValue the batch's `errors`
   */
  readonly errors?: ErrorMix | undefined;
}

/** Run options a simulation passes to the engine as they are. */
export type SimulatedRunOptions = Pick<
  RunOptions<string, unknown>,
  'maxConcurrency' | 'timeoutMs' | 'retry' | 'overload' | 'rejectBudget' | 'minPauseMs' | 'prefetch' | 'drainDeadlineMs'
>;

/** A batch plan to simulate. */
export interface SimulateBatchOptions extends SimulatedRunOptions {
  /**
   * The sources, with their kind, cap and number of items. The input interleaves them in proportion to their volumes.
   * @defaultValue none: required
   */
  readonly sources: Readonly<Record<string, SimulatedSource>>;
  /**
   * Instant the batch starts.
   * @defaultValue now
   */
  readonly start?: Date | number | undefined;
  /**
   * Latency of the service.
   * @defaultValue `{ kind: 'fixed', ms: 200 }`
   */
  readonly latency?: LatencyModel | undefined;
  /**
   * Share of attempts that fail, and how.
   * @defaultValue `{}`: none fails
   */
  readonly errors?: ErrorMix | undefined;
  /**
   * Seed of the random numbers (latencies, errors, retry jitter); the same seed gives the same result.
   * @defaultValue `1`
   */
  readonly seed?: number | undefined;
  /**
   * The office-hours calendar of the run, as the engine's `calendar` option. The simulated run
   * waits for its windows (`waitForWindow`) and drains at their end as a real one does;
   * `windows` counts them.
   * @defaultValue the BCSS rule, Mon–Fri 08:00–17:00 Europe/Brussels
   */
  readonly calendar?: RunCalendarConfig | undefined;
}

/** What a simulated source did. */
export interface SimulatedSourceReport {
  readonly cap: number;
  readonly items: number;
  /** Calls the simulated service received (attempts, retries included). */
  readonly calls: number;
  /** Highest number of simultaneous calls the simulated service saw. */
  readonly peakConcurrency: number;
  /** Calls that started while `cap` calls of the source were already running (0 unless the caps were broken). */
  readonly callsOverCap: number;
  readonly succeeded: number;
  readonly rejected: number;
  readonly exhausted: number;
}

/** What a simulated batch did, in virtual time. */
export interface SimulationReport {
  /** Final state of the run: `completed`, or `stopped` when it halted (see `haltedBy`), or `failed`. */
  readonly state: RunState;
  /** Why the run halted before the end, when it did: e.g. `reject-budget` (the run paused itself; the simulation stopped it). */
  readonly haltedBy: PauseReason | undefined;
  readonly startedAt: Date;
  /** Virtual instant the last item finished. */
  readonly finishedAt: Date;
  /** Virtual duration of the batch, in ms (`finishedAt − startedAt`). */
  readonly durationMs: number;
  /** Allowed windows the batch needed: each time the run started running after waiting for a window (1 without a calendar). */
  readonly windows: number;
  readonly items: number;
  /** Calls made (attempts, retries included). */
  readonly calls: number;
  readonly retries: number;
  readonly succeeded: number;
  readonly rejected: number;
  readonly exhausted: number;
  /** Items read but not finished (a halted run). */
  readonly unfinished: number;
  readonly sources: Readonly<Record<string, SimulatedSourceReport>>;
  /** Wall-clock time the simulation took, in ms. */
  readonly wallMs: number;
  /** The engine's own summary of the run. */
  readonly summary: RunSummary;
}

/** Schema of one {@link SimulatedSource}. */
export const simulatedSourceSchema = sourceSchema.extend({ items: z.number().int().nonnegative(), latency: latencyModelSchema.optional(), errors: errorMixSchema.optional() });

/**
 * Schema of {@link SimulateBatchOptions}: the run options it passes on are those of the
 * engine's schema. Keys it does not know are left to the engine.
 */
export const simulateBatchSchema = z.object({
  ...runOptionsSchema.pick({ maxConcurrency: true, timeoutMs: true, retry: true, overload: true, rejectBudget: true, minPauseMs: true, prefetch: true, drainDeadlineMs: true }).shape,
  sources: z.record(z.string().min(1), simulatedSourceSchema).refine((s) => Object.keys(s).length > 0, 'configure at least one source'),
  start: z.union([z.date(), z.number()]).optional(),
  latency: latencyModelSchema.default({ kind: 'fixed', ms: 200 }),
  errors: errorMixSchema.default(() => errorMixSchema.parse({})),
  seed: z.number().int().default(1),
  calendar: runCalendarSchema.optional(),
});

type _ErrorMixAgrees = Assert<SchemaMatches<z.input<typeof errorMixSchema>, ErrorMix>>;
type _SimulatedSourceAgrees = Assert<SchemaMatches<z.input<typeof simulatedSourceSchema>, SimulatedSource>>;
type _SimulateBatchOptionsAgree = Assert<SchemaMatches<z.input<typeof simulateBatchSchema>, SimulateBatchOptions>>;

type Mix = z.output<typeof errorMixSchema>;

/** The announcement of a simulated run: an override, since a simulation calls nothing. */
const SIMULATION_ANNOUNCEMENT = { override: { reason: 'simulation in virtual time against simulated services: nothing is called' } } as const;

/** The simulated service of one source: its latency, its error mix, and what it saw. */
interface SimulatedLane {
  readonly latency: LatencyModel;
  readonly mix: Mix;
  readonly timeoutMs: number;
  cap: number;
  inFlight: number;
  peak: number;
  overCap: number;
  calls: number;
}

/**
 * Runs a batch plan in virtual time through the real engine and reports when it would finish.
 * Deterministic for a given seed. A million calls take a few seconds of wall time.
 *
 * @throws {ConfigError} a malformed plan (each issue names its path), or a run option the engine refuses.
 * @throws {PolicyError} a cap above the BCSS policy without a written override.
 */
export async function simulateBatch(options: SimulateBatchOptions): Promise<SimulationReport> {
  const plan = parseOptions(simulateBatchSchema, options, 'simulation plan');
  const { sources, start, latency: _latency, errors: _errors, seed: _seed, calendar, ...runOptions } = options;
  const wallStart = performance.now();
  const clock = new FakeClock(start ?? Date.now(), { waitForIo: false }); // no I/O here: no wait per timer
  const startedAt = clock.now();
  const serviceRandom = seededRandom(plan.seed);
  const jitterRandom = seededRandom(plan.seed ^ 0x5bd1e995);

  const lanes = new Map<string, SimulatedLane>();
  const volumes: Array<[string, number]> = [];
  const runSources: Record<string, SourceConfig> = {};
  for (const [name, source] of Object.entries(sources)) {
    const { items, latency: _ownLatency, errors: _ownErrors, ...config } = source;
    const own = plan.sources[name]!;
    runSources[name] = config;
    volumes.push([name, items]);
    lanes.set(name, {
      latency: own.latency ?? plan.latency,
      mix: own.errors ?? plan.errors,
      timeoutMs: config.timeoutMs ?? options.timeoutMs ?? 30_000,
      cap: Number.POSITIVE_INFINITY, // the resolved cap, known once the run is created
      inFlight: 0,
      peak: 0,
      overCap: 0,
      calls: 0,
    });
  }

  const call = (_source: string, context: CallContext): Promise<string> => {
    const lane = lanes.get(context.source)!;
    lane.calls++;
    if (lane.inFlight >= lane.cap) lane.overCap++;
    if (++lane.inFlight > lane.peak) lane.peak = lane.inFlight;
    const latencyMs = sampleLatency(lane.latency, serviceRandom);
    const failure = drawFailure(lane.mix, serviceRandom());
    return new Promise<string>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        lane.inFlight--;
        if (failure === undefined) resolve('OK');
        else reject(failure());
      }, latencyMs);
      if (latencyMs < lane.timeoutMs) return; // replies before its timeout: the signal is not needed (and not created)
      const signal = context.signal;
      signal.addEventListener(
        'abort',
        () => {
          clock.clearTimeout(timer);
          lane.inFlight--;
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };

  const run = createRun<string, string>({
    ...runOptions,
    ...(calendar === undefined ? {} : { calendar }),
    announcement: SIMULATION_ANNOUNCEMENT,
    waitForWindow: true,
    input: interleave(volumes),
    source: (name) => name,
    sources: runSources,
    call,
    clock,
    random: jitterRandom,
    store: { open: () => undefined, record: () => undefined },
  });

  for (const [name, status] of Object.entries(run.status().sources)) lanes.get(name)!.cap = status.cap;
  const changes: StateChange[] = [];
  run.on('state', (change) => changes.push(change));
  const done = run.start();
  done.catch(() => undefined); // awaited below, once the clock has run
  const ended = () => isFinal(run.state);
  await clock.runUntil(ended, Number.POSITIVE_INFINITY);
  let haltedBy: PauseReason | undefined;
  if (!ended()) {
    // No timer left and not finished: the run paused itself (e.g. the reject budget) and waits for an operator.
    haltedBy = run.status().pauseReason;
    void run.stop();
    await clock.runUntil(ended, Number.POSITIVE_INFINITY);
  }
  const summary = await done;

  const reports: Record<string, SimulatedSourceReport> = {};
  for (const [name, lane] of lanes) {
    const status = summary.sources[name]!;
    reports[name] = {
      cap: status.cap,
      items: sources[name]!.items,
      calls: lane.calls,
      peakConcurrency: lane.peak,
      callsOverCap: lane.overCap,
      succeeded: status.succeeded,
      rejected: status.rejected,
      exhausted: status.exhausted,
    };
  }
  const finishedAt = summary.endedAt;
  return {
    state: summary.state,
    haltedBy,
    startedAt: new Date(startedAt),
    finishedAt: new Date(finishedAt),
    durationMs: finishedAt - startedAt,
    windows: countWindows(changes),
    items: summary.totals.read,
    calls: summary.totals.attempts,
    retries: summary.totals.retries,
    succeeded: summary.totals.succeeded,
    rejected: summary.totals.rejected,
    exhausted: summary.totals.exhausted,
    unfinished: summary.unfinished,
    sources: reports,
    wallMs: performance.now() - wallStart,
    summary,
  };
}

/** The failure an attempt ends with, drawn from the mix with `draw` in [0, 1), or undefined for a success. */
function drawFailure(mix: Mix, draw: number): (() => Error) | undefined {
  if (draw < mix.reject) return () => new HttpStatusError(404, { message: 'simulated reject' });
  if (draw < mix.reject + mix.transient) return () => new HttpStatusError(503, { message: 'simulated transient failure' });
  if (draw < mix.reject + mix.transient + mix.retryAfter) {
    return () => new HttpStatusError(503, { retryAfter: String(mix.retryAfterSeconds), message: 'simulated transient failure with Retry-After' });
  }
  return undefined;
}

/**
 * The items of a batch, one source name per item, the sources interleaved in proportion to
 * their volumes (each next item goes to the source furthest behind its share), read lazily.
 */
export function* interleave(volumes: ReadonlyArray<readonly [string, number]>): Generator<string> {
  const total = volumes.reduce((sum, [, count]) => sum + count, 0);
  const emitted = volumes.map(() => 0);
  for (let n = 0; n < total; n++) {
    let best = -1;
    let bestLag = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < volumes.length; i++) {
      const count = volumes[i]![1];
      if (emitted[i]! >= count) continue;
      const lag = (n + 1) * (count / total) - emitted[i]!;
      if (lag > bestLag) {
        bestLag = lag;
        best = i;
      }
    }
    emitted[best]!++;
    yield volumes[best]![0];
  }
}

/**
 * Counts the allowed windows a run used, from its `state` events: the start of the run, and
 * every return to `running` after waiting for a window (from `waiting`, or from a pause whose
 * reason was `office-hours`). A manual or reject-budget pause does not open a new window.
 */
export function countWindows(changes: readonly StateChange[]): number {
  let windows = 0;
  let pausedForHours = false;
  for (const change of changes) {
    if (change.to === 'paused') pausedForHours = change.reason === 'office-hours';
    if (change.to !== 'running') continue;
    if (change.from === 'idle' || change.from === 'waiting' || (change.from === 'paused' && pausedForHours)) windows++;
  }
  return windows;
}
