/** Errors of the BCSS rules and of one call: the policy refused, not announced, a call timed out or got an HTTP error status. */
import { BcssBulkError, type ConfigIssue, formatIssues } from '../util/errors.js';

/**
 * The configuration is well formed but breaks a BCSS mass-call rule (for instance a cap above
 * 4 for National Register data without a written override).
 */
export class PolicyError extends BcssBulkError {
  /** Each rule broken, with the path of the field that breaks it. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('POLICY_VIOLATION', `Refused by the BCSS mass-call policy:\n${formatIssues(issues)}`);
    this.issues = issues;
  }
}

/** A call took longer than its timeout and was aborted through its `AbortSignal`. */
export class CallTimeoutError extends BcssBulkError {
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('CALL_TIMEOUT', `The call did not finish within ${timeoutMs} ms and was aborted`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An HTTP answer with an error status, for callers that use `fetch` or another client than
 * axios: throw it from the call function and the default classifier reads `status` and
 * `retryAfter` from it.
 */
export class HttpStatusError extends BcssBulkError {
  /** The HTTP status code. */
  readonly status: number;
  /** The raw `Retry-After` header, when the server sent one. */
  readonly retryAfter: string | undefined;

  constructor(status: number, options: { retryAfter?: string | null; message?: string } = {}) {
    super(`HTTP_${status}`, options.message ?? `HTTP status ${status}`);
    this.status = status;
    this.retryAfter = options.retryAfter ?? undefined;
  }
}

/**
 * The batch was not announced to the BCSS service desk (`NOT_ANNOUNCED`), or not long enough
 * ago (`ANNOUNCED_TOO_LATE`, with `earliestStart`): `start()` refuses and the run stays idle.
 */
export class AnnouncementError extends BcssBulkError {
  /** `ANNOUNCED_TOO_LATE`: the first instant the run may start (local midnight, `leadDays` after the announcement). */
  readonly earliestStart: Date | undefined;
  /** The service-desk reference of the announcement, when there is one. */
  readonly reference: string | undefined;

  constructor(code: 'NOT_ANNOUNCED' | 'ANNOUNCED_TOO_LATE', message: string, details: { earliestStart?: Date; reference?: string } = {}) {
    super(code, message);
    this.earliestStart = details.earliestStart;
    this.reference = details.reference;
  }
}
