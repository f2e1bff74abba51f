/** Errors of the observers: a heartbeat or notice not delivered, metrics not registered, an observer attached twice. */
import { BcssBulkError } from '../util/errors.js';

/**
 * A heartbeat or a notice could not be delivered to its target (a callback, an HTTP endpoint,
 * a notifier channel). Says what failed without the secrets of the target: the URL without its
 * user, password, query string and fragment, the HTTP status or the error code; never the
 * request's headers or body, and no `cause` (an axios error carries the request's config).
 */
export class DeliveryError extends BcssBulkError {
  /** The target: `callback`, a channel's name, or `METHOD scrubbed-url`. */
  readonly target: string;
  /** The HTTP status the endpoint answered with, when it answered with an error status. */
  readonly status: number | undefined;
  /** `TIMEOUT` (no answer within the delivery's timeout), a network code (`ECONNREFUSED`, ...), `HTTP_<status>`, or `CALLBACK_FAILED`. */
  readonly errorCode: string;

  constructor(target: string, errorCode: string, message: string, status?: number) {
    super('DELIVERY_FAILED', message);
    this.target = target;
    this.status = status;
    this.errorCode = errorCode;
  }
}

/**
 * The Prometheus metrics of a run cannot be registered (`bcss-bulk/metrics`): a run with the same
 * `run` label is already on the registry under the same prefix, runs with and without the `run`
 * label are mixed, or a metric of that name was registered by someone else.
 */
export class MetricsRegistrationError extends BcssBulkError {
  constructor(message: string) {
    super('METRICS_REGISTRATION', message);
  }
}

/**
 * An observer that follows one run only (a heartbeat, a progress tracker, a progress bar, the
 * metrics of a run) was attached a second time: make one per run.
 */
export class ObserverAttachedError extends BcssBulkError {
  constructor(what: string) {
    super('OBSERVER_ATTACHED', `This ${what} is already attached to a run: it follows one run only; make one ${what} per run`);
  }
}
