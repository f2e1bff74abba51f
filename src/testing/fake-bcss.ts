/**
 * A fake BCSS service for tests, yours included: a real HTTP(S) server on loopback that speaks
 * both request families (SOA SOAP 1.1 and SSDN `sendXML`), answers each national number with
 * the outcome you configure (found, not found, deceased, replaced, invalid, not integrated, not
 * authorised, incomplete, SOAP faults, HTTP errors with `Retry-After`, slow replies), and records
 * every call and the peak of simultaneous calls, in all and per service path, so a test can
 * assert the caps over real sockets.
 *
 * Latency runs on real time (it is a real server): keep it to a few milliseconds in tests.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildXml, parseXmlNodes, SOAP_ENVELOPE_NS, SSDN_SERVICE_NS, SSDN_CONNECTOR_NS } from '../bcss/soap.js';

/** How the fake answers one call. */
export type FakeBcssOutcome =
  /** `DATA_FOUND` `MSG00000`, with `data(ssin)` as the body. */
  | 'found'
  /** `NO_DATA_FOUND` `MSG00100`. */
  | 'not-found'
  /** `NO_DATA_FOUND` `MSG00009`. */
  | 'deceased'
  /** `INCOMPLETE_DATA` `HAN20200`. */
  | 'incomplete'
  /** `NO_RESULT` `MSG00005`: the SSIN does not exist. */
  | 'unknown-ssin'
  /** `NO_RESULT` `MSG00008`: invalid data. */
  | 'invalid-data'
  /** `NO_RESULT` `MSG00011`: invalid SSIN structure. */
  | 'invalid-ssin'
  /** `NO_RESULT` `MSG00012`: SSIN not integrated for your organisation. */
  | 'not-integrated'
  /** `NO_RESULT` `MSG00013`: legal context or credentials not allowed. */
  | 'not-authorised'
  /** `NO_RESULT` `MSG00006` with the information `newSSIN`. */
  | { readonly replacedBy: string }
  /** A SOAP fault with a CBSS detail, e.g. `{ fault: 'MSG00003' }` (HTTP 500). Fault code `Client` for `SOA-01002`/`MSG00013`, `Server` otherwise. */
  | { readonly fault: string; readonly faultCode?: string; readonly severity?: string; readonly diagnostic?: string }
  /** An HTTP error without SOAP, e.g. `{ httpStatus: 503, retryAfter: '2' }`. */
  | { readonly httpStatus: number; readonly retryAfter?: string; readonly body?: string }
  /** Waits `delayMs` (past the client's timeout, say) before answering `then` (default `found`). */
  | { readonly delayMs: number; readonly then?: FakeBcssOutcome };

/** One call the fake received. */
export interface FakeBcssCall {
  readonly family: 'soa' | 'ssdn';
  /** Path of the request (the service). */
  readonly path: string;
  /** The request element's name (SOA) or the SSDN `ServiceId`. */
  readonly operation: string;
  /** The first SSIN-like field of the request (`ssin`, `SSIN`, `SocialSecurityUser`, ...). */
  readonly ssin: string | undefined;
  /** How many calls this SSIN has received, this one included (from 1). */
  readonly attempt: number;
  readonly legalContext: string | undefined;
  /** The customer identification (SOA) or the SSDN AuthorizedUser, as parsed. */
  readonly customer: unknown;
  /** The caller's ticket (SOA) or message reference (SSDN). */
  readonly ticket: string | undefined;
  /** `timestampSent` (SOA) or `TimeRequest` (SSDN) of the request. */
  readonly sentAt: string | undefined;
  /** Common name of the client certificate, when the server is TLS and asked for one. */
  readonly clientCertificate: string | undefined;
  /** Whether an Authorization header was present. */
  readonly authorized: boolean;
}

/** Settings of {@link startFakeBcss}. */
export interface FakeBcssOptions {
  /** Port (default 0: any free port). The server listens on 127.0.0.1. */
  readonly port?: number;
  /** Serve HTTPS. With `ca`, client certificates are required and checked against it. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer; readonly ca?: string | Buffer; readonly requestCert?: boolean };
  /** Require HTTP Basic with these credentials (HTTP 401 otherwise). */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Delay before each answer, in ms, fixed or per call (default 5). */
  readonly latencyMs?: number | ((call: FakeBcssCall) => number);
  /**
   * The outcome per national number (a list: one per attempt, the last repeated), or a function
   * of the call; `undefined` falls back to `defaultOutcome`.
   */
  readonly outcomes?: Readonly<Record<string, FakeBcssOutcome | readonly FakeBcssOutcome[]>> | ((call: FakeBcssCall) => FakeBcssOutcome | undefined);
  /** Outcome of a number without one (default `found`). */
  readonly defaultOutcome?: FakeBcssOutcome;
  /** The body of a `found` reply (default `{ person: { ssin } }`). */
  readonly data?: (ssin: string | undefined, call: FakeBcssCall) => Record<string, unknown>;
}

