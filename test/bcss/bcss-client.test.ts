import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validInsz } from '../helpers.js';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient, type BcssClient } from '../../src/bcss/client.js';
import { IDENTIFY_PERSON_NS } from '../../src/bcss/contract.js';
import { BcssFaultError, BcssReplyError, BcssRequestError, BcssTransportError } from '../../src/bcss/errors.js';
import type { BcssReply } from '../../src/bcss/soap.js';
import { composeClassifiers, type AttemptResult, type Classification } from '../../src/policy/classify.js';
import { ConfigError } from '../../src/util/errors.js';
import { HttpStatusError } from '../../src/policy/errors.js';
import { startFakeBcss, type FakeBcss } from '../../src/testing/fake-bcss.js';

const NS = 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2';
const PATH = 'RetrieveTIGroupsService/v2/retrieveTI';
const NEW_SSIN = '17073003384';
/** Valid national numbers: born 1985-07-30, counters 1.. */
const ssin = (counter: number): string => validInsz(counter);
const SSINS = {
  found: ssin(33),
  notFound: ssin(34),
  deceased: ssin(35),
  incomplete: ssin(36),
  unknown: ssin(37),
  replaced: ssin(38),
  invalidData: ssin(39),
  invalidSsin: ssin(40),
  notIntegrated: ssin(41),
  notAuthorised: ssin(42),
  fault3: ssin(43),
  faultSoa2001: ssin(44),
  faultSoa1002: ssin(45),
  busy: ssin(46),
  tooMany: ssin(47),
  forbidden: ssin(48),
  unauthorised: ssin(49),
  garbled: ssin(50),
};

let bcss: FakeBcss;
let client: BcssClient;
const classify = composeClassifiers(bcssClassifier());
const ctx = { now: Date.UTC(2026, 10, 23, 20), timedOut: false };

