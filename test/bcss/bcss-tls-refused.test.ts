/**
 * TLS failures classified by what they mean, against real HTTPS servers on loopback: a client
 * certificate the server does not know (TLS 1.2 and 1.3: Node's server closes without an alert,
 * the client sees ECONNRESET) or no certificate at all (an alert) stops the run on its first
 * item; a server certificate from an unknown CA or for another host is fatal with a sentence
 * that says so; a server that served calls and then resets its connections is retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient, type BcssClient, type BcssClientOptions } from '../../src/bcss/client.js';
import { BcssTransportError } from '../../src/bcss/errors.js';
import type { BcssReply } from '../../src/bcss/soap.js';
import { tlsFailureOf } from '../../src/bcss/tls-failure.js';
import { composeClassifiers, createRun, RunFailedError, type OutcomeRecord, type RetryEvent } from '../../src/index.js';
import { makeCertificates, type TestCertificates } from '../tls-certs.js';
import { startTlsServer, type TlsTestServer } from '../support/tls-server.js';
import { TEST_ANNOUNCEMENT, validInsz } from '../helpers.js';

const PASSPHRASE = 'tls-refused-test-passphrase';
let certs: TestCertificates;
const servers: TlsTestServer[] = [];

beforeAll(() => {
  certs = makeCertificates(PASSPHRASE);
});
afterAll(async () => {
  for (const server of servers) await server.close();
  certs?.remove();
});

async function server(...args: Parameters<typeof startTlsServer>): Promise<TlsTestServer> {
  const started = await startTlsServer(...args);
  servers.push(started);
  return started;
}

function clientOf(url: string, tls: BcssClientOptions['tls']): BcssClient {
  return createBcssClient({ url, customer: { cbeNumber: '0123456789' }, maxSockets: 4, ...(tls === undefined ? {} : { tls }) });
}

function lookup(client: BcssClient) {
  return (ssin: string, { signal }: { signal: AbortSignal }) =>
    client.soa(
      {
        path: 'RetrieveTIGroupsService/v2/retrieveTI',
        request: { name: 'retrieveTIGroupsRequest', namespace: 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2', body: { searchInformation: { ssin, language: 'fr' } } },
        legalContext: 'PCSA:SOCIAL_INQUIRY',
      },
      { signal },
    );
}

interface Outcome {
  readonly error: unknown;
  /** Items that succeeded (keys), in order. */
  readonly succeeded: string[];
  /** Rejected or exhausted items. */
  readonly records: OutcomeRecord[];
  readonly retries: RetryEvent[];
  readonly summary: Awaited<ReturnType<ReturnType<typeof createRun>['start']>> | undefined;
}

/** A run of `count` people through the client, cap 4, up to `maxAttempts` attempts each. */
async function runThrough(client: BcssClient, count: number, maxAttempts: number): Promise<Outcome> {
  const succeeded: string[] = [];
  const records: OutcomeRecord[] = [];
  const retries: RetryEvent[] = [];
  const run = createRun<string, BcssReply>({
    announcement: TEST_ANNOUNCEMENT,
    input: Array.from({ length: count }, (_, i) => validInsz(i + 1)),
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    key: (ssin) => ssin,
    call: lookup(client),
    classify: bcssClassifier(),
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 5 },
    rejectBudget: false,
    overload: false,
    calendar: { enforce: false, override: { reason: 'loopback TLS servers in tests, not the BCSS' } },
    onSuccess: (item) => void succeeded.push(item),
  });
  run.on('reject', (record) => records.push(record));
  run.on('retry', (event) => retries.push(event));
  try {
    const summary = await run.start();
    return { error: undefined, succeeded, records, retries, summary };
  } catch (error) {
    return { error, succeeded, records, retries, summary: undefined };
  } finally {
    client.close();
  }
}