/** What the service saw of one path, or of all. */
export interface FakeBcssLoad {
  inFlight: number;
  peak: number;
  calls: number;
}

/** A running fake BCSS service. */
export interface FakeBcss {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  readonly port: number;
  /** Every call received, in order of arrival. */
  readonly calls: readonly FakeBcssCall[];
  /** Peak of simultaneous calls, in all or for one path. */
  peak(path?: string): number;
  /** Calls in progress now, in all or for one path. */
  inFlight(path?: string): number;
  /** Calls received for a national number. */
  callsFor(ssin: string): number;
  /** Forgets the calls and peaks (not the outcomes). */
  reset(): void;
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
}

const STATUS: Record<Exclude<FakeBcssOutcome, object>, { value: string; code: string; description: string }> = {
  found: { value: 'DATA_FOUND', code: 'MSG00000', description: 'Treatment successful' },
  'not-found': { value: 'NO_DATA_FOUND', code: 'MSG00100', description: 'No data found at the supplier' },
  deceased: { value: 'NO_DATA_FOUND', code: 'MSG00009', description: 'The person is deceased' },
  incomplete: { value: 'INCOMPLETE_DATA', code: 'HAN20200', description: 'Some sources could not be consulted' },
  'unknown-ssin': { value: 'NO_RESULT', code: 'MSG00005', description: 'The SSIN does not exist' },
  'invalid-data': { value: 'NO_RESULT', code: 'MSG00008', description: 'Validation error' },
  'invalid-ssin': { value: 'NO_RESULT', code: 'MSG00011', description: 'Invalid SSIN structure' },
  'not-integrated': { value: 'NO_RESULT', code: 'MSG00012', description: 'The SSIN is not integrated for your organisation' },
  'not-authorised': { value: 'NO_RESULT', code: 'MSG00013', description: 'Legal context not allowed' },
};

