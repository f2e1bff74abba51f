/**
 * `bcss-bulk/metrics`: Prometheus metrics of a run. This entry loads prom-client (an optional
 * peer dependency: install it to use this entry) at the first {@link registerRunMetrics}, which
 * throws a {@link MissingPeerError} (code `PEER_MISSING`) when it is not installed;
 * `bcss-bulk` itself never loads it.
 *
 * @packageDocumentation
 */
export { registerRunMetrics } from './run-metrics.js';
export type { RunMetrics, RunMetricsOptions } from './run-metrics.js';
export { MetricsRegistrationError, MissingPeerError, isBcssBulkError } from '../errors.js';
