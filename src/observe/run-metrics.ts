/**
 * Prometheus metrics of a run, through prom-client (an optional peer dependency, loaded only by
 * the `bcss-bulk/metrics` entry). Every value is read from `run.status()` when the registry is
 * collected (a scrape), so a call costs nothing more; the rejects by code come from the run's
 * `reject` events, counted in a map.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { MetricsRegistrationError } from './errors.js';
import { requirePeer } from '../util/peer.js';
import { parseOptions } from '../util/options.js';
import { assertReadableOptions } from '../util/options-guard.js';
import type { Detach, ObservedRun, RunObserver } from '../engine/observed-run.js';
import { detachOnce, OneRun } from './attach.js';
import type { StatusSource } from './progress.js';
import type { RunStatus } from '../engine/status.js';
import { RUN_STATES } from '../engine/state-machine.js';

/** Options of {@link runMetrics}. */
export interface RunMetricsOptions {
  /**
   * Where the metrics go.
   * @defaultValue prom-client's global registry
   */
  readonly registry?: Registry;
  /**
   * Prefix of the metric names.
   * @defaultValue `'bcss_bulk_'`
   */
  readonly prefix?: string;
  /**
   * Labels of this run's series. `run` names the run, so that several runs share one registry:
   * either every run on a registry and prefix has a `run` label (each a different one), or a
   * single run has none.
   * @defaultValue no label
   */
  readonly labels?: { readonly run?: string };
}

/**
 * The metrics of one run, made by {@link runMetrics}: `attach(run, metrics)` registers its
 * series; the {@link Detach} removes them (and the metrics themselves when it was the last run
 * on them) and its listener.
 */
export type RunMetricsObserver = RunObserver;

/**
 * The metrics of a run on a registry, as {@link registerRunMetrics} returns them.
 *
 * @deprecated use `const off = attach(run, runMetrics(options))`; `off()` replaces `unregister()`.
 */
export interface RunMetrics {
  /** Removes the run's series (and the metrics themselves when it was the last run on them), and its listener. */
  unregister(): void;
}

/** A run attached to a family of metrics. */
interface AttachedRun {
  readonly run: StatusSource;
  /** The `run` label, or undefined when the family has no `run` label. */
  readonly label: string | undefined;
  /** Rejects (and exhausted items) counted from `reject` events, by source and code. */
  readonly rejects: Map<string, { readonly source: string; readonly code: string; count: number }>;
}

/** The metrics registered under one prefix on one registry, and the runs they report. */
interface Family {
  readonly withRunLabel: boolean;
  readonly runs: Map<string, AttachedRun>;
  readonly names: readonly string[];
}

const families = new WeakMap<Registry, Map<string, Family>>();

type PromClient = typeof import('prom-client');
let promClient: PromClient | undefined;

/**
 * prom-client, loaded at the first registration (not when this entry is imported).
 *
 * @throws {MissingPeerError} prom-client is not installed.
 */
function prom(): PromClient {
  promClient ??= requirePeer<PromClient>('prom-client', 'bcss-bulk/metrics (Prometheus metrics of a run)');
  return promClient;
}

type Labels = Record<string, string>;

/** The label set of a series: the run's label (when the family has one) and the series' own. */
function labelsOf(attached: AttachedRun, own: Labels): Labels {
  return attached.label === undefined ? own : { run: attached.label, ...own };
}

/** Metric definitions: name, help, labels of their own, and how to read the values from a status. */
interface Definition {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly values: (status: RunStatus, attached: AttachedRun) => Iterable<readonly [Labels, number]>;
}

function* perSource(status: RunStatus, read: (source: RunStatus['sources'][string]) => number): Iterable<readonly [Labels, number]> {
  for (const [name, source] of Object.entries(status.sources)) yield [{ source: name }, read(source)];
}

