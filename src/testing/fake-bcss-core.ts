/**
 * The core of the fake BCSS: one function from an HTTP exchange (path, headers, body) to the
 * reply the BCSS would give, with latency on a {@link Clock}, the outcome the test chose per
 * national number, and the record of calls and of simultaneous calls. The HTTP server and the
 * in-process transport both call it, so they answer byte for byte the same.
 */
import { systemClock, type Clock } from '../util/clock.js';
import { FAKE_BCSS_SERVICES, type FakeBcssService, type FakeSoaService } from './fake-bcss-contract.js';
import { mandatoryArgumentMissing, pickOutcome, replacedStatus, SOA_STATUS, ssdnErrorOf, type FakeBcssOutcome, type SoaStatus } from './fake-bcss-outcomes.js';
import { bareFault, cbssFault, soaReply, ssdnReply, systemError, type ReplyStamp } from './fake-bcss-replies.js';
import { readRequest, type AcceptedRequest } from './fake-bcss-request.js';

/** One call the fake accepted (its request followed the service's schema). */
export interface FakeBcssCall {
  readonly family: 'soa' | 'ssdn';
  /** Path of the request (the service). */
  readonly path: string;
  /** The service's name in the fake's table, e.g. `RetrieveTIGroups v2`, `IdentifyPerson`. */
  readonly service: string;
  /** The request element's name (SOA) or the SSDN `ServiceId`. */
  readonly operation: string;
  /** The national number the request asks about (`searchInformation/ssin`, `SearchCriteria/SSIN`, `SSIN`). */
  readonly ssin: string | undefined;
  /** How many calls this SSIN has received, this one included (from 1). */
  readonly attempt: number;
  /** The legal context (SOA). */
  readonly legalContext: string | undefined;
  /** `customerIdentification` (SOA: `cbeNumber` or `sector` + `institution`) or the SSDN `AuthorizedUser` fields. */
  readonly customer: Readonly<Record<string, string>>;
  /** The caller's ticket (SOA) or message reference (SSDN). */
  readonly ticket: string | undefined;
  /** `timestampSent` (SOA) or `TimeRequest` (SSDN) of the request. */
  readonly sentAt: string | undefined;
  /** Common name of the client certificate (HTTPS server asking for one). */
  readonly clientCertificate: string | undefined;
  /** Whether an Authorization header was present. */
  readonly authorized: boolean;
}

/** A request the fake refused as the BCSS would, and why. */
export interface FakeBcssRefusal {
  readonly path: string;
  /** `SOA-03001` (malformed message), `31000007` (SSDN service argument missing or invalid), or `HTTP_404` (no service there). */
  readonly code: string;
  /** What is wrong, in words (element paths, expected namespace, ...). */
  readonly reason: string;
}

/** One exchange as the fake receives it. */
export interface FakeBcssExchange {
  /** URL path of the request, e.g. `/RetrieveTIGroupsService/v2/retrieveTI`. */
  readonly path: string;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Aborts the wait: the answer then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly clientCertificate?: string;
}

/** The fake's answer. */
export interface FakeBcssAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the service saw of one path, or of all. */
export interface FakeBcssLoad {
  inFlight: number;
  peak: number;
  calls: number;
}

/** Settings shared by the HTTP and the in-process fake BCSS. */
export interface FakeBcssCoreOptions {
  /**
   * The clock of the latency and of the reply's timestamps.
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
  /**
   * Require HTTP Basic with these credentials (HTTP 401 otherwise).
   * @defaultValue none required
   */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /**
   * Time before each answer, in ms of the clock, fixed or per call. A refused request (it is no
   * call) waits the fixed latency, or 5 ms when this is a function.
   * @defaultValue 5
   */
  readonly latencyMs?: number | ((call: FakeBcssCall) => number);
  /**
   * The outcome per national number (a list: one per attempt, the last repeated), or a function
   * of the call; `undefined` falls back to `defaultOutcome`.
   * @defaultValue every number gets `defaultOutcome`
   */
  readonly outcomes?: Readonly<Record<string, FakeBcssOutcome | readonly FakeBcssOutcome[]>> | ((call: FakeBcssCall) => FakeBcssOutcome | readonly FakeBcssOutcome[] | undefined);
  /**
   * Outcome of a call without one.
   * @defaultValue 'found'
   */
  readonly defaultOutcome?: FakeBcssOutcome;
  /**
   * More services (table entries like `RETRIEVE_TI_GROUPS_V2`), checked before the built-in ones.
   * @defaultValue none: RetrieveTIGroups v2, IdentifyPerson and ManageAccess only
   */
  readonly services?: readonly FakeBcssService[];
}