function soa(ssin: string, signal?: AbortSignal): Promise<BcssReply> {
  return client.soa({ path: PATH, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin, language: 'fr' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' }, { signal });
}

function ssdn(ssin: string): Promise<BcssReply> {
  return client.ssdn({
    path: 'connectors/webservice/KSZBCSSWebServiceConnectorPort',
    serviceId: 'OCMWCPASIdentifyPerson',
    version: '20050930',
    request: { name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: { SearchCriteria: { SSIN: ssin } } },
  });
}

/** Calls and classifies, as the engine would. */
async function verdict(call: Promise<BcssReply>): Promise<{ result: AttemptResult<BcssReply>; verdict: Classification }> {
  const result: AttemptResult<BcssReply> = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { result, verdict: classify(result, ctx) };
}

beforeAll(async () => {
  bcss = await startFakeBcss({
    latencyMs: 1,
    outcomes: {
      [SSINS.notFound]: 'not-found',
      [SSINS.deceased]: 'deceased',
      [SSINS.incomplete]: 'incomplete',
      [SSINS.unknown]: 'unknown-ssin',
      [SSINS.replaced]: { replacedBy: NEW_SSIN },
      [SSINS.invalidData]: 'invalid-data',
      [SSINS.invalidSsin]: 'invalid-ssin',
      [SSINS.notIntegrated]: 'not-integrated',
      [SSINS.notAuthorised]: 'not-authorised',
      [SSINS.fault3]: { fault: 'MSG00003', diagnostic: 'Unexpected internal error' },
      [SSINS.faultSoa2001]: { fault: 'SOA-02001', diagnostic: 'Service not available' },
      [SSINS.faultSoa1002]: { fault: 'SOA-01002', diagnostic: 'Service call not authorized' },
      [SSINS.busy]: { httpStatus: 503, retryAfter: '7' },
      [SSINS.tooMany]: { httpStatus: 429, retryAfter: 'Mon, 23 Nov 2026 20:00:30 GMT' },
      [SSINS.forbidden]: { httpStatus: 403 },
      [SSINS.unauthorised]: { httpStatus: 401 },
      [SSINS.garbled]: { httpStatus: 200, body: '<html><body>proxy error' },
    },
  });
  client = createBcssClient({
    url: bcss.url,
    customer: { cbeNumber: '0123456789' },
    ssdnUser: { userId: '00000000097', email: 'batch@example.be', orgUnit: '0123456789', matrixId: 17, matrixSubId: 1 },
  });
});

afterAll(async () => {
  client.close();
  await bcss.close();
});

describe('SOA replies over HTTP on loopback, read and classified by the status table', () => {
  it('DATA_FOUND: a success, with ticket, timestamps, status and body', async () => {
    const { result, verdict: v } = await verdict(soa(SSINS.found));
    expect(v).toEqual({ class: 'success', code: 'MSG00000' });
    const reply = (result as { value: BcssReply }).value;
    expect(reply.family).toBe('soa');
    expect(reply.ticket).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.customerTicket).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.timestamps.received).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(reply.status).toEqual({ value: 'DATA_FOUND', code: 'MSG00000', description: 'Treatment completed successfully.', information: [], details: [] });
    expect(reply.body).toMatchObject({ searchInformation: { ssin: SSINS.found } });
  });

  it('the fake saw a well-formed request: operation, legal context, customer, ssin', () => {
    const call = bcss.calls.find((c) => c.ssin === SSINS.found)!;
    expect(call).toMatchObject({ family: 'soa', path: `/${PATH}`, operation: 'retrieveTIGroupsRequest', legalContext: 'PCSA:SOCIAL_INQUIRY', customer: { cbeNumber: '0123456789' } });
  });

  it('NO_DATA_FOUND (MSG00100, MSG00009): a success carrying its code, a business outcome', async () => {
    expect((await verdict(soa(SSINS.notFound))).verdict).toEqual({ class: 'success', code: 'MSG00100' });
    expect((await verdict(soa(SSINS.deceased))).verdict).toEqual({ class: 'success', code: 'MSG00009' });
  });

  it('incomplete data on RetrieveTIGroups v2 (its CommonV3 status has no INCOMPLETE_DATA): SOA-02002, transient', async () => {
    expect((await verdict(soa(SSINS.incomplete))).verdict).toMatchObject({ class: 'transient', code: 'SOA-02002' });
  });

  it('NO_RESULT codes: rejected with their code', async () => {
    for (const [ssin, code] of [
      [SSINS.unknown, 'MSG00005'],
      [SSINS.invalidData, 'MSG00008'],
      [SSINS.invalidSsin, 'MSG00011'],
      [SSINS.notIntegrated, 'MSG00012'],
    ] as const) {
      expect((await verdict(soa(ssin))).verdict, code).toMatchObject({ class: 'reject', code });
    }
  });

  it('MSG00006: rejected, the new SSIN in the reason, masked', async () => {
    const { result, verdict: v } = await verdict(soa(SSINS.replaced));
    expect(v).toEqual({ class: 'reject', code: 'MSG00006', reason: 'NO_RESULT MSG00006: The ssin given in request is replaced: newSSIN=17.07.30-***.**' });
    // The reply itself, handed to the caller, keeps the number whole.
    expect((result as { value: BcssReply }).value.status?.information).toEqual([{ fieldName: 'newSSIN', fieldValue: NEW_SSIN }]);
  });

  it('MSG00006 with revealNewSsin: the caller opted in, the reason carries the whole new SSIN', async () => {
    const reveal = composeClassifiers(bcssClassifier({ revealNewSsin: true }));
    const reply = await soa(SSINS.replaced);
    expect(reveal({ ok: true, value: reply }, ctx)).toMatchObject({ class: 'reject', code: 'MSG00006', reason: expect.stringContaining(`newSSIN=${NEW_SSIN}`) });
  });

  it('MSG00013: fatal (legal context or credentials not allowed)', async () => {
    expect((await verdict(soa(SSINS.notAuthorised))).verdict).toMatchObject({ class: 'fatal', code: 'MSG00013' });
  });
});

