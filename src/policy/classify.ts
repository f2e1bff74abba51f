/**
 * Classification of each attempt: success, business reject (recorded, not retried),
 * transient (retried) or fatal (the run stops). Pure functions; the engine asks the caller's
 * classifier first and falls back to {@link defaultClassifier}.
 */
import { parseRetryAfter } from './backoff.js';
import { CallTimeoutError, HttpStatusError } from './errors.js';
import { isBcssBulkError } from '../util/errors.js';
import { reasonOf, shortMasked } from '../util/reason.js';

/** Why {@link RunOptions.precheck} refused an item. */
export interface PrecheckFailure {
  /** Code of the reject, e.g. `INSZ_CHECKSUM`. */
  readonly code: string;
  /** Shown in the record and the `reject` event, with national numbers masked. */
  readonly reason: string;
}

/** How the engine treats an attempt. */
export type OutcomeClass = 'success' | 'reject' | 'transient' | 'fatal';

/** The verdict on one attempt. */
export type Classification =
  | { readonly class: 'success'; readonly code?: string }
  | { readonly class: 'reject'; readonly code: string; readonly reason: string }
  | { readonly class: 'transient'; readonly code: string; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly class: 'fatal'; readonly code: string; readonly reason: string };

/** What one attempt gave: the call's value, or what it threw. */
export type AttemptResult<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/** Facts the engine knows about the attempt. */
export interface ClassifyContext {
  /** Current time, in ms since the epoch (for `Retry-After` dates). */
  readonly now: number;
  /** True when the engine aborted the call because its timeout elapsed. */
  readonly timedOut: boolean;
}

/**
 * Decides what an attempt means. Return `undefined` to leave the decision to the default
 * classifier, so a custom classifier only handles what it knows.
 */
export type Classifier<R = unknown> = (result: AttemptResult<R>, context: ClassifyContext) => Classification | undefined;

/** Network error codes (Node, undici, axios) that say the call may succeed when tried again. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_NETWORK',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

// SyntaxError is left out on purpose: at run time it comes from JSON.parse of a garbled reply
// (a proxy's HTML error page), which is worth retrying, not from the caller's code.
const PROGRAMMER_ERRORS = [TypeError, RangeError, ReferenceError, EvalError, URIError];


function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  const getter = headers['get'];
  if (typeof getter === 'function') {
    const value: unknown = getter.call(headers, name);
    if (typeof value === 'string') return value;
  }
  const wanted = name.toLowerCase();
  for (const [field, value] of Object.entries(headers)) {
    if (field.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/** The HTTP status and `Retry-After` carried by an error (ours, axios', or any `status`/`statusCode`). */
export function httpFacts(error: unknown): { status: number; retryAfter?: string } | undefined {
  if (error instanceof HttpStatusError) {
    return error.retryAfter === undefined ? { status: error.status } : { status: error.status, retryAfter: error.retryAfter };
  }
  if (!isObject(error)) return undefined;
  const response = error['response'];
  if (isObject(response) && typeof response['status'] === 'number') {
    const retryAfter = headerOf(response['headers'], 'retry-after');
    return retryAfter === undefined ? { status: response['status'] } : { status: response['status'], retryAfter };
  }
  for (const field of ['status', 'statusCode']) {
    const status = error[field];
    if (typeof status !== 'number' || status < 100 || status > 599) continue;
    // A thrown fetch Response, or any error object that carries its headers.
    const retryAfter = headerOf(error['headers'], 'retry-after');
    return retryAfter === undefined ? { status } : { status, retryAfter };
  }
  return undefined;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isObject(current); depth++) {
    const code = current['code'];
    if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return code;
    current = current['cause'];
  }
  return undefined;
}

/**
 * Classifies an HTTP status: 401/403 fatal (credentials refused: stop, do not burn the batch),
 * 408/429/5xx transient, other 4xx a reject, anything below 400 a success.
 */