/** What both fakes record, for a test's assertions. */
export interface FakeBcssRecords {
  /** Every call accepted, in order of arrival. */
  readonly calls: readonly FakeBcssCall[];
  /** Every request refused (malformed, wrong namespace, missing argument, no such service), with the reason. */
  readonly refusals: readonly FakeBcssRefusal[];
  /** Peak of simultaneous requests, in all or for one path. */
  peak(path?: string): number;
  /** Requests in progress now, in all or for one path. */
  inFlight(path?: string): number;
  /** Calls received for a national number. */
  callsFor(ssin: string): number;
  /** Forgets the calls, refusals and peaks (not the outcomes). */
  reset(): void;
}

/** The shared core: the answer to an exchange, and the records. */
export interface FakeBcssCore extends FakeBcssRecords {
  answer(exchange: FakeBcssExchange): Promise<FakeBcssAnswer>;
  readonly calls: FakeBcssCall[];
  readonly refusals: FakeBcssRefusal[];
}

/** The records of a core, as both fakes expose them. */
export function recordsOf(core: FakeBcssCore): FakeBcssRecords {
  return { calls: core.calls, refusals: core.refusals, peak: core.peak, inFlight: core.inFlight, callsFor: core.callsFor, reset: core.reset };
}

const XML = { 'content-type': 'text/xml; charset=utf-8' } as const;