const SSIN_FIELDS = new Set(['ssin', 'socialsecurityuser', 'requestedssin']);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first SSIN-like field anywhere under a node. */
function findSsin(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findSsin(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isRecord(node)) return undefined;
  for (const [name, value] of Object.entries(node)) {
    if (SSIN_FIELDS.has(name.toLowerCase())) {
      const text = typeof value === 'string' ? value : isRecord(value) && typeof value['#text'] === 'string' ? value['#text'] : undefined;
      if (text !== undefined) return text;
    }
    const found = findSsin(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

function firstElement(node: unknown): [string, unknown] | undefined {
  if (!isRecord(node)) return undefined;
  return Object.entries(node).find(([name]) => !name.startsWith('@_') && name !== '#text');
}

function envelope(body: Record<string, unknown>): string {
  return buildXml({ 'soapenv:Envelope': { '@_xmlns:soapenv': SOAP_ENVELOPE_NS, 'soapenv:Body': body } });
}

function faultXml(code: string, faultCode: string, severity: string, diagnostic: string, now: Date): string {
  return envelope({
    'soapenv:Fault': {
      faultcode: `soapenv:${faultCode}`,
      faultstring: diagnostic,
      detail: {
        'cbss:serviceFault': {
          '@_xmlns:cbss': 'http://kszbcss.fgov.be/types/common/v3',
          informationCBSS: { ticketCBSS: randomUUID(), timestampReceive: now.toISOString(), timestampReply: now.toISOString() },
          detail: { severity, reasonCode: code, diagnostic, authorCode: 'CBSS' },
        },
      },
    },
  });
}

/**
 * Starts a fake BCSS service on loopback. Close it with `close()` at the end of the test.
 *
 * @example const bcss = await startFakeBcss({ outcomes: { '85073003328': 'not-found' } });
 */
export async function startFakeBcss(options: FakeBcssOptions = {}): Promise<FakeBcss> {
  const calls: FakeBcssCall[] = [];
  const perSsin = new Map<string, number>();
  const loads = new Map<string, FakeBcssLoad>();
  const total: FakeBcssLoad = { inFlight: 0, peak: 0, calls: 0 };
  const load = (path: string) => {
    let entry = loads.get(path);
    if (entry === undefined) loads.set(path, (entry = { inFlight: 0, peak: 0, calls: 0 }));
    return entry;
  };

  function outcomeFor(call: FakeBcssCall): FakeBcssOutcome {
    const { outcomes } = options;
    let chosen: FakeBcssOutcome | readonly FakeBcssOutcome[] | undefined;
    if (typeof outcomes === 'function') chosen = outcomes(call);
    else if (outcomes !== undefined && call.ssin !== undefined) chosen = outcomes[call.ssin];
    if (Array.isArray(chosen)) chosen = (chosen[Math.min(call.attempt, chosen.length) - 1] as FakeBcssOutcome | undefined) ?? undefined;
    return (chosen as FakeBcssOutcome | undefined) ?? options.defaultOutcome ?? 'found';
  }

  function reply(call: FakeBcssCall, outcome: FakeBcssOutcome, requestName: string, response: ServerResponse): void {
    const now = new Date();
    const send = (status: number, xml: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', ...headers }).end(xml);
    };
    if (typeof outcome === 'object' && 'httpStatus' in outcome) {
      response.writeHead(outcome.httpStatus, { 'content-type': 'text/plain', ...(outcome.retryAfter === undefined ? {} : { 'retry-after': outcome.retryAfter }) }).end(outcome.body ?? `HTTP ${outcome.httpStatus}`);
      return;
    }
    if (typeof outcome === 'object' && 'fault' in outcome) {
      const faultCode = outcome.faultCode ?? (['SOA-01002', 'MSG00013'].includes(outcome.fault) ? 'Client' : 'Server');
      send(500, faultXml(outcome.fault, faultCode, outcome.severity ?? 'FATAL', outcome.diagnostic ?? `Fault ${outcome.fault}`, now));
      return;
    }
    if (typeof outcome === 'object' && 'delayMs' in outcome) return; // resolved before reply()
    const status = typeof outcome === 'object' ? { value: 'NO_RESULT', code: 'MSG00006', description: 'The SSIN has been replaced' } : STATUS[outcome];
    const newSsin = typeof outcome === 'object' && 'replacedBy' in outcome ? outcome.replacedBy : undefined;
    const data = status.value === 'DATA_FOUND' ? (options.data?.(call.ssin, call) ?? { person: { ssin: call.ssin ?? '' } }) : {};
    if (call.family === 'soa') {
      const responseName = requestName.endsWith('Request') ? `${requestName.slice(0, -'Request'.length)}Response` : `${requestName}Response`;
      send(
        200,
        envelope({
          [`svc:${responseName}`]: {
            '@_xmlns:svc': 'urn:bcss-bulk:fake-bcss',
            informationCustomer: { ...(call.ticket === undefined ? {} : { ticket: call.ticket }), timestampSent: now.toISOString(), customerIdentification: call.customer ?? '' },
            informationCBSS: { ticketCBSS: randomUUID(), timestampReceive: now.toISOString(), timestampReply: now.toISOString() },
            legalContext: call.legalContext ?? '',
            status: {
              value: status.value,
              code: status.code,
              description: status.description,
              ...(newSsin === undefined ? {} : { information: { fieldName: 'newSSIN', fieldValue: newSsin } }),
            },
            ...data,
          },
        }),
      );
      return;
    }
    const returnCode = status.value === 'DATA_FOUND' ? '0' : status.value === 'NO_DATA_FOUND' ? '1' : '10000';
    const ssdnReply = buildXml({
      SSDNReply: {
        '@_xmlns': SSDN_SERVICE_NS,
        ReplyContext: {
          ResultSummary: { '@_ok': 'YES', ReturnCode: '0' },
          Message: { Reference: call.ticket ?? '', Ticket: randomUUID(), TimeRequest: '', TimeReceive: now.toISOString(), TimeResponse: now.toISOString() },
        },
        ServiceReply: {
          ServiceId: call.operation,
          Version: '1',
          ResultSummary: {
            '@_ok': returnCode === '10000' ? 'NO' : 'YES',
            ReturnCode: returnCode,
            ...(returnCode === '0'
              ? {}
              : {
                  Detail: {
                    Severity: returnCode === '1' ? 'WARNING' : 'FATAL',
                    ReasonCode: status.code,
                    Diagnostic: status.description,
                    AuthorCodeList: 'CBSS',
                    ...(newSsin === undefined ? {} : { Information: { FieldName: 'newSSIN', FieldValue: newSsin } }),
                  },
                }),
          },
          ...data,
        },
      },
    });
    send(200, envelope({ 'wsc:sendXMLResponse': { '@_xmlns:wsc': SSDN_CONNECTOR_NS, 'wsc:xmlString': ssdnReply } }));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const basic = options.basicAuth;
    if (basic !== undefined && request.headers.authorization !== `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="fake-bcss"' }).end('unauthorised');
      return;
    }
    const document = parseXmlNodes(Buffer.concat(chunks).toString('utf8'));
    const body = isRecord(document?.['Envelope']) ? document['Envelope']['Body'] : undefined;
    const entry = firstElement(body);
    if (entry === undefined) {
      response.writeHead(500, { 'content-type': 'text/xml' }).end(faultXml('MSG00008', 'Client', 'FATAL', 'The request is not a SOAP envelope', new Date()));
      return;
    }
    const [requestName, requestNode] = entry;
    let family: 'soa' | 'ssdn' = 'soa';
    let operation = requestName;
    let inner: unknown = requestNode;
    let legalContext: string | undefined;
    let customer: unknown;
    let ticket: string | undefined;
    let sentAt: string | undefined;
    if (requestName === 'sendXML') {
      family = 'ssdn';
      const xmlString = isRecord(requestNode) ? requestNode['xmlString'] : undefined;
      const ssdn = typeof xmlString === 'string' ? parseXmlNodes(xmlString)?.['SSDNRequest'] : undefined;
      if (!isRecord(ssdn)) {
        response.writeHead(500, { 'content-type': 'text/xml' }).end(faultXml('MSG00008', 'Client', 'FATAL', 'sendXML without an SSDNRequest', new Date()));
        return;
      }
      const context = ssdn['RequestContext'];
      const service = ssdn['ServiceRequest'];
      operation = isRecord(service) && typeof service['ServiceId'] === 'string' ? service['ServiceId'] : '';
      customer = isRecord(context) ? context['AuthorizedUser'] : undefined;
      const message = isRecord(context) ? context['Message'] : undefined;
      ticket = isRecord(message) && typeof message['Reference'] === 'string' ? message['Reference'] : undefined;
      sentAt = isRecord(message) && typeof message['TimeRequest'] === 'string' ? message['TimeRequest'] : undefined;
      inner = service;
    } else if (isRecord(requestNode)) {
      const info = requestNode['informationCustomer'];
      customer = isRecord(info) ? info['customerIdentification'] : undefined;
      ticket = isRecord(info) && typeof info['ticket'] === 'string' ? info['ticket'] : undefined;
      sentAt = isRecord(info) && typeof info['timestampSent'] === 'string' ? info['timestampSent'] : undefined;
      legalContext = typeof requestNode['legalContext'] === 'string' ? requestNode['legalContext'] : undefined;
      if (customer === undefined || legalContext === undefined || legalContext === '') {
        response.writeHead(500, { 'content-type': 'text/xml' }).end(faultXml('MSG00008', 'Client', 'FATAL', 'informationCustomer and legalContext are mandatory', new Date()));
        return;
      }
    }
    const ssin = findSsin(inner);
    const attempt = ssin === undefined ? 1 : (perSsin.get(ssin) ?? 0) + 1;
    if (ssin !== undefined) perSsin.set(ssin, attempt);
    const socket = request.socket as Partial<TLSSocket>;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const commonName = peer?.subject?.CN;
    const call: FakeBcssCall = {
      family,
      path,
      operation,
      ssin,
      attempt,
      legalContext,
      customer,
      ticket,
      sentAt,
      clientCertificate: typeof commonName === 'string' ? commonName : undefined,
      authorized: request.headers.authorization !== undefined,
    };
    calls.push(call);

    const service = load(path);
    for (const entryLoad of [service, total]) {
      entryLoad.calls++;
      entryLoad.inFlight++;
      entryLoad.peak = Math.max(entryLoad.peak, entryLoad.inFlight);
    }
    let open = true;
    const timers = new Set<NodeJS.Timeout>();
    const done = () => {
      if (!open) return;
      open = false;
      for (const timer of timers) clearTimeout(timer);
      service.inFlight--;
      total.inFlight--;
    };
    response.on('close', done);
    const wait = (ms: number) => new Promise<void>((resolve) => timers.add(setTimeout(resolve, ms)));

    let outcome = outcomeFor(call);
    const latency = typeof options.latencyMs === 'function' ? options.latencyMs(call) : (options.latencyMs ?? 5);
    await wait(latency);
    while (typeof outcome === 'object' && 'delayMs' in outcome) {
      await wait(outcome.delayMs);
      outcome = outcome.then ?? 'found';
    }
    if (!open) return; // the client went away
    reply(call, outcome, requestName, response);
    done();
  }

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end(`fake-bcss error: ${String(error)}`);
    });
  };
  const tls = options.tls;
  const server =
    tls === undefined
      ? http.createServer({ keepAlive: true }, listener)
      : https.createServer(
          {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            requestCert: tls.requestCert ?? tls.ca !== undefined,
            rejectUnauthorized: tls.requestCert ?? tls.ca !== undefined,
          },
          listener,
        );
  server.on('clientError', (_error, socket) => socket.destroy());
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    calls,
    peak: (path) => (path === undefined ? total.peak : (loads.get(path)?.peak ?? 0)),
    inFlight: (path) => (path === undefined ? total.inFlight : (loads.get(path)?.inFlight ?? 0)),
    callsFor: (ssin) => perSsin.get(ssin) ?? 0,
    reset() {
      calls.length = 0;
      perSsin.clear();
      loads.clear();
      total.calls = 0;
      total.peak = total.inFlight;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  };
}
