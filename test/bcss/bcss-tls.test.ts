import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient, type BcssClientOptions } from '../../src/bcss/client.js';
import { BcssTransportError } from '../../src/bcss/errors.js';
import { ConfigError } from '../../src/util/errors.js';
import { composeClassifiers } from '../../src/policy/classify.js';
import { startFakeBcss, type FakeBcss } from '../../src/testing/fake-bcss.js';
import { makeCertificates, type TestCertificates } from '../tls-certs.js';

const PASSPHRASE = 'correct-horse-SECRET-passphrase';
const SSIN = '85073003328';
let certs: TestCertificates;
let bcss: FakeBcss;

const request = {
  path: 'RetrieveTIGroupsService/v2/retrieveTI',
  soapAction: 'http://kszbcss.fgov.be/RetrieveTIGroupsService/retrieveTI',
  request: { name: 'retrieveTIGroupsRequest', namespace: 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2', body: { searchInformation: { ssin: SSIN, language: 'fr' } } },
  legalContext: 'PCSA:SOCIAL_INQUIRY',
};

beforeAll(async () => {
  certs = makeCertificates(PASSPHRASE);
  bcss = await startFakeBcss({ tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca }, latencyMs: 1 });
});

afterAll(async () => {
  await bcss?.close();
  certs?.remove();
});

async function callWith(tls: BcssClientOptions['tls']) {
  const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, ...(tls === undefined ? {} : { tls }) });
  try {
    return await client.soa(request);
  } finally {
    client.close();
  }
}

/** Every way an error can be shown or serialised. */
function everyRendering(error: unknown): string {
  const e = error as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })].join('\n');
}

describe('TLS with a client certificate (the server requires and checks it)', () => {
  it('PEM key and certificate, with the CA: the call succeeds and the server saw the client certificate', async () => {
    const reply = await callWith({ key: certs.clientKey, cert: certs.clientCert, ca: certs.ca });
    expect(reply.status?.value).toBe('DATA_FOUND');
    expect(bcss.calls.at(-1)?.clientCertificate).toBe('batch-client');
  });

  it('an encrypted PEM key with its passphrase', async () => {
    const reply = await callWith({ key: certs.clientKeyEncrypted, cert: certs.clientCert, passphrase: PASSPHRASE, ca: certs.ca });
    expect(reply.status?.value).toBe('DATA_FOUND');
  });

  it('a PFX (PKCS#12) with its passphrase', async () => {
    const reply = await callWith({ pfx: certs.clientPfx, passphrase: PASSPHRASE, ca: certs.ca });
    expect(reply.status?.value).toBe('DATA_FOUND');
    expect(bcss.calls.at(-1)?.clientCertificate).toBe('batch-client');
  });

  it('without a client certificate: a clear, scrubbed transport error, and the run stops (fatal)', async () => {
    const calls = bcss.calls.length;
    const error = await callWith({ ca: certs.ca }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BcssTransportError);
    const transport = error as BcssTransportError;
    expect(transport.tls).toBe(true);
    expect(transport.message).toMatch(/^POST https:\/\/127\.0\.0\.1:\d+\/RetrieveTIGroupsService\/v2\/retrieveTI failed \(.+\): /);
    expect(bcss.calls.length).toBe(calls); // the server never saw a request
    const verdict = composeClassifiers(bcssClassifier())({ ok: false, error }, { now: 0, timedOut: false });
    expect(verdict).toMatchObject({ class: 'fatal', code: `TLS_${transport.networkCode}` });
  });

  it('a server certificate from an unknown CA: fatal, and the error carries no secret', async () => {
    const error = await callWith({ pfx: certs.clientPfx, passphrase: PASSPHRASE, ca: certs.otherCa }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BcssTransportError);
    expect((error as BcssTransportError).tls).toBe(true);
    expect(composeClassifiers(bcssClassifier())({ ok: false, error }, { now: 0, timedOut: false })).toMatchObject({ class: 'fatal' });
    const shown = everyRendering(error);
    expect(shown).not.toContain(PASSPHRASE);
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(certs.clientPfx.toString('base64').slice(0, 40));
    expect(shown).not.toContain(SSIN);
  });

  it('a wrong passphrase or a damaged certificate is a configuration error at once, without the secret', () => {
    for (const tls of [
      { pfx: certs.clientPfx, passphrase: 'wrong-SECRET', ca: certs.ca },
      { key: certs.clientKeyEncrypted, cert: certs.clientCert, passphrase: 'wrong-SECRET' },
      { key: 'not a key', cert: certs.clientCert },
    ]) {
      let error: unknown;
      try {
        createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, tls });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]).toMatchObject({ path: ['tls'], message: expect.stringMatching(/^the TLS certificate, key or CA could not be loaded: \S/) });
      const shown = everyRendering(error);
      expect(shown).not.toContain('wrong-SECRET');
      expect(shown).not.toContain('PRIVATE KEY');
    }
  });
});