const DEFINITIONS: readonly Definition[] = [
  { name: 'calls_total', help: 'Calls started (attempts), per source.', type: 'counter', labelNames: ['source'], values: (s) => perSource(s, (x) => x.attempts) },
  {
    name: 'outcomes_total',
    help: 'Items finished, per source and outcome (success, reject, exhausted).',
    type: 'counter',
    labelNames: ['source', 'outcome'],
    *values(status) {
      for (const [name, source] of Object.entries(status.sources)) {
        yield [{ source: name, outcome: 'success' }, source.succeeded];
        yield [{ source: name, outcome: 'reject' }, source.rejected];
        yield [{ source: name, outcome: 'exhausted' }, source.exhausted];
      }
    },
  },
  { name: 'retries_total', help: 'Attempts that failed transiently and were retried, per source.', type: 'counter', labelNames: ['source'], values: (s) => perSource(s, (x) => x.retries) },
  {
    name: 'rejects_total',
    help: 'Items rejected or exhausted, per source and code (never the item key).',
    type: 'counter',
    labelNames: ['source', 'code'],
    *values(_status, attached) {
      for (const entry of attached.rejects.values()) yield [{ source: entry.source, code: entry.code }, entry.count];
    },
  },
  { name: 'in_flight', help: 'Calls running now, per source.', type: 'gauge', labelNames: ['source'], values: (s) => perSource(s, (x) => x.inFlight) },
  { name: 'cap', help: 'Simultaneous calls allowed, per source.', type: 'gauge', labelNames: ['source'], values: (s) => perSource(s, (x) => x.cap) },
  { name: 'queued', help: 'Items read and waiting for a slot, per source.', type: 'gauge', labelNames: ['source'], values: (s) => perSource(s, (x) => x.queued) },
  {
    name: 'window_state',
    help: 'State of the run: 1 for the current state, 0 for the others.',
    type: 'gauge',
    labelNames: ['state'],
    *values(status) {
      for (const state of RUN_STATES) yield [{ state }, state === status.state ? 1 : 0];
    },
  },
  {
    name: 'next_window_timestamp_seconds',
    help: 'While the run waits for its office-hours window: when it opens (Unix time, seconds); 0 otherwise.',
    type: 'gauge',
    labelNames: [],
    *values(status) {
      yield [{}, status.nextWindowAt === undefined ? 0 : status.nextWindowAt / 1000];
    },
  },
];

/** Creates the family's metrics on the registry; each refreshes its series from the runs when collected. */
function createFamily(registry: Registry, prefix: string, withRunLabel: boolean): Family {
  const { Counter, Gauge } = prom();
  const runs = new Map<string, AttachedRun>();
  const names: string[] = [];
  for (const definition of DEFINITIONS) {
    const name = `${prefix}${definition.name}`;
    if (registry.getSingleMetric(name) !== undefined) {
      for (const created of names) registry.removeSingleMetric(created);
      throw new MetricsRegistrationError(`A metric named ${name} is already on the registry (registered outside bcss-bulk): give another prefix`);
    }
    const labelNames = withRunLabel ? ['run', ...definition.labelNames] : [...definition.labelNames];
    const collect = function (this: Counter | Gauge): void {
      this.reset();
      for (const attached of runs.values()) {
        const status = attached.run.status();
        for (const [labels, value] of definition.values(status, attached)) {
          if (this instanceof Counter) this.inc(labelsOf(attached, labels), value);
          else this.set(labelsOf(attached, labels), value);
        }
      }
    };
    const config = { name, help: definition.help, labelNames, registers: [registry], collect };
    if (definition.type === 'counter') new Counter(config);
    else new Gauge(config);
    names.push(name);
  }
  return { withRunLabel, runs, names };
}

const metricsOptionsSchema = z.object({
  registry: z
    .custom<Registry>((value) => typeof value === 'object' && value !== null && typeof (value as Registry).getSingleMetric === 'function', 'expected a prom-client Registry')
    .optional(),
  prefix: z
    .string()
    .regex(/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/, 'expected a Prometheus metric name prefix (letters, digits, _ and :, not starting with a digit)')
    .optional(),
  labels: z.strictObject({ run: z.string().min(1).optional() }).optional(),
});

