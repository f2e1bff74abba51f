/**
 * `bcss-bulk/metrics`: Prometheus metrics of a run. This entry loads prom-client (an optional
 * peer dependency: install it to use this entry); `bcss-bulk` itself never does.
 *
 * @packageDocumentation
 */
export { registerRunMetrics } from './run-metrics.js';
export type { RunMetrics, RunMetricsOptions } from './run-metrics.js';
export { MetricsRegistrationError } from '../errors.js';
