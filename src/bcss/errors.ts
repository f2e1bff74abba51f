/**
 * Typed errors of the BCSS client. None of them carries the request's configuration (no
 * certificate, key, passphrase, password or Authorization header): the client builds them from
 * the facts it needs (method, URL without credentials, status, codes) and never keeps axios'
 * error as a cause. National numbers in their texts are masked.
 */
import { BcssBulkError } from '../util/errors.js';
import { maskNationalNumbers } from '../util/privacy.js';
import type { BcssTlsFailure } from './tls-failure.js';

/** One `detail` of a BCSS SOAP fault (`CBSSFaultType`) or of an SSDN result summary. */
export interface BcssMessage {
  /** `INFORMATION`, `WARNING` or `FATAL`. */
  readonly severity: string;
  /** E.g. `MSG00003`, `SOA-02001`. */
  readonly reasonCode: string;
  readonly diagnostic: string;
  readonly authorCode?: string;
  readonly information: readonly BcssInformation[];
}

/** A name/value pair of a BCSS status or fault (e.g. `newSSIN`). */
export interface BcssInformation {
  readonly fieldName: string;
  readonly fieldValue?: string;
}

/**
 * The fault detail of the social-security SOA platform (`detail/SystemError`, public page "SOA
 * technical errors"): its `Id` is the one thing the service desk needs to find the error.
 */
export interface BcssSystemError {
  /** The unique id of the error (`SystemError/@Id`): log it, quote it to the service desk. */
  readonly id: string;
  /** E.g. `SOA-01001` (not authenticated), `SOA-02002` (temporarily not available). */
  readonly code: string;
  readonly message: string;
  /** Who caused it: `Consumer` (the caller) or `Provider`. */
  readonly origin?: string;
  /** The platform's environment, e.g. `Production`. */
  readonly environment?: string;
}

/** The facts of a SOAP fault, as read from the reply. */
export interface BcssFault {
  /** The fault code without its namespace prefix: `Server`, `Client`, ... */
  readonly faultCode: string;
  readonly faultString: string;
  /** The CBSS details (`CBSSFaultType/detail`, or the older v1 `error` list), in order; empty when the fault has none. */
  readonly details: readonly BcssMessage[];
  /** The BCSS ticket of the call, when the fault carries one. */
  readonly ticket?: string;
  /** The SOA platform's `SystemError`, when the fault is one. */
  readonly systemError?: BcssSystemError;
}

/**
 * The BCSS answered with a SOAP fault. `severity`, `reasonCode` and `diagnostic` are the first
 * CBSS detail's; for an SOA platform fault, `reasonCode` is the `SystemError` code and
 * `errorId` its `Id` (also in the message, so that every log, event and ledger reason quotes it).
 */
export class BcssFaultError extends BcssBulkError implements BcssFault {
  readonly faultCode: string;
  readonly faultString: string;
  readonly details: readonly BcssMessage[];
  readonly ticket?: string;
  readonly systemError?: BcssSystemError;
  /** The SOA platform's error id (`SystemError/@Id`), for the service desk. */
  readonly errorId: string | undefined;
  readonly severity: string | undefined;
  readonly reasonCode: string | undefined;
  readonly diagnostic: string | undefined;
  /** HTTP status of the reply that carried the fault (usually 500). */
  readonly httpStatus: number;

  constructor(fault: BcssFault, httpStatus: number) {
    const first = fault.details[0];
    const system = fault.systemError;
    let what: string;
    if (first !== undefined) what = `${first.reasonCode} (${first.severity}) ${first.diagnostic}`;
    else if (system !== undefined) what = `${system.code} ${system.message}${system.origin === undefined ? '' : ` (origin ${system.origin})`}`;
    else what = fault.faultString;
    const id = system === undefined ? '' : ` [error id ${system.id}]`;
    super('BCSS_FAULT', maskNationalNumbers(`SOAP fault ${fault.faultCode}: ${what}${id}`));
    this.faultCode = fault.faultCode;
    this.faultString = maskNationalNumbers(fault.faultString);
    this.details = fault.details.map((d) => ({ ...d, diagnostic: maskNationalNumbers(d.diagnostic), information: d.information.map(maskInformation) }));
    if (fault.ticket !== undefined) this.ticket = fault.ticket;
    if (system !== undefined) this.systemError = { ...system, message: maskNationalNumbers(system.message) };
    this.errorId = system?.id;
    this.severity = first?.severity;
    this.reasonCode = first?.reasonCode ?? system?.code;
    this.diagnostic = first === undefined ? (system === undefined ? undefined : maskNationalNumbers(system.message)) : maskNationalNumbers(first.diagnostic);
    this.httpStatus = httpStatus;
  }
}

function maskInformation(item: BcssInformation): BcssInformation {
  return item.fieldValue === undefined ? item : { fieldName: item.fieldName, fieldValue: maskNationalNumbers(item.fieldValue) };
}

/**
 * The call did not get an HTTP answer: connection refused or reset, TLS failure, DNS, socket
 * timeout. `networkCode` is Node's or OpenSSL's code (`ECONNRESET`, `ERR_SSL_...`, ...).
 */
export class BcssTransportError extends BcssBulkError {
  readonly method: string;
  /** The endpoint, without credentials or query string. */
  readonly url: string;
  readonly networkCode: string | undefined;
  /** True when the failure is about TLS (certificates, handshake): retrying will not help. */
  readonly tls: boolean;
  /** What went wrong with TLS, when {@link BcssTransportError.tls} is true. */
  readonly tlsFailure: BcssTlsFailure | undefined;

  constructor(facts: { method: string; url: string; networkCode?: string; detail: string; tls: boolean; tlsFailure?: BcssTlsFailure }) {
    super('BCSS_TRANSPORT', maskNationalNumbers(`${facts.method} ${facts.url} failed${facts.networkCode === undefined ? '' : ` (${facts.networkCode})`}: ${facts.detail}`), {
      // A bare { code } lets the generic classifier see the network code, without axios' request config.
      cause: facts.networkCode === undefined ? undefined : { code: facts.networkCode },
    });
    this.method = facts.method;
    this.url = facts.url;
    this.networkCode = facts.networkCode;
    this.tls = facts.tls;
    this.tlsFailure = facts.tlsFailure;
  }
}

/**
 * The BCSS answered something that is not a readable SOAP reply (HTML error page, truncated
 * XML, a reply larger than `maxReplyBytes` or nested deeper than `maxReplyDepth`, names that
 * would reach object prototypes, ...). `cause` is the parser's or decoder's error, when one threw.
 */
export class BcssReplyError extends BcssBulkError {
  readonly httpStatus: number;

  constructor(httpStatus: number, detail: string, options?: { cause?: unknown }) {
    super('BCSS_REPLY_INVALID', maskNationalNumbers(`The BCSS reply (HTTP ${httpStatus}) could not be read: ${detail}`), options);
    this.httpStatus = httpStatus;
  }
}

/** The request could not be built from what the caller gave (a programming error: never retried). */
export class BcssRequestError extends BcssBulkError {
  constructor(detail: string) {
    super('BCSS_REQUEST_INVALID', maskNationalNumbers(`The BCSS request could not be built: ${detail}`));
  }
}

/** The URL of an endpoint without user, password, query or fragment, fit for errors and logs. */
export function displayUrl(url: URL): string {
  return maskNationalNumbers(`${url.protocol}//${url.host}${url.pathname}`);
}