export function classifyHttpStatus(status: number, retryAfterMs?: number): Classification {
  const code = `HTTP_${status}`;
  if (status === 401 || status === 403) return { class: 'fatal', code, reason: `HTTP ${status}: credentials refused` };
  if (status === 408 || status === 429 || status >= 500) {
    const reason = `HTTP ${status}`;
    return retryAfterMs === undefined ? { class: 'transient', code, reason } : { class: 'transient', code, reason, retryAfterMs };
  }
  if (status >= 400) return { class: 'reject', code, reason: `HTTP ${status}` };
  return { class: 'success', code };
}

/** Adds the error's own message to a status reason when it says more than the status (`HTTP 404: person unknown`). */
function withDetail(reason: string, error: unknown, status: number): string {
  if (!(error instanceof Error) || error.message.trim() === '' || error.message.includes(String(status))) return reason;
  return shortMasked(`${reason}: ${error.message}`);
}

/**
 * A TLS set-up failure of the BCSS client: a bcss-bulk error that says `tls: true` (the
 * client's `BcssTransportError`, read by its fields so that this rule needs no BCSS code).
 */
function isTlsSetUpFailure(error: unknown): error is Error & { readonly networkCode?: string } {
  return isBcssBulkError(error) && (error as { tls?: unknown }).tls === true;
}

/** Classifies a thrown error by the rules of {@link defaultClassifier}. */
export function classifyError(error: unknown, context: ClassifyContext): Classification {
  if (context.timedOut || error instanceof CallTimeoutError) {
    return { class: 'transient', code: 'CALL_TIMEOUT', reason: reasonOf(error) };
  }
  const http = httpFacts(error);
  if (http !== undefined) {
    const verdict = classifyHttpStatus(http.status, parseRetryAfter(http.retryAfter, context.now));
    // An error that carries a success status is odd: treat it as transient rather than lose it.
    if (verdict.class === 'success') return { class: 'transient', code: verdict.code ?? 'HTTP', reason: reasonOf(error) };
    return { ...verdict, reason: withDetail(verdict.reason, error, http.status) };
  }
  // A TLS set-up failure of the BCSS client (certificate refused, unknown CA, ...) carries a
  // network code such as ECONNRESET, but retrying will not help.
  if (isTlsSetUpFailure(error)) {
    return { class: 'fatal', code: `TLS_${error.networkCode ?? 'ERROR'}`, reason: reasonOf(error) };
  }
  const network = networkCode(error);
  if (network !== undefined) return { class: 'transient', code: `NET_${network}`, reason: reasonOf(error) };
  if (isObject(error) && error['name'] === 'AbortError') {
    return { class: 'transient', code: 'ABORTED', reason: reasonOf(error) };
  }
  if (PROGRAMMER_ERRORS.some((type) => error instanceof type)) {
    return { class: 'fatal', code: 'PROGRAMMER_ERROR', reason: reasonOf(error) };
  }
  return { class: 'transient', code: 'UNKNOWN_ERROR', reason: reasonOf(error) };
}

/**
 * The default classifier: a value is a success; an error is classified by
 * {@link classifyError}: timeouts, network errors, HTTP 408/429/5xx and unknown errors are
 * transient; HTTP 401/403, TLS set-up failures of the BCSS client (`BcssTransportError` with
 * `tls`) and programmer errors (TypeError, RangeError, ReferenceError, ...) are fatal and never retried; other HTTP 4xx are rejects.
 */
export const defaultClassifier: Classifier = (result, context) =>
  result.ok ? { class: 'success' } : classifyError(result.error, context);

/**
 * Chains classifiers: the first one that returns a verdict wins, {@link defaultClassifier}
 * decides when none does.
 */
export function composeClassifiers<R>(...classifiers: Array<Classifier<R> | undefined>): (result: AttemptResult<R>, context: ClassifyContext) => Classification {
  const chain = classifiers.filter((c): c is Classifier<R> => c !== undefined);
  return (result, context) => {
    for (const classifier of chain) {
      const verdict = classifier(result, context);
      if (verdict !== undefined) return verdict;
    }
    return defaultClassifier(result, context) as Classification;
  };
}
