/**
 * The fake BCSS's outcome vocabulary: what a test asks the fake to answer to one call, and what
 * that means in each family (SOA status, SSDN result summary, SOAP faults).
 */

/** The SOA platform's `SystemError` codes (public page "SOA technical errors"). */
export const SOA_SYSTEM_ERRORS: Readonly<Record<string, { readonly message: string; readonly origin: 'Consumer' | 'Provider' }>> = {
  'SOA-00001': { message: 'Service error', origin: 'Provider' },
  'SOA-01001': { message: 'Service call not authenticated', origin: 'Consumer' },
  'SOA-01002': { message: 'Service call not authorized', origin: 'Consumer' },
  'SOA-02001': { message: 'Service not available. Please contact service desk.', origin: 'Provider' },
  'SOA-02002': { message: 'Service temporarily not available. Please try later.', origin: 'Provider' },
  'SOA-03001': { message: 'Malformed message', origin: 'Consumer' },
};

/** How the fake answers one call. */
export type FakeBcssOutcome =
  /** SOA `DATA_FOUND` `MSG00000`; SSDN ReturnCode 0 with the service's reply body. */
  | 'found'
  /** SOA `NO_DATA_FOUND` `MSG00100`; SSDN ReturnCode 0 with an empty reply body (no search results, no registrations). */
  | 'not-found'
  /** SOA `NO_DATA_FOUND` `MSG00009`; SSDN ReturnCode 0, the person found with a decease date (IdentifyPerson `Extended/DeceaseDate`). */
  | 'deceased'
  /**
   * SOA `INCOMPLETE_DATA` `HAN20200` where the service's status type has that value; a
   * `SystemError` `SOA-02002` fault where it does not (RetrieveTIGroups v2: CommonV3 `StatusType`)
   * and on SSDN.
   */
  | 'incomplete'
  /** SOA `NO_RESULT` `MSG00005`: the SSIN does not exist. SSDN: ReturnCode 10000, fake code `39990005`. */
  | 'unknown-ssin'
  /** SOA `NO_RESULT` `MSG00008`: invalid data. SSDN: ReturnCode 10000, fake code `39990008`. */
  | 'invalid-data'
  /** SOA `NO_RESULT` `MSG00011`: invalid SSIN structure. SSDN: ReturnCode 10000, fake code `39990011`. */
  | 'invalid-ssin'
  /** SOA `NO_RESULT` `MSG00012`: SSIN not integrated for your organisation. SSDN: ReturnCode 10000, fake code `39990012`. */
  | 'not-integrated'
  /** SOA `NO_RESULT` `MSG00013`: legal context or credentials not allowed. SSDN: `SystemError` `SOA-01002` fault. */
  | 'not-authorised'
  /** SOA `NO_RESULT` `MSG00006` with the information `newSSIN`. SSDN: ReturnCode 10000, fake code `39990006` with `newSSIN`. */
  | { readonly replacedBy: string }
  /**
   * A SOAP fault (HTTP 500). `SOA-…` codes: the SOA platform's `SystemError` (Id, Origin, Code,
   * Message), in both families. Other codes (`MSG00003`, `MSG00013`, ...): a CBSS fault, the
   * service's fault element with a CBSSFaultType detail (SOA); SSDN declares no fault, so there
   * it is a bare SOAP fault. Fault code `Client` for `MSG00013` and consumer `SOA-` codes, `Server` otherwise.
   */
  | { readonly fault: string; readonly faultCode?: string; readonly severity?: string; readonly diagnostic?: string }
  /** An HTTP error without SOAP, e.g. `{ httpStatus: 503, retryAfter: '2' }`. */
  | { readonly httpStatus: number; readonly retryAfter?: string; readonly body?: string }
  /** Waits `delayMs` more (past the client's timeout, say) before answering `then` (default `found`). */
  | { readonly delayMs: number; readonly then?: FakeBcssOutcome };

/** The named outcomes (strings) of {@link FakeBcssOutcome}. */
export type FakeBcssNamedOutcome = Extract<FakeBcssOutcome, string>;

/** A CommonV3 status, as the SOA reply writes it. */
export interface SoaStatus {
  readonly value: string;
  readonly code: string;
  readonly description: string;
  readonly information?: readonly { readonly fieldName: string; readonly fieldValue?: string }[];
}