describe('SOAP faults and HTTP errors', () => {
  it('MSG00003 (Server, FATAL): a typed fault, transient', async () => {
    const { result, verdict: v } = await verdict(soa(SSINS.fault3));
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(BcssFaultError);
    expect(error).toMatchObject({ code: 'BCSS_FAULT', faultCode: 'Server', severity: 'FATAL', reasonCode: 'MSG00003', diagnostic: 'Unexpected internal error', httpStatus: 500 });
    expect((error as BcssFaultError).ticket).toMatch(/^[0-9a-f-]{36}$/);
    expect(v).toMatchObject({ class: 'transient', code: 'MSG00003' });
  });

  it('SOA-02001 (service not available, "retries will not work"): fatal', async () => {
    expect((await verdict(soa(SSINS.faultSoa2001))).verdict).toMatchObject({ class: 'fatal', code: 'SOA-02001' });
  });

  it('SOA-01002 (service call not authorized): fatal', async () => {
    const { result, verdict: v } = await verdict(soa(SSINS.faultSoa1002));
    expect((result as { error: unknown }).error).toMatchObject({ faultCode: 'Client', reasonCode: 'SOA-01002' });
    expect(v).toMatchObject({ class: 'fatal', code: 'SOA-01002' });
  });

  it('HTTP 503 with Retry-After: an HttpStatusError, transient after the delay', async () => {
    const { result, verdict: v } = await verdict(soa(SSINS.busy));
    expect((result as { error: unknown }).error).toBeInstanceOf(HttpStatusError);
    expect((result as { error: unknown }).error).toMatchObject({ status: 503, retryAfter: '7' });
    expect(v).toEqual({ class: 'transient', code: 'HTTP_503', reason: 'HTTP 503', retryAfterMs: 7_000 });
  });

  it('HTTP 429 with a Retry-After date: transient until that date', async () => {
    expect((await verdict(soa(SSINS.tooMany))).verdict).toMatchObject({ class: 'transient', code: 'HTTP_429', retryAfterMs: 30_000 });
  });

  it('HTTP 401 and 403: fatal', async () => {
    expect((await verdict(soa(SSINS.unauthorised))).verdict).toMatchObject({ class: 'fatal', code: 'HTTP_401' });
    expect((await verdict(soa(SSINS.forbidden))).verdict).toMatchObject({ class: 'fatal', code: 'HTTP_403' });
  });

  it('a reply that is not XML: a BcssReplyError, transient', async () => {
    const { result, verdict: v } = await verdict(soa(SSINS.garbled));
    expect((result as { error: unknown }).error).toBeInstanceOf(BcssReplyError);
    expect(v).toMatchObject({ class: 'transient', code: 'BCSS_REPLY_INVALID' });
  });

  it('a refused connection: a BcssTransportError, transient NET_ECONNREFUSED', async () => {
    const closed = await startFakeBcss();
    const url = closed.url;
    await closed.close();
    const dead = createBcssClient({ url, customer: { sector: 17, institution: 1 } });
    const { result, verdict: v } = await verdict(dead.soa({ request: { name: 'x', namespace: NS, body: {} }, legalContext: 'A:B' }));
    dead.close();
    expect((result as { error: unknown }).error).toBeInstanceOf(BcssTransportError);
    expect((result as { error: unknown }).error).toMatchObject({ networkCode: 'ECONNREFUSED', tls: false, method: 'POST', url: `${url}/` });
    expect(v).toMatchObject({ class: 'transient', code: 'NET_ECONNREFUSED' });
  });

  it('an abort through the signal rejects with the signal reason', async () => {
    const slow = await startFakeBcss({ defaultOutcome: { delayMs: 5_000 } });
    const slowClient = createBcssClient({ url: slow.url, customer: { cbeNumber: '0123456789' } });
    const controller = new AbortController();
    const reason = new Error('timed out');
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    await expect(slowClient.soa({ path: PATH, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin: SSINS.found } } }, legalContext: 'A:B' }, { signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The server saw the client go away: nothing stays in flight.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(slow.inFlight()).toBe(0);
    slowClient.close();
    await slow.close();
  });
});

