/**
 * `bcss-bulk/metrics`: Prometheus metrics of a run. This entry loads prom-client (an optional
 * peer dependency: install it to use this entry) at the first {@link registerRunMetrics}, which
 * throws a {@link MissingPeerError} (code `PEER_MISSING`) when it is not installed;
 * `bcss-bulk` itself never loads it.
 *
 * @packageDocumentation
 */
export { registerRunMetrics } from './observe/run-metrics.js';
export type { RunMetrics, RunMetricsOptions } from './observe/run-metrics.js';
export { MetricsRegistrationError } from './observe/errors.js';
export { MissingPeerError, isBcssBulkError } from './util/errors.js';
