/**
 * The BCSS classifier: what a BCSS reply or failure means for the run, by the status table of
 * the BCSS (common v3 types), the SSDN result summaries and the three forms of SOAP faults.
 *
 * | reply or failure | class | code |
 * |---|---|---|
 * | `DATA_FOUND` | success | the status code (`MSG00000`) |
 * | `NO_DATA_FOUND` (`MSG00100` no data, `MSG00009` deceased) | success, a business outcome | the status code |
 * | `INCOMPLETE_DATA` (`HAN20200`) | transient | the status code |
 * | `NO_RESULT` `MSG00013` (legal context or credentials refused) | fatal | `MSG00013` |
 * | other `NO_RESULT` (`MSG00005`, `MSG00006` + new SSIN, `MSG00008`, `MSG00011`, `MSG00012`) | reject | the status code |
 * | SOAP fault `MSG00013`; SOA `SOA-01001` (not authenticated), `SOA-01002` (not authorised), `SOA-02001` (retries will not work) | fatal | the reason code |
 * | SOAP fault `MSG00003`; SOA `SOA-02002` (retries should work); any other `Server` fault | transient | the reason code |
 * | SOA `SOA-03001` (malformed request); any other `Client` fault | reject | the reason code |
 * | SSDN `OK` / `WARNING` (ServiceReply ReturnCode 0 / 1) | success | the first warning's code, or `SSDN_0` |
 * | SSDN `ERROR` (ReturnCode 10000) | by the ServiceReply's detail codes (fatal / transient sets), else reject | the service's own code (e.g. `31009001`) |
 * | TLS set-up refused (client certificate refused, unknown CA, expired, host name: `BcssTransportError.tls`) | fatal | `TLS_<code>` |
 * | a request that cannot be built | fatal | `PROGRAMMER_ERROR` |
 * | an unreadable reply | transient | `BCSS_REPLY_INVALID` |
 * | HTTP statuses, timeouts, network errors | left to the default classifier (401/403 fatal, 429/5xx transient with `Retry-After`) | |
 *
 * The reason of a fault quotes the SOA platform's error id (`[error id ...]`), so the ledger
 * keeps what the service desk asks for.
 */
import type { AttemptResult, Classification, Classifier } from '../policy/classify.js';
import { maskNationalNumbers } from '../util/privacy.js';
import { BcssFaultError, BcssReplyError, BcssRequestError, BcssTransportError } from './errors.js';
import type { BcssInformation } from './errors.js';
import type { BcssReply, BcssStatus } from './soap-read.js';

/** Codes that stop the run: the BCSS refuses the legal context or the credentials, or says retries will not work. */
export const BCSS_FATAL_CODES: ReadonlySet<string> = new Set(['MSG00013', 'SOA-01001', 'SOA-01002', 'SOA-02001']);
/** Codes that are worth trying again later. */
export const BCSS_TRANSIENT_CODES: ReadonlySet<string> = new Set(['MSG00003', 'SOA-02002', 'HAN20200']);
/** Codes that reject the item whatever the fault code says: the request itself is wrong. */
export const BCSS_REJECT_CODES: ReadonlySet<string> = new Set(['SOA-03001']);

/** Options of {@link bcssClassifier}. */
export interface BcssClassifierOptions<R> {
  /**
   * The BCSS reply in the call's value, when the call returns something else than the reply itself.
   * @defaultValue the call's value itself, when it is a BCSS reply
   */
  readonly replyOf?: (value: R) => BcssReply | undefined;
  /**
   * Show the new SSIN of `MSG00006` whole in the reason (it is masked by default: the reason goes to records and events).
   * @defaultValue `false`
   */
  readonly revealNewSsin?: boolean;
  /**
   * More codes that stop the run (added to {@link BCSS_FATAL_CODES}).
   * @defaultValue none: {@link BCSS_FATAL_CODES} only
   */
  readonly fatalCodes?: Iterable<string>;
  /**
   * More codes retried later (added to {@link BCSS_TRANSIENT_CODES}).
   * @defaultValue none: {@link BCSS_TRANSIENT_CODES} only
   */
  readonly transientCodes?: Iterable<string>;
}

function isBcssReply(value: unknown): value is BcssReply {
  if (typeof value !== 'object' || value === null) return false;
  const family = (value as { family?: unknown }).family;
  return (family === 'soa' || family === 'ssdn') && 'status' in value && 'body' in value;
}