describe('SSDN sendXML over HTTP on loopback', () => {
  it('ReturnCode 0: a success; the inner SSDNRequest travelled escaped and was read by the service', async () => {
    const { result, verdict: v } = await verdict(ssdn(SSINS.found));
    const reply = (result as { value: BcssReply }).value;
    expect(reply.family).toBe('ssdn');
    expect(reply.status).toMatchObject({ value: 'OK', code: 'SSDN_0' });
    expect(reply.ticket).toMatch(/^[0-9A-Z]{15}$/);
    expect(reply.body).toMatchObject({ IdentifyPersonReply: { SearchResults: { LimitedLegalData: { Basic: { SocialSecurityUser: SSINS.found } } } } });
    expect(v).toEqual({ class: 'success', code: 'SSDN_0' });
    const call = bcss.calls.find((c) => c.family === 'ssdn' && c.ssin === SSINS.found)!;
    expect(call).toMatchObject({ operation: 'OCMWCPASIdentifyPerson', customer: { UserID: '00000000097', OrgUnit: '0123456789', MatrixID: '17' } });
  });

  it('the same table applies to SSDN reason codes', async () => {
    // SSDN: a person not found is an empty reply (ReturnCode 0); errors carry 8-digit codes (the
    // fake's own 3999xxxx where no recorded reply shows the BCSS's); refusals of the caller and
    // unavailability are the SOA platform's SystemError faults; the connector declares no CBSS fault.
    expect((await verdict(ssdn(SSINS.notFound))).verdict).toEqual({ class: 'success', code: 'SSDN_0' });
    expect((await verdict(ssdn(SSINS.unknown))).verdict).toMatchObject({ class: 'reject', code: '39990005' });
    expect((await verdict(ssdn(SSINS.incomplete))).verdict).toMatchObject({ class: 'transient', code: 'SOA-02002' });
    expect((await verdict(ssdn(SSINS.notAuthorised))).verdict).toMatchObject({ class: 'fatal', code: 'SOA-01002' });
    expect((await verdict(ssdn(SSINS.replaced))).verdict).toMatchObject({ class: 'reject', code: '39990006', reason: expect.stringContaining('newSSIN=17.07.30-***.**') });
    expect((await verdict(ssdn(SSINS.fault3))).verdict).toMatchObject({ class: 'transient' });
  });
});

