/**
 * The engine, the BCSS client and the fake BCSS service together, over real HTTP(S) on
 * loopback: caps measured at the server, the status table applied to a batch, invalid numbers
 * never sent, timeouts and Retry-After (on the injected FakeClock, driven step by step while
 * the sockets do real work), and no secret or whole national number in errors, events or records.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient, type BcssClient, type BcssClientOptions } from '../../src/bcss/client.js';
import type { BcssReply } from '../../src/bcss/soap.js';
import { createRun, MemoryStore, type OutcomeRecord, type RunOptions } from '../../src/index.js';
import { inszPrecheck } from '../../src/policy/insz.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { startFakeBcss, type FakeBcss, type FakeBcssOutcome } from '../../src/testing/fake-bcss.js';
import { makeCertificates, type TestCertificates } from '../tls-certs.js';
import { TEST_ANNOUNCEMENT, validInsz } from '../helpers.js';

const NS = 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2';
const PATH = 'RetrieveTIGroupsService/v2/retrieveTI';
const ACTION = 'http://kszbcss.fgov.be/RetrieveTIGroupsService/retrieveTI';

/** Valid national numbers: born 1985-07-30, counters 1.. */
const ssin = (counter: number): string => validInsz(counter);

/** Waits for real I/O (sockets) until a condition holds; fails after 10 s instead of hanging. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function lookup(client: BcssClient) {
  return (person: string, { signal }: { signal: AbortSignal }) =>
    client.soa(
      { path: PATH, soapAction: ACTION, request: { name: 'retrieveTIGroupsRequest', namespace: NS, body: { searchInformation: { ssin: person, language: 'fr' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' },
      { signal },
    );
}

function baseRun(client: BcssClient, input: string[], extra: Partial<RunOptions<string, BcssReply>> = {}) {
  return createRun<string, BcssReply>({
    announcement: TEST_ANNOUNCEMENT,
    input,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    key: (person) => person,
    call: lookup(client),
    classify: bcssClassifier(),
    precheck: inszPrecheck((person: string) => person, { today: Date.UTC(2026, 10, 23) }),
    rejectBudget: false,
    overload: false,
    // The fake BCSS on loopback is not the BCSS: these tests run at any hour.
    calendar: { enforce: false, override: { reason: 'loopback fake BCSS service in tests' } },
    ...extra,
  });
}

describe('a batch through the engine against the fake BCSS', () => {
  let bcss: FakeBcss;
  let client: BcssClient;
  const outcomes: Record<string, FakeBcssOutcome> = {};

  beforeAll(async () => {
    for (let i = 1; i <= 200; i++) {
      if (i % 10 === 1) outcomes[ssin(i)] = 'not-found';
      else if (i % 10 === 2) outcomes[ssin(i)] = 'deceased';
      else if (i % 10 === 3) outcomes[ssin(i)] = 'unknown-ssin';
      else if (i % 10 === 4) outcomes[ssin(i)] = { replacedBy: '17073003384' };
    }
    // 20 ms: long enough that 4 calls overlap at the server even on a loaded machine.
    bcss = await startFakeBcss({ latencyMs: 20, outcomes });
    client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, maxSockets: 4 });
  });

  afterAll(async () => {
    client.close();
    await bcss.close();
  });

  it('holds the cap of 4 at the server, applies the status table, and never sends an invalid number', async () => {
    const input = Array.from({ length: 200 }, (_, i) => ssin(i + 1));
    input.splice(50, 0, '85073003329', '85.07.30-000.28'); // invalid: check digits, counter
    const store = new MemoryStore();
    const businessCodes = new Map<string, number>();
    const run = baseRun(client, input, {
      store,
      onSuccess: (_person, _reply, info) => {
        businessCodes.set(info.code ?? '', (businessCodes.get(info.code ?? '') ?? 0) + 1);
      },
    });
    const summary = await run.start();
    expect(summary.state).toBe('completed');
    expect(bcss.peak(`/${PATH}`)).toBe(4);
    expect(bcss.calls.length).toBe(200);
    expect(bcss.callsFor('85073003329')).toBe(0);
    expect(summary.totals).toMatchObject({ read: 202, succeeded: 160, rejected: 42, attempts: 200 });
    expect(Object.fromEntries(businessCodes)).toEqual({ MSG00000: 120, MSG00100: 20, MSG00009: 20 });
    const byCode = new Map<string, number>();
    for (const r of store.rejects()) byCode.set(r.code ?? '', (byCode.get(r.code ?? '') ?? 0) + 1);
    expect(Object.fromEntries(byCode)).toEqual({ MSG00005: 20, MSG00006: 20, INSZ_CHECK_DIGITS: 1, INSZ_COUNTER: 1 });
    const replaced = store.rejects().find((r) => r.code === 'MSG00006')!;
    expect(replaced.reason).toBe('NO_RESULT MSG00006: The ssin given in request is replaced: newSSIN=17.07.30-***.**');
    expect(JSON.stringify(store.rejects())).not.toMatch(/\d{11}/);
  });

  it('stops the run on MSG00013 and sends nothing more', async () => {
    const stopper = await startFakeBcss({ latencyMs: 3, outcomes: { [ssin(5)]: 'not-authorised' } });
    const c = createBcssClient({ url: stopper.url, customer: { cbeNumber: '0123456789' } });
    let started = 0;
    const send = lookup(c);
    const run = baseRun(c, Array.from({ length: 100 }, (_, i) => ssin(i + 1)), { call: (person, context) => (started++, send(person, context)) });
    await expect(run.start()).rejects.toMatchObject({ code: 'RUN_FAILED', outcomeCode: 'MSG00013' });
    const atFailure = started;
    expect(atFailure).toBeLessThanOrEqual(12); // the 5th call and the few in flight around it, of 100
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nothing started after the failure; a request already on its way may still reach the server
    // (on a loaded machine it can arrive after the run has failed), but no other.
    expect(started).toBe(atFailure);
    expect(stopper.calls.length).toBeLessThanOrEqual(atFailure);
    c.close();
    await stopper.close();
  });
});

describe('timeouts and Retry-After, on the fake clock', () => {
  let bcss: FakeBcss;
  let client: BcssClient;
  const slow = ssin(1);
  const busy = ssin(2);

  beforeAll(async () => {
    bcss = await startFakeBcss({ latencyMs: 1, outcomes: { [slow]: [{ delayMs: 60_000 }, 'found'], [busy]: [{ httpStatus: 503, retryAfter: '120' }, 'found'] } });
    client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' } });
  });

  afterAll(async () => {
    client.close();
    await bcss.close();
  });

  it('a reply slower than the timeout is retried, then succeeds; the slow request is torn down (the socket closes) only at the hard deadline', async () => {
    const clock = new FakeClock();
    const retries: Array<{ code: string; delayMs: number }> = [];
    const run = baseRun(client, [slow], { clock, timeoutMs: 2_000, retry: { baseDelayMs: 1_000, maxDelayMs: 1_000 }, random: () => 0.5 });
    run.on('retry', (r) => retries.push({ code: r.code, delayMs: r.delayMs }));
    const done = run.start();
    await until(() => bcss.inFlight() === 1, 'the slow call to reach the server');
    await clock.advance(2_000); // the timeout fires
    await until(() => retries.length === 1, 'the retry to be scheduled');
    expect(retries[0]).toEqual({ code: 'CALL_TIMEOUT', delayMs: 500 });
    expect(bcss.inFlight()).toBe(1); // timed out, not torn down: the BCSS still counts it
    await clock.advance(500);
    await until(() => run.state === 'completed', 'the run to complete');
    const summary = await done;
    expect(summary.totals).toMatchObject({ succeeded: 1, attempts: 2, retries: 1 });
    expect(bcss.callsFor(slow)).toBe(2);
    await clock.advance(5_500); // the hard deadline: 4 times the 2 s timeout
    await until(() => bcss.inFlight() === 0, 'the server to see the aborted call go');
  });

  it('HTTP 503 with Retry-After: 120 waits exactly two minutes before the next attempt', async () => {
    const clock = new FakeClock();
    const retries: Array<{ code: string; delayMs: number }> = [];
    const run = baseRun(client, [busy], { clock });
    run.on('retry', (r) => retries.push({ code: r.code, delayMs: r.delayMs }));
    const done = run.start();
    await until(() => retries.length === 1, 'the 503');
    expect(retries[0]).toEqual({ code: 'HTTP_503', delayMs: 120_000 });
    await clock.advance(119_999);
    expect(bcss.callsFor(busy)).toBe(1);
    await clock.advance(1);
    await until(() => run.state === 'completed', 'the run to complete');
    await done;
    expect(bcss.callsFor(busy)).toBe(2);
  });
});

describe('no secret and no whole national number reaches an error, an event or a record', () => {
  const PASSPHRASE = 'pass-PHRASE-S3CRET';
  const PASSWORD = 'basic-PASSWORD-S3CRET';
  let certs: TestCertificates;
  let bcss: FakeBcss;

  beforeAll(async () => {
    certs = makeCertificates(PASSPHRASE);
    bcss = await startFakeBcss({
      tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca },
      basicAuth: { username: 'batch', password: PASSWORD },
      latencyMs: 1,
      outcomes: (call) => {
        const n = Number(call.ssin?.slice(6, 9));
        if (n % 4 === 0) return { fault: 'MSG00008', faultCode: 'Client', diagnostic: `SSIN ${call.ssin} refused by the supplier` };
        if (n % 4 === 1) return { httpStatus: 503, body: `busy for ${call.ssin}` };
        if (n % 4 === 2) return { replacedBy: '17073003384' };
        return 'found';
      },
    });
  });

  afterAll(async () => {
    await bcss?.close();
    certs?.remove();
  });

  const clientOptions = (password: string): BcssClientOptions => ({
    url: bcss.url,
    customer: { cbeNumber: '0123456789' },
    tls: { key: certs.clientKeyEncrypted, cert: certs.clientCert, passphrase: PASSPHRASE, ca: certs.ca },
    basicAuth: { username: 'batch', password },
  });

  function secretsIn(text: string): string[] {
    const found: string[] = [];
    const basic = Buffer.from(`batch:${PASSWORD}`).toString('base64');
    for (const secret of [PASSPHRASE, PASSWORD, basic, 'PRIVATE KEY', 'BEGIN CERTIFICATE', certs.clientPfx.toString('base64').slice(0, 32)]) {
      if (text.includes(secret)) found.push(secret);
    }
    const whole = text.match(/(?<!\d)\d{11}(?!\d)/g);
    if (whole !== null) found.push(...whole);
    return found;
  }

  it('in a batch of faults, 503s and replaced numbers', async () => {
    const client = createBcssClient(clientOptions(PASSWORD));
    const store = new MemoryStore();
    const events: unknown[] = [];
    const run = baseRun(client, Array.from({ length: 24 }, (_, i) => ssin(i + 1)), { store, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    for (const name of ['state', 'progress', 'reject', 'retry'] as const) run.on(name, (payload) => events.push({ name, payload }));
    const summary = await run.start();
    client.close();
    expect(summary.totals).toMatchObject({ succeeded: 6, rejected: 12, exhausted: 6 });
    const records: OutcomeRecord[] = [...store.rejects()];
    expect(records.filter((r) => r.code === 'MSG00008')[0]?.reason).toContain('SSIN 85.07.30-***.** refused by the supplier');
    expect(secretsIn(JSON.stringify(events) + JSON.stringify(records))).toEqual([]);
  });

  it('in the error that fails the run (HTTP 401 with a wrong password), its cause, message, stack, JSON and inspection', async () => {
    const client = createBcssClient(clientOptions('wrong-PASSWORD-S3CRET'));
    const events: unknown[] = [];
    const run = baseRun(client, [ssin(3)]);
    run.on('state', (s) => events.push(s));
    const error = await run.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    client.close();
    expect(error).toMatchObject({ code: 'RUN_FAILED', outcomeCode: 'HTTP_401' });
    const rendered = [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(events)].join('\n');
    expect(rendered).toContain('HTTP 401');
    expect(secretsIn(rendered)).toEqual([]);
    expect(rendered).not.toContain('wrong-PASSWORD-S3CRET');
  });

  it('in a transport error (no client certificate), with the password and an SSIN in the request', async () => {
    const client = createBcssClient({ ...clientOptions(PASSWORD), tls: { ca: certs.ca } });
    const error = await lookup(client)(ssin(3), { signal: new AbortController().signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    client.close();
    const rendered = [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join('\n');
    expect(rendered).toContain('BcssTransportError');
    expect(secretsIn(rendered)).toEqual([]);
  });
});