describe('a client certificate the BCSS refuses stops the run on its first item', () => {
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${maxVersion}: the server does not know the certificate (it closes without an alert): fatal, not retried`, async () => {
      // The server trusts another CA than the one that signed the client's certificate.
      const bcss = await server({ key: certs.serverKey, cert: certs.serverCert, ca: certs.otherCa, requestCert: true, rejectUnauthorized: true, maxVersion });
      const client = clientOf(bcss.url, { pfx: certs.clientPfx, passphrase: PASSPHRASE, ca: certs.ca });
      const outcome = await runThrough(client, 12, 3);

      expect(outcome.error).toBeInstanceOf(RunFailedError);
      const failure = outcome.error as RunFailedError;
      expect(failure.outcomeCode).toBe('TLS_ECONNRESET');
      expect(failure.message).toMatch(/the BCSS refused the client certificate .*check tls\.pfx \(or tls\.key\/tls\.cert\) and that the BCSS knows this certificate/);
      expect(failure.message).not.toContain(PASSPHRASE);
      // Not one retry, no item exhausted: at most the first wave of the cap reached the server.
      expect(outcome.retries).toEqual([]);
      expect(outcome.records.filter((record) => record.outcome === 'exhausted')).toEqual([]);
      expect(bcss.connections).toBeLessThanOrEqual(4);
      expect(bcss.requests).toBe(0);
    });

    it(`${maxVersion}: no client certificate at all (the server answers with a TLS alert): fatal, says what is missing`, async () => {
      const bcss = await server({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true, maxVersion });
      const error = await lookup(clientOf(bcss.url, { ca: certs.ca }))(validInsz(1), { signal: new AbortController().signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BcssTransportError);
      const transport = error as BcssTransportError;
      expect(transport).toMatchObject({ tls: true, tlsFailure: 'client-certificate-refused' });
      expect(transport.message).toMatch(maxVersion === 'TLSv1.3' ? /refused the client certificate \(TLS alert: certificate required\)/ : /TLS alert: handshake failure/);
      expect(transport.message).toContain('no client certificate is configured: set tls.pfx (or tls.key/tls.cert)');
      expect(composeClassifiers(bcssClassifier())({ ok: false, error }, { now: 0, timedOut: false })).toMatchObject({ class: 'fatal' });
    });
  }
});

describe('the server certificate', () => {
  it('from a CA the client does not trust: fatal, "unknown CA", check tls.ca', async () => {
    const bcss = await server({ key: certs.serverKey, cert: certs.serverCert });
    const outcome = await runThrough(clientOf(bcss.url, { pfx: certs.clientPfx, passphrase: PASSPHRASE, ca: certs.otherCa }), 6, 3);
    expect(outcome.error).toBeInstanceOf(RunFailedError);
    expect((outcome.error as RunFailedError).message).toMatch(/server certificate is not signed by a trusted CA \(unknown CA\): check tls\.ca/);
    expect(outcome.retries).toEqual([]);
    expect(bcss.requests).toBe(0);
  });

  it('for another host name: fatal, check the endpoint URL', async () => {
    const bcss = await server({ key: certs.serverKey, cert: certs.serverCert });
    // The certificate names IP 127.0.0.1; the client calls "localhost".
    const error = await lookup(clientOf(bcss.url.replace('127.0.0.1', 'localhost'), { ca: certs.ca }))(validInsz(1), { signal: new AbortController().signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ tls: true, tlsFailure: 'hostname-mismatch', message: expect.stringMatching(/certificate is for another host name: check the endpoint URL/) });
  });
});

describe('a reset after the BCSS accepted the client stays transient', () => {
  it('the server serves, then resets every connection and closes new ones right after their handshake, then recovers: retried, the run completes', async () => {
    let resetsLeft = 0;
    let served = 0;
    const bcss = await server(
      { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
      {
        onRequest: (_request, _body, _response, self) => {
          served++;
          if (served === 9) resetsLeft = 8; // mid-run: a failover
          if (resetsLeft <= 0) return false;
          resetsLeft--;
          self.resetAll();
          return true;
        },
        // While it fails over, new connections are closed right after the handshake, before any reply.
        onSecure: (socket) => {
          if (resetsLeft <= 0) return;
          resetsLeft--;
          socket.destroy();
        },
      },
    );
    const outcome = await runThrough(clientOf(bcss.url, { pfx: certs.clientPfx, passphrase: PASSPHRASE, ca: certs.ca }), 24, 12);

    expect(outcome.error).toBeUndefined();
    expect(outcome.summary?.state).toBe('completed');
    expect(outcome.succeeded).toHaveLength(24);
    expect(outcome.records).toEqual([]);
    expect(outcome.summary?.totals).toMatchObject({ succeeded: 24, rejected: 0, exhausted: 0 });
    expect(outcome.retries.length).toBeGreaterThanOrEqual(1);
    expect(new Set(outcome.retries.map((retry) => retry.code))).toEqual(new Set(['NET_ECONNRESET']));
    expect(resetsLeft).toBe(0);
  });
});

describe('what each failure means (the facts Node reports)', () => {
  const base = { message: '', overTls: true, handshakeDone: false, replyStarted: false, everAccepted: false, hasClientCertificate: true };
  it.each([
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'client-certificate-refused'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'client-certificate-refused'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'client-certificate-refused'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'server-certificate-untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'server-certificate-untrusted'],
    ['CERT_HAS_EXPIRED', 'server-certificate-expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname-mismatch'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake-failed'],
  ])('%s → %s, whatever the client did before', (code, failure) => {
    expect(tlsFailureOf({ ...base, code, everAccepted: true, handshakeDone: true })?.failure).toBe(failure);
  });

  it('a reset is a refusal only before the BCSS ever answered the client, and only over TLS', () => {
    expect(tlsFailureOf({ ...base, code: 'ECONNRESET' })?.failure).toBe('client-certificate-refused');
    expect(tlsFailureOf({ ...base, code: 'ECONNRESET', handshakeDone: true })?.explanation).toMatch(/right after the TLS handshake, before any reply/);
    expect(tlsFailureOf({ ...base, code: 'ECONNRESET', everAccepted: true })).toBeUndefined();
    expect(tlsFailureOf({ ...base, code: 'ECONNRESET', replyStarted: true })).toBeUndefined();
    expect(tlsFailureOf({ ...base, code: 'ECONNRESET', overTls: false })).toBeUndefined();
    expect(tlsFailureOf({ ...base, code: 'ECONNREFUSED' })).toBeUndefined();
    expect(tlsFailureOf({ ...base, code: 'ETIMEDOUT' })).toBeUndefined();
  });

  it('the default classifier stops on a TLS failure too (a BcssTransportError with tls)', () => {
    const error = new BcssTransportError({ method: 'POST', url: 'https://bcss.example/x', networkCode: 'ECONNRESET', detail: 'the BCSS refused the client certificate', tls: true, tlsFailure: 'client-certificate-refused' });
    expect(composeClassifiers()({ ok: false, error }, { now: 0, timedOut: false })).toMatchObject({ class: 'fatal', code: 'TLS_ECONNRESET' });
  });
});