describe('requests are built safely', () => {
  it('escapes every text given by the caller', async () => {
    const hostile = `</ssin><x>&"'`;
    const seen = await startFakeBcss({ latencyMs: 0 });
    const c = createBcssClient({ url: seen.url, customer: { cbeNumber: '0123456789' } });
    // The fake reads the request back: the hostile text arrives whole (then fails the SsinType).
    const hostileCall = { path: PATH, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin: hostile } } }, legalContext: 'A&B' };
    await expect(c.soa(hostileCall)).rejects.toMatchObject({ httpStatus: 500 });
    expect(seen.refusals[0]?.reason).toContain(`'${hostile}'`);
    c.close();
    await seen.close();
  });

  it('refuses an element name that is not an XML name, before any call', async () => {
    const before = bcss.calls.length;
    await expect(client.soa({ request: { name: 'r', namespace: NS, body: { 'a><b': '1' } }, legalContext: 'A:B' })).rejects.toBeInstanceOf(BcssRequestError);
    await expect(client.soa({ request: { name: 'r x', namespace: NS, body: {} }, legalContext: 'A:B' })).rejects.toBeInstanceOf(BcssRequestError);
    expect(bcss.calls.length).toBe(before);
    const v = classify({ ok: false, error: new BcssRequestError('x') }, ctx);
    expect(v).toMatchObject({ class: 'fatal', code: 'PROGRAMMER_ERROR' });
  });

  it('refuses a ticket above 36 characters and an empty legal context', async () => {
    await expect(client.soa({ request: { name: 'r', namespace: NS, body: {} }, legalContext: 'A:B', ticket: 'x'.repeat(37) })).rejects.toThrow(/36 characters/);
    await expect(client.soa({ request: { name: 'r', namespace: NS, body: {} }, legalContext: '' })).rejects.toThrow(/legal context/);
  });

  it('never sends to another host than the configured endpoint, whatever the path says', async () => {
    const other = await startFakeBcss();
    const before = bcss.calls.length;
    for (const path of [other.url, `//127.0.0.1:${other.port}/x`]) {
      await expect(client.soa({ path, request: { name: 'r', namespace: NS, body: {} }, legalContext: 'A:B' })).rejects.toThrow(/leaves the configured endpoint/);
    }
    expect(other.calls.length + bcss.calls.length - before).toBe(0);
    await other.close();
  });

  it('refuses a SOAPAction that could break the header', async () => {
    for (const soapAction of ['a"b', 'a\r\nX-Injected: 1']) {
      await expect(client.soa({ soapAction, request: { name: 'r', namespace: NS, body: {} }, legalContext: 'A:B' })).rejects.toBeInstanceOf(BcssRequestError);
    }
  });

  it('ssdn() without the SSDN user is a request error', async () => {
    const c = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' } });
    await expect(c.ssdn({ serviceId: 's', version: '20050930', request: { name: 'r', namespace: 'urn:r', body: {} } })).rejects.toThrow(/ssdnUser/);
    c.close();
  });
});