/**
 * The classifier for BCSS calls, for the engine's `classify` option. It returns `undefined`
 * for what it does not know (HTTP statuses, timeouts, network errors, values that are not BCSS
 * replies), so the default classifier decides those. To change a verdict for one service, put
 * your classifier before it: `composeClassifiers(mine, bcssClassifier())`.
 */
export function bcssClassifier<R = unknown>(options: BcssClassifierOptions<R> = {}): Classifier<R> {
  const fatal = new Set([...BCSS_FATAL_CODES, ...(options.fatalCodes ?? [])]);
  const transient = new Set([...BCSS_TRANSIENT_CODES, ...(options.transientCodes ?? [])]);
  const replyOf = options.replyOf ?? ((value: R) => (isBcssReply(value) ? value : undefined));

  function byCode(code: string, reason: string): Classification | undefined {
    if (fatal.has(code)) return { class: 'fatal', code, reason };
    if (transient.has(code)) return { class: 'transient', code, reason };
    if (BCSS_REJECT_CODES.has(code)) return { class: 'reject', code, reason };
    return undefined;
  }

  function ofStatus(status: BcssStatus): Classification {
    const { value, code } = status;
    const reason = describe(status, options.revealNewSsin === true);
    switch (value) {
      case 'DATA_FOUND':
      case 'NO_DATA_FOUND':
      case 'OK':
      case 'WARNING':
        return { class: 'success', code };
      case 'INCOMPLETE_DATA':
        return { class: 'transient', code, reason };
      case 'NO_RESULT':
        return byCode(code, reason) ?? { class: 'reject', code, reason };
      case 'ERROR':
        // The details are the ServiceReply's (the ReplyContext's only when there is none).
        for (const detail of status.details) {
          const verdict = byCode(detail.reasonCode, reason);
          if (verdict !== undefined) return verdict;
        }
        return { class: 'reject', code, reason };
      default:
        return { class: 'reject', code: code || 'BCSS_UNKNOWN_STATUS', reason: `unknown status '${value}': ${reason}` };
    }
  }

  return (result: AttemptResult<R>) => {
    if (result.ok) {
      const reply = replyOf(result.value);
      if (reply === undefined) return undefined;
      return reply.status === undefined ? { class: 'success' } : ofStatus(reply.status);
    }
    const error = result.error;
    if (error instanceof BcssFaultError) {
      const code = error.reasonCode || `SOAP_${error.faultCode || 'FAULT'}`;
      const reason = error.message;
      const codes = [...error.details.map((detail) => detail.reasonCode), ...(error.systemError === undefined ? [] : [error.systemError.code])];
      for (const each of codes) {
        const verdict = byCode(each, reason);
        if (verdict !== undefined) return verdict;
      }
      return error.faultCode === 'Client' ? { class: 'reject', code, reason } : { class: 'transient', code, reason };
    }
    if (error instanceof BcssTransportError && error.tls) {
      return { class: 'fatal', code: `TLS_${error.networkCode ?? 'ERROR'}`, reason: error.message };
    }
    if (error instanceof BcssRequestError) return { class: 'fatal', code: 'PROGRAMMER_ERROR', reason: error.message };
    if (error instanceof BcssReplyError) return { class: 'transient', code: error.code, reason: error.message };
    return undefined;
  };
}

/** A one-line reason for a status: code, description, information (SSDN: every detail); national numbers masked unless revealed. */
function describe(status: BcssStatus, revealNewSsin: boolean): string {
  const item = (info: BcssInformation): string => {
    if (info.fieldValue === undefined) return maskNationalNumbers(info.fieldName);
    const reveal = revealNewSsin && info.fieldName.toLowerCase() === 'newssin';
    return maskNationalNumbers(info.fieldName) + '=' + (reveal ? info.fieldValue : maskNationalNumbers(info.fieldValue));
  };
  const parts = [maskNationalNumbers(`${status.value} ${status.code}`)];
  if (status.details.length === 0) {
    if (status.description !== undefined && status.description !== '') parts.push(maskNationalNumbers(status.description));
    for (const info of status.information) if (info.fieldValue !== undefined) parts.push(item(info));
  } else {
    for (const detail of status.details) {
      const infos = detail.information.map(item);
      parts.push(maskNationalNumbers(`${detail.reasonCode} ${detail.diagnostic}`.trim()) + (infos.length === 0 ? '' : ` (${infos.join('; ')})`));
    }
  }
  const text = parts.join(': ').replace(/\s+/g, ' ');
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
