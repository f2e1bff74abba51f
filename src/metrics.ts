/**
 * `bcss-bulk/metrics`: Prometheus metrics of a run. This entry loads prom-client (an optional
 * peer dependency: install it to use this entry) when {@link runMetrics} is attached to a run
 * (`attach(run, runMetrics())`, `attach` from `bcss-bulk`), which
 * throws a {@link MissingPeerError} (code `PEER_MISSING`) when it is not installed;
 * `bcss-bulk` itself never loads it.
 *
 * @packageDocumentation
 */
export { runMetrics, registerRunMetrics } from './observe/run-metrics.js';
export type { RunMetricsObserver, RunMetrics, RunMetricsOptions } from './observe/run-metrics.js';
export { MetricsRegistrationError } from './observe/errors.js';
export { MissingPeerError, isBcssBulkError } from './util/errors.js';