/**
 * The Prometheus metrics of one run (see {@link registerRunMetrics} for the series), attached
 * with `attach(run, runMetrics(options))`; several runs on one registry need each a different
 * `labels.run`.
 *
 * @example
 * ```ts
 * import { attach } from 'bcss-bulk';
 * import { runMetrics } from 'bcss-bulk/metrics';
 *
 * const off = attach(run, runMetrics({ registry, labels: { run: 'rn-lookups-2026-11' } }));
 * await run.start();
 * off(); // the run's series leave the registry
 * ```
 *
 * @throws {ConfigError} malformed options, with the path of the field.
 * @throws {MissingPeerError} prom-client is not installed (it is an optional peer dependency).
 */
export function runMetrics(options: RunMetricsOptions = {}): RunMetricsObserver {
  assertReadableOptions(options, 'metrics options');
  parseOptions(metricsOptionsSchema, options, 'metrics options');
  prom();
  const attachment = new OneRun<RunMetrics>('run metrics');
  return {
    attach(run: ObservedRun): Detach {
      const metrics = attachment.begin(() => registerOn(run, options));
      return detachOnce(() => metrics.unregister());
    },
  };
}

/**
 * Registers the Prometheus metrics of a run (prefix `bcss_bulk_` by default):
 * counters `calls_total{source}` (attempts), `outcomes_total{source,outcome}` (success, reject,
 * exhausted), `retries_total{source}`, `rejects_total{source,code}` (from the `reject` event:
 * rejected and exhausted items; the item key is never a label); gauges `in_flight{source}`,
 * `cap{source}`, `queued{source}`, `window_state{state}` (1 for the current state, 0 for the
 * others) and `next_window_timestamp_seconds`. Values are read from `run.status()` at each
 * collection. Several runs on one registry need each a different `labels.run`.
 *
 * @throws {MissingPeerError} prom-client is not installed (it is an optional peer dependency).
 * @throws {MetricsRegistrationError} the same `run` label twice on a registry and prefix, runs
 *   with and without a `run` label mixed, or a metric name already registered outside bcss-bulk.
 * @deprecated use `const off = attach(run, runMetrics(options))`; `off()` replaces `unregister()`.
 */
export function registerRunMetrics(run: StatusSource, options: RunMetricsOptions = {}): RunMetrics {
  return registerOn(run, options);
}

/** Registers the run's series on the family of its registry and prefix. */
function registerOn(run: StatusSource, options: RunMetricsOptions): RunMetrics {
  const registry = options.registry ?? (prom().register as Registry);
  const prefix = options.prefix ?? 'bcss_bulk_';
  const label = options.labels?.run;
  let byPrefix = families.get(registry);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    families.set(registry, byPrefix);
  }
  let family = byPrefix.get(prefix);
  if (family !== undefined) {
    if (!family.withRunLabel || label === undefined) {
      throw new MetricsRegistrationError(
        `A run is already registered on this registry with the prefix ${prefix}: give every run on it a different labels.run (or another prefix or registry)`,
      );
    }
    if (family.runs.has(label)) throw new MetricsRegistrationError(`A run labelled run="${label}" is already registered on this registry with the prefix ${prefix}`);
  } else {
    family = createFamily(registry, prefix, label !== undefined);
    byPrefix.set(prefix, family);
  }
  const attached: AttachedRun = { run, label, rejects: new Map() };
  const key = label ?? '';
  family.runs.set(key, attached);
  const off = run.on('reject', (record) => {
    const code = record.code ?? 'UNKNOWN';
    const id = `${record.source}\u0000${code}`;
    const entry = attached.rejects.get(id);
    if (entry === undefined) attached.rejects.set(id, { source: record.source, code, count: 1 });
    else entry.count++;
  });

  let registered = true;
  return {
    unregister(): void {
      if (!registered) return;
      registered = false;
      off();
      const current = family;
      current.runs.delete(key);
      if (current.runs.size === 0) {
        for (const name of current.names) registry.removeSingleMetric(name);
        byPrefix.delete(prefix);
      }
    },
  };
}
