/**
 * Issue 15, findings 5 and 7 (replies): a hostile or broken BCSS over real HTTP on loopback.
 * Every reply the client cannot read is a BcssReplyError (never a plain Error, never
 * UNKNOWN_ERROR in a run), nothing reaches object prototypes, a large reply is refused while it
 * streams, and a reply that trickles forever ends at the call's deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient, DEFAULT_MAX_REPLY_BYTES, type BcssClient } from '../../src/bcss/client.js';
import { RETRIEVE_TI_GROUPS_V2_NS, IDENTIFY_PERSON_NS } from '../../src/bcss/contract.js';
import { BcssReplyError, BcssTransportError } from '../../src/bcss/errors.js';
import type { BcssReply } from '../../src/bcss/soap.js';
import { composeClassifiers } from '../../src/policy/classify.js';
import { createRun, MemoryStore } from '../../src/index.js';
import { TEST_ANNOUNCEMENT, validInsz } from '../helpers.js';
import { LARGE_REPLY_BYTES, startHostileServer, type HostileServer } from '../support/hostile-server.js';

const CUSTOMER = { cbeNumber: '0212344876' };
const SSDN_USER = { userId: '00000000097', email: 'batch@example.be', orgUnit: '0212344876', matrixId: 17, matrixSubId: 1 };
const classify = composeClassifiers(bcssClassifier());
const ctx = { now: Date.UTC(2026, 10, 25, 22), timedOut: false };

let server: HostileServer;
let client: BcssClient;

beforeAll(async () => {
  server = await startHostileServer();
  client = createBcssClient({ url: server.url, customer: CUSTOMER, ssdnUser: SSDN_USER });
});

afterAll(async () => {
  client.close();
  await server.close();
});

function soa(path: string, c: BcssClient = client, signal?: AbortSignal): Promise<BcssReply> {
  return c.soa(
    { path, request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation: { ssin: '85073003328' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' },
    signal === undefined ? {} : { signal },
  );
}

function ssdn(path: string): Promise<BcssReply> {
  return client.ssdn({ path, serviceId: 'OCMWCPASIdentifyPerson', version: '20050930', request: { name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: { SearchCriteria: { SSIN: '85073003328' } } } });
}

async function failure(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as Error,
  );
}

describe('replies nested deeper than maxReplyDepth (1,000 deep)', () => {
  it.each([
    ['SOAP body', '/deep', 'the reply nests elements deeper than 64 levels'],
    ['fault (HTTP 500)', '/deep-fault', 'the fault nests elements deeper than 64 levels'],
  ])('in the %s: a BcssReplyError before any parsing, classified BCSS_REPLY_INVALID', async (_, path, message) => {
    const error = await failure(soa(path));
    expect(error).toBeInstanceOf(BcssReplyError);
    expect(error.message).toContain(message);
    expect(classify({ ok: false, error }, ctx)).toMatchObject({ class: 'transient', code: 'BCSS_REPLY_INVALID' });
  });

  it('in the SSDN xmlString document', async () => {
    const error = await failure(ssdn('/deep-ssdn'));
    expect(error).toBeInstanceOf(BcssReplyError);
    expect(error.message).toContain('the SSDNReply nests elements deeper than 64 levels (maxReplyDepth)');
  });

  it('maxReplyDepth is an option: a client that allows 2,000 levels reads the same reply', async () => {
    const deep = createBcssClient({ url: server.url, customer: CUSTOMER, maxReplyDepth: 2_000 });
    const reply = await soa('/deep', deep);
    deep.close();
    expect(reply.status).toMatchObject({ value: 'DATA_FOUND', code: 'MSG00000' });
  });
});

describe('reserved names (__proto__, constructor, prototype)', () => {
  it.each([
    ['a <__proto__> element in the SOAP body', '/proto-body', "'__proto__'"],
    ['a prefixed <x:__proto__> element', '/proto-prefixed', "'x:__proto__'"],
    ['<constructor> and <prototype> elements', '/constructor-body', "'constructor'"],
    ['a <__proto__> element in a fault (HTTP 500)', '/proto-fault', "'__proto__'"],
  ])('%s: a BcssReplyError naming it, with the parser error as cause; no prototype touched', async (_, path, named) => {
    const error = await failure(soa(path));
    expect(error).toBeInstanceOf(BcssReplyError);
    expect(error.message).toContain(`names an element or attribute ${named}`);
    expect(error.cause).toBeInstanceOf(Error);
    expect(classify({ ok: false, error }, ctx)).toMatchObject({ class: 'transient', code: 'BCSS_REPLY_INVALID' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a <__proto__> element in the SSDN xmlString document', async () => {
    const error = await failure(ssdn('/proto-ssdn'));
    expect(error).toBeInstanceOf(BcssReplyError);
    expect(error.message).toContain("the SSDNReply could not be parsed: it names an element or attribute '__proto__'");
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('attributes with those names are read as plain data', async () => {
    const reply = await soa('/proto-attributes');
    const extra = (reply.body as Record<string, Record<string, unknown>>)['extra']!;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(extra['#text']).toBe('x');
    expect(Object.keys(extra)).toEqual(expect.arrayContaining(['@___proto__', '@_constructor', '@_prototype']));
  });
});

describe('replies larger than maxReplyBytes (15 MB)', () => {
  it('the default limit is 1 MiB', () => {
    expect(DEFAULT_MAX_REPLY_BYTES).toBe(1_048_576);
  });

  it('announced by its Content-Length: refused before reading, the connection closed', async () => {
    const error = await failure(soa('/large-length'));
    expect(error).toBeInstanceOf(BcssReplyError);
    expect(error.message).toMatch(/the reply announces 1500\d{4} bytes \(Content-Length\), more than maxReplyBytes \(1048576\); not read/);
    const end = await server.ended('/large-length');
    expect(end.completed).toBe(false);
    expect(end.bytesWritten).toBeLessThan(LARGE_REPLY_BYTES);
  });

  it.each(['/large-chunked', '/large-gzip'])('%s: reading stops once 1 MiB is passed (after decompression), the connection closed', async (path) => {
    const error = await failure(soa(path));
    expect(error).toBeInstanceOf(BcssReplyError);
    expect(error.message).toMatch(/the reply is larger than maxReplyBytes \(1048576 bytes\); reading stopped at \d+ bytes/);
    const stoppedAt = Number(/stopped at (\d+)/.exec(error.message)![1]);
    expect(stoppedAt).toBeLessThan(1_048_576 + 256 * 1024);
    expect(classify({ ok: false, error }, ctx)).toMatchObject({ class: 'transient', code: 'BCSS_REPLY_INVALID' });
    if (path === '/large-chunked') {
      const end = await server.ended(path);
      expect(end.completed).toBe(false);
      expect(end.bytesWritten).toBeLessThan(LARGE_REPLY_BYTES);
    }
  });
});

describe('a reply that trickles one byte every 500 ms forever', () => {
  it('ends at the call deadline (timeoutMs 600) with a BcssTransportError ETIMEDOUT; the socket is closed', async () => {
    const c = createBcssClient({ url: server.url, customer: CUSTOMER, timeoutMs: 600 });
    const started = Date.now();
    const error = await failure(soa('/trickle', c));
    const elapsed = Date.now() - started;
    c.close();
    expect(error).toBeInstanceOf(BcssTransportError);
    expect(error).toMatchObject({ networkCode: 'ETIMEDOUT', tls: false });
    expect(error.message).toContain("no complete reply within the call's deadline of 600 ms (timeoutMs)");
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(1_200);
    expect(classify({ ok: false, error }, ctx)).toMatchObject({ class: 'transient', code: 'NET_ETIMEDOUT' });
    const end = await server.ended('/trickle');
    expect(end.completed).toBe(false);
  });

  it("the caller's signal still wins: its reason, not the deadline", async () => {
    const c = createBcssClient({ url: server.url, customer: CUSTOMER, timeoutMs: 5_000 });
    const controller = new AbortController();
    const reason = new Error('stopped by the caller');
    setTimeout(() => controller.abort(reason), 100);
    const error = await failure(soa('/trickle', c, controller.signal));
    c.close();
    expect(error).toBe(reason);
  });
});

describe('inside a run (createRun with the client and bcssClassifier)', () => {
  it('hostile replies are classified as the BCSS classifier says, never UNKNOWN_ERROR; nothing unrecorded', async () => {
    const paths = ['/deep', '/proto-body', '/proto-fault', '/large-chunked', '/trickle'];
    const c = createBcssClient({ url: server.url, customer: CUSTOMER, timeoutMs: 600 });
    const store = new MemoryStore();
    const items = paths.map((path, i) => ({ path, ssin: validInsz(i + 1) }));
    const run = createRun<{ path: string; ssin: string }, BcssReply>({
      announcement: TEST_ANNOUNCEMENT,
      input: items,
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      key: (item) => item.path,
      call: (item, { signal }) => soa(item.path, c, signal),
      classify: bcssClassifier(),
      store,
      // The engine's timeout: in a run the client never tears a request down before the engine's hard deadline.
      timeoutMs: 600,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      rejectBudget: false,
      overload: false,
      calendar: { enforce: false, override: { reason: 'loopback hostile server in tests' } },
    });
    const summary = await run.start();
    c.close();
    expect(summary.state).toBe('completed');
    expect(summary.totals).toMatchObject({ exhausted: 5, succeeded: 0, rejected: 0 });
    const records = Object.fromEntries(store.rejects().map((r) => [r.key, { outcome: r.outcome, code: r.code, attempts: r.attempts }]));
    const replyInvalid = { outcome: 'exhausted', code: 'BCSS_REPLY_INVALID', attempts: 2 };
    expect(records).toEqual({
      '/deep': replyInvalid,
      '/proto-body': replyInvalid,
      '/proto-fault': replyInvalid,
      '/large-chunked': replyInvalid,
      '/trickle': { outcome: 'exhausted', code: 'CALL_TIMEOUT', attempts: 2 },
    });
    expect(store.rejects().find((r) => r.key === '/deep')?.reason).toContain('nests elements deeper than 64 levels');
  });
});