describe('client configuration', () => {
  it('needs an endpoint: no BCSS address is built in', () => {
    expect(() => createBcssClient({ environment: 'acceptance', customer: { cbeNumber: '0123456789' } })).toThrow(ConfigError);
    expect(() => createBcssClient({ environment: 'acceptance', customer: { cbeNumber: '0123456789' } })).toThrow(/endpoints\.acceptance: set your endpoint/);
    expect(() => createBcssClient({ customer: { cbeNumber: '0123456789' } })).toThrow(/environment: give an environment/);
  });

  it('takes the environment endpoint from endpoints', () => {
    const c = createBcssClient({ environment: 'test', endpoints: { test: 'https://bcss.test.example/SOA', production: 'https://bcss.example/SOA' }, customer: { cbeNumber: '0123456789' } });
    expect(c.baseUrl).toBe('https://bcss.test.example/SOA');
    c.close();
  });

  it('names each malformed field, never echoing a secret', () => {
    let error: unknown;
    try {
      createBcssClient({ url: 'ftp://x', customer: { cbeNumber: '123' }, tls: { pfx: 42 as never, passphrase: 'p4ss-SECRET' }, maxSockets: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['url', 'customer.cbeNumber', 'tls', 'maxSockets']));
    expect(JSON.stringify((error as ConfigError).issues) + (error as Error).message).not.toContain('p4ss-SECRET');
  });

  it('the customer is an enterprise number or a sector and institution', () => {
    expect(() => createBcssClient({ url: 'https://x.example', customer: { sector: 1000, institution: 1 } })).toThrow(ConfigError);
    expect(() => createBcssClient({ url: 'https://x.example', customer: { sector: 17, institution: 1 } }).close()).not.toThrow();
  });
});

describe('client limits and generators', () => {
  it('timeoutMs: without a signal, a reply slower than the safety timeout is a transient transport error', async () => {
    const slow = await startFakeBcss({ defaultOutcome: { delayMs: 5_000 } });
    const c = createBcssClient({ url: slow.url, customer: { cbeNumber: '0123456789' }, timeoutMs: 100 });
    const { result, verdict: v } = await verdict(c.soa({ path: PATH, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin: SSINS.found } } }, legalContext: 'A:B' }));
    expect((result as { error: unknown }).error).toMatchObject({ code: 'BCSS_TRANSPORT', networkCode: 'ETIMEDOUT' });
    expect(v).toMatchObject({ class: 'transient', code: 'NET_ETIMEDOUT' });
    c.close();
    await slow.close();
  });

  it('maxReplyBytes: a larger reply is a BcssReplyError', async () => {
    const c = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, maxReplyBytes: 200 });
    await expect(c.soa({ path: PATH, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin: SSINS.found } } }, legalContext: 'A:B' })).rejects.toThrow(/BCSS reply \(HTTP 200\) could not be read: the reply is larger than maxReplyBytes \(200 bytes\)/);
    c.close();
  });

  it('ticket and now: the caller ticket and timestampSent of each request', async () => {
    const c = createBcssClient({
      url: bcss.url,
      customer: { cbeNumber: '0123456789' },
      ssdnUser: { userId: '00000000097', email: 'a@b.be', orgUnit: '0123456789', matrixId: 17, matrixSubId: 1 },
      ticket: () => 'batch-42',
      now: () => Date.UTC(2026, 10, 23, 21),
    });
    const reply = await c.soa({ path: PATH, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin: SSINS.found } } }, legalContext: 'A:B' });
    expect(reply.customerTicket).toBe('batch-42');
    expect(bcss.calls.at(-1)).toMatchObject({ ticket: 'batch-42', sentAt: '2026-11-23T21:00:00.000Z' });
    await c.ssdn({ serviceId: 'OCMWCPASIdentifyPerson', version: '20050930', request: { name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: { SearchCriteria: { SSIN: SSINS.found } } } });
    expect(bcss.calls.at(-1)).toMatchObject({ family: 'ssdn', ticket: 'batch-42', sentAt: '20261123T220000' }); // Brussels time
    c.close();
  });
});

describe('the classifier composes', () => {
  it('leaves values that are not BCSS replies to the default', () => {
    expect(bcssClassifier()({ ok: true, value: 42 }, ctx)).toBeUndefined();
    expect(bcssClassifier()({ ok: false, error: new Error('x') }, ctx)).toBeUndefined();
  });

  it('reads the reply inside the caller value with replyOf', async () => {
    const reply = await soa(SSINS.unknown);
    const c = bcssClassifier<{ reply: BcssReply }>({ replyOf: (v) => v.reply });
    expect(c({ ok: true, value: { reply } }, ctx)).toMatchObject({ class: 'reject', code: 'MSG00005' });
  });

  it('a per-service classifier placed first overrides a verdict', async () => {
    const reply = await soa(SSINS.notIntegrated);
    const registerFirst = composeClassifiers<BcssReply>(
      (result) => (result.ok && result.value.status?.code === 'MSG00012' ? { class: 'fatal', code: 'MSG00012', reason: 'register the population first' } : undefined),
      bcssClassifier(),
    );
    expect(registerFirst({ ok: true, value: reply }, ctx)).toMatchObject({ class: 'fatal', code: 'MSG00012' });
    expect(registerFirst({ ok: true, value: await soa(SSINS.unknown) }, ctx)).toMatchObject({ class: 'reject', code: 'MSG00005' });
  });

  it('extra fatal and transient codes', async () => {
    const reply = await soa(SSINS.invalidData);
    expect(bcssClassifier({ fatalCodes: ['MSG00008'] })({ ok: true, value: reply }, ctx)).toMatchObject({ class: 'fatal', code: 'MSG00008' });
    expect(bcssClassifier({ transientCodes: ['MSG00008'] })({ ok: true, value: reply }, ctx)).toMatchObject({ class: 'transient', code: 'MSG00008' });
  });
});