/** The SOA status of each named outcome (CommonV3 values and codes; descriptions as the BCSS writes them). */
export const SOA_STATUS: Readonly<Record<Exclude<FakeBcssNamedOutcome, 'not-authorised'> | 'not-authorised', SoaStatus>> = {
  found: { value: 'DATA_FOUND', code: 'MSG00000', description: 'Treatment completed successfully.' },
  'not-found': { value: 'NO_DATA_FOUND', code: 'MSG00100', description: 'Treatment successful, but no data found at the supplier' },
  deceased: { value: 'NO_DATA_FOUND', code: 'MSG00009', description: 'Person deceased' },
  incomplete: { value: 'INCOMPLETE_DATA', code: 'HAN20200', description: 'Treatment partially successful. Some sources could not be consulted due to technical issues' },
  'unknown-ssin': { value: 'NO_RESULT', code: 'MSG00005', description: 'The ssin given in request does not exist' },
  'invalid-data': { value: 'NO_RESULT', code: 'MSG00008', description: 'A validation error occurred.' },
  'invalid-ssin': { value: 'NO_RESULT', code: 'MSG00011', description: 'The structure of the ssin given in request is invalid' },
  'not-integrated': { value: 'NO_RESULT', code: 'MSG00012', description: 'The SSIN is not sufficiently integrated for your organization' },
  'not-authorised': { value: 'NO_RESULT', code: 'MSG00013', description: 'Access to this operation is not allowed with the given legalcontext and credentials' },
};

/** The status of `{ replacedBy }`. */
export function replacedStatus(newSsin: string): SoaStatus {
  return { value: 'NO_RESULT', code: 'MSG00006', description: 'The ssin given in request is replaced', information: [{ fieldName: 'newSSIN', fieldValue: newSsin }] };
}

/**
 * Who writes the SSDN reason codes that no recorded reply shows: the fake's own 8-digit codes
 * (`3999` + the SOA message number), marked with this `AuthorCodeList` so no one takes them
 * for the BCSS's.
 */
export const FAKE_SSDN_AUTHOR = 'bcss-bulk-fake';

/** One SSDN `Detail`. */
export interface SsdnDetail {
  readonly severity: 'INFORMATION' | 'WARNING' | 'ERROR';
  readonly reasonCode: string;
  readonly diagnostic: string;
  readonly authorCodeList: string;
  readonly information?: readonly { readonly fieldName: string; readonly fieldValue?: string }[];
}

/** The SSDN service error of a `NO_RESULT` outcome (ReturnCode 10000). */
export function ssdnErrorOf(status: SoaStatus): SsdnDetail {
  return {
    severity: 'ERROR',
    reasonCode: `3999${status.code.slice(-4)}`,
    diagnostic: status.description,
    authorCodeList: FAKE_SSDN_AUTHOR,
    ...(status.information === undefined ? {} : { information: status.information.map((i) => ({ fieldName: i.fieldName, ...(i.fieldValue === undefined ? {} : { fieldValue: i.fieldValue }) })) }),
  };
}

/** The recorded SSDN refusal of a service request whose mandatory argument is missing or empty. */
export function mandatoryArgumentMissing(field: string, value?: string): SsdnDetail {
  return {
    severity: 'ERROR',
    reasonCode: '31000007',
    diagnostic: 'The expected mandatory argument is not provided or empty.',
    authorCodeList: 'CBSS',
    information: [{ fieldName: field, ...(value === undefined ? {} : { fieldValue: value }) }],
  };
}

/** The ReplyContext detail of an SSDN reply with at least one service error (recorded). */
export const SSDN_CONTEXT_ERROR: SsdnDetail = { severity: 'ERROR', reasonCode: '30000001', diagnostic: 'At least one service request has generated an error.', authorCodeList: 'CBSS' };
/** The ReplyContext detail of an SSDN reply with at least one service warning (recorded). */
export const SSDN_CONTEXT_WARNING: SsdnDetail = { severity: 'WARNING', reasonCode: '20000001', diagnostic: 'At least one service request has generated a warning.', authorCodeList: 'CBSS' };

/** Settles an outcome list or function to the outcome of one attempt (1-based; the last one repeats). */
export function pickOutcome(chosen: FakeBcssOutcome | readonly FakeBcssOutcome[] | undefined, attempt: number): FakeBcssOutcome | undefined {
  if (Array.isArray(chosen)) return chosen.length === 0 ? undefined : (chosen[Math.min(attempt, chosen.length) - 1] as FakeBcssOutcome);
  return chosen as FakeBcssOutcome | undefined;
}