/** Waits `ms` on the clock; rejects with the signal's reason when aborted. */
function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Creates the core of a fake BCSS. */
export function createFakeBcssCore(options: FakeBcssCoreOptions): FakeBcssCore {
  const clock = options.clock ?? systemClock;
  const services = [...(options.services ?? []), ...FAKE_BCSS_SERVICES];
  const calls: FakeBcssCall[] = [];
  const refusals: FakeBcssRefusal[] = [];
  const perSsin = new Map<string, number>();
  const loads = new Map<string, FakeBcssLoad>();
  const total: FakeBcssLoad = { inFlight: 0, peak: 0, calls: 0 };
  let sequence = 0;
  const load = (path: string) => {
    let entry = loads.get(path);
    if (entry === undefined) loads.set(path, (entry = { inFlight: 0, peak: 0, calls: 0 }));
    return entry;
  };
  const expectedAuth = options.basicAuth === undefined ? undefined : `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;

  function outcomeFor(call: FakeBcssCall): FakeBcssOutcome {
    const { outcomes } = options;
    const chosen = typeof outcomes === 'function' ? outcomes(call) : outcomes !== undefined && call.ssin !== undefined ? outcomes[call.ssin] : undefined;
    return pickOutcome(chosen, call.attempt) ?? options.defaultOutcome ?? 'found';
  }

  function stampOf(received: number): ReplyStamp {
    const n = ++sequence;
    return { uuid: `fa4eb0c5-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, ssdnTicket: `FAKE${n.toString(36).toUpperCase().padStart(11, '0')}`, received, replied: clock.now() };
  }

  function reply(request: AcceptedRequest, outcome: FakeBcssOutcome, stamp: ReplyStamp): FakeBcssAnswer {
    const soap = (body: string): FakeBcssAnswer => ({ status: 200, headers: XML, body });
    const fault = (body: string): FakeBcssAnswer => ({ status: 500, headers: XML, body });
    if (typeof outcome === 'object' && 'httpStatus' in outcome) {
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (outcome.retryAfter !== undefined) headers['retry-after'] = outcome.retryAfter;
      return { status: outcome.httpStatus, headers, body: outcome.body ?? `HTTP ${outcome.httpStatus}` };
    }
    if (typeof outcome === 'object' && 'fault' in outcome) {
      if (outcome.fault.startsWith('SOA-')) return fault(systemError(outcome.fault, stamp, outcome.faultCode));
      const faultCode = outcome.faultCode ?? (outcome.fault === 'MSG00013' ? 'Client' : 'Server');
      const diagnostic = outcome.diagnostic ?? (outcome.fault === 'MSG00003' ? 'Unexpected internal error occurred' : outcome.fault === 'MSG00013' ? SOA_STATUS['not-authorised'].description : `Fault ${outcome.fault}`);
      if (request.family === 'ssdn') return fault(bareFault(faultCode, diagnostic));
      return fault(cbssFault(request.service, request.root, { code: outcome.fault, faultCode, severity: outcome.severity ?? 'FATAL', diagnostic }, stamp));
    }
    if (typeof outcome === 'object' && 'delayMs' in outcome) return reply(request, outcome.then ?? 'found', stamp);
    const status: SoaStatus = typeof outcome === 'object' ? replacedStatus(outcome.replacedBy) : SOA_STATUS[outcome];
    if (request.family === 'soa') {
      if (outcome === 'incomplete' && !request.service.incompleteData) return fault(systemError('SOA-02002', stamp));
      const data = status.value === 'DATA_FOUND' ? request.service.found(request.ssin ?? '') : '';
      return soap(soaReply(request.service as FakeSoaService, request.root, status, data, stamp));
    }
    const { service } = request;
    const base = { serviceId: service.serviceId, version: service.version };
    const ssin = request.ssin ?? '';
    if (outcome === 'incomplete') return fault(systemError('SOA-02002', stamp));
    if (outcome === 'not-authorised') return fault(systemError('SOA-01002', stamp));
    if (outcome === 'found' || outcome === 'not-found' || outcome === 'deceased') {
      return soap(ssdnReply(request.ssdn, { ...base, returnCode: 0, details: [], body: service.reply(ssin, outcome !== 'not-found', request.body, outcome === 'deceased') }, stamp));
    }
    return soap(ssdnReply(request.ssdn, { ...base, returnCode: 10000, details: [ssdnErrorOf(status)], body: '' }, stamp));
  }

  async function answer(exchange: FakeBcssExchange): Promise<FakeBcssAnswer> {
    const { path, headers, signal } = exchange;
    if (expectedAuth !== undefined && headers['authorization'] !== expectedAuth) {
      return { status: 401, headers: { 'www-authenticate': 'Basic realm="fake-bcss"', 'content-type': 'text/plain; charset=utf-8' }, body: 'unauthorised' };
    }
    const service = load(path);
    for (const entry of [service, total]) {
      entry.calls++;
      entry.inFlight++;
      entry.peak = Math.max(entry.peak, entry.inFlight);
    }
    try {
      const received = clock.now();
      const read = readRequest(path, headers, exchange.body, services);
      if ('refused' in read) {
        const refusal = read.refused;
        const code = refusal.form === 'malformed' ? 'SOA-03001' : refusal.form === 'no-service' ? 'HTTP_404' : '31000007';
        refusals.push({ path, code, reason: refusal.reason });
        await sleep(clock, typeof options.latencyMs === 'number' ? options.latencyMs : 5, signal);
        const stamp = stampOf(received);
        const note = { 'x-fake-bcss-refusal': refusal.reason.replace(/[^\x20-\x7e]/g, '?') };
        if (refusal.form === 'no-service') return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', ...note }, body: refusal.reason };
        if (refusal.form === 'malformed') return { status: 500, headers: { ...XML, ...note }, body: systemError('SOA-03001', stamp) };
        const { violation } = refusal;
        const detail = mandatoryArgumentMissing(violation.path, violation.value);
        return { status: 200, headers: { ...XML, ...note }, body: ssdnReply(refusal.ssdn, { serviceId: refusal.service.serviceId, version: refusal.service.version, returnCode: 10000, details: [detail], body: '' }, stamp) };
      }
      const request = read.accepted;
      const attempt = request.ssin === undefined ? 1 : (perSsin.get(request.ssin) ?? 0) + 1;
      if (request.ssin !== undefined) perSsin.set(request.ssin, attempt);
      const call: FakeBcssCall = {
        family: request.family,
        path,
        service: request.service.name,
        operation: request.family === 'soa' ? request.service.requestElement : request.service.serviceId,
        ssin: request.ssin,
        attempt,
        legalContext: request.family === 'soa' ? request.legalContext : undefined,
        customer: request.customer,
        ticket: request.ticket,
        sentAt: request.sentAt,
        clientCertificate: exchange.clientCertificate,
        authorized: headers['authorization'] !== undefined,
      };
      calls.push(call);
      let outcome = outcomeFor(call);
      await sleep(clock, typeof options.latencyMs === 'function' ? options.latencyMs(call) : (options.latencyMs ?? 5), signal);
      while (typeof outcome === 'object' && 'delayMs' in outcome) {
        await sleep(clock, outcome.delayMs, signal);
        outcome = outcome.then ?? 'found';
      }
      return reply(request, outcome, stampOf(received));
    } finally {
      service.inFlight--;
      total.inFlight--;
    }
  }

  return {
    answer,
    calls,
    refusals,
    peak: (path) => (path === undefined ? total.peak : (loads.get(path)?.peak ?? 0)),
    inFlight: (path) => (path === undefined ? total.inFlight : (loads.get(path)?.inFlight ?? 0)),
    callsFor: (ssin) => perSsin.get(ssin) ?? 0,
    reset() {
      calls.length = 0;
      refusals.length = 0;
      perSsin.clear();
      for (const entry of [...loads.values(), total]) {
        entry.calls = 0;
        entry.peak = entry.inFlight;
      }
    },
  };
}
