/**
 * Echoed credentials are never stored: a real HTTPS server on loopback echoes the request's
 * Authorization header, the password, the `user:password` pair, the TLS passphrase and their
 * base64 forms in a SOAP fault, an SOA SystemError, a reply status, an HTTP 500 page and an
 * unreadable 200 page. A FileStore-backed run (a real run directory) goes through all of them:
 * the errors, every event, every file of the run directory and the `bcss-bulk ledger export`
 * output (the real command) hold none of the secrets, while the echoed text itself is there
 * (scrubbed), and national numbers stay masked.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient, type BcssClient } from '../../src/bcss/client.js';
import type { BcssReply } from '../../src/bcss/soap.js';
import { secretScrubber } from '../../src/bcss/secrets.js';
import { createRun, FileStore, type RunEvents } from '../../src/index.js';
import { makeCertificates, type TestCertificates } from '../tls-certs.js';
import { startTlsServer, type TlsTestServer } from '../support/tls-server.js';
import { REPLIES_DIR } from '../support/reply-fixtures.js';
import { TEST_ANNOUNCEMENT, validInsz } from '../helpers.js';

const USER = 'batch-user';
const PASSWORD = 'Pa55-w0rd&<SECRET>';
const PASSPHRASE = 'tls-pass-SECRET-phrase';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TOKEN = b64(`${USER}:${PASSWORD}`);
/** Every form of a secret that must never be shown or stored. */
const SECRETS = [PASSWORD, PASSPHRASE, TOKEN, `${USER}:${PASSWORD}`, b64(PASSWORD), b64(PASSPHRASE), encodeURIComponent(PASSWORD), 'SECRET'];

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixture = (file: string) => readFileSync(path.join(REPLIES_DIR, file), 'utf8');

/** What a careless gateway puts in its error texts: the request's own credentials, and the person. */
function echo(authorization: string | undefined, ssin: string): string {
  return `echo Authorization=${authorization} password=${PASSWORD} pair=${USER}:${PASSWORD} passphrase=${PASSPHRASE} b64=${b64(PASSWORD)}/${b64(PASSPHRASE)} person=${ssin}`;
}

/** The answer per person (by counter): five ways server text reaches the caller. */
const ANSWERS: Record<number, (text: string) => { status: number; type: string; body: string }> = {
  // A CBSS fault (Client): its faultstring and diagnostic echo. Rejected.
  1: (text) => ({
    status: 500,
    type: 'text/xml',
    body: fixture('fault-cbss-MSG00003.xml')
      .replace('soapenv:Server', 'soapenv:Client')
      .replace('<faultstring>Unexpected internal error</faultstring>', `<faultstring>${xml(text)}</faultstring>`)
      .replace('<reasonCode>MSG00003</reasonCode><diagnostic>Unexpected internal error</diagnostic>', `<reasonCode>MSG00011</reasonCode><diagnostic>${xml(text)}</diagnostic>`),
  }),
  // The SOA platform's SystemError (SOA-03001, the request is wrong): its Message echoes. Rejected.
  2: (text) => ({ status: 500, type: 'text/xml', body: fixture('fault-soa-SOA-03001.xml').replace(/<Message xml:lang="en">[^<]*<\/Message>/, `<Message xml:lang="en">${xml(text)}</Message>`) }),
  // A reply whose status description echoes. Rejected (NO_RESULT MSG00005).
  3: (text) => ({ status: 200, type: 'text/xml', body: fixture('soa-no-result-MSG00005.xml').replace(/<description>[^<]*<\/description>/, `<description>${xml(text)}</description>`) }),
  // A gateway's HTTP 500 page. Transient, exhausted.
  4: (text) => ({ status: 500, type: 'text/html', body: `<html><body><h1>Internal error</h1><pre>${xml(text)}</pre></body></html>` }),
  // An unreadable 200 page. Transient, exhausted.
  5: (text) => ({ status: 200, type: 'text/html', body: `<html><body>${xml(text)}</body></html>` }),
};

let certs: TestCertificates;
let bcss: TlsTestServer;
let dir: string;

beforeAll(async () => {
  certs = makeCertificates(PASSPHRASE);
  bcss = await startTlsServer(
    { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
    {
      onRequest: (request, body, response) => {
        const ssin = /ssin>(\d{11})</.exec(body)?.[1] ?? '';
        const counter = [1, 2, 3, 4, 5].find((n) => validInsz(n) === ssin);
        if (counter === undefined) return false;
        const answer = ANSWERS[counter]!(echo(request.headers.authorization, ssin));
        response.writeHead(answer.status, { 'content-type': `${answer.type}; charset=utf-8` }).end(answer.body);
        return true;
      },
    },
  );
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-secrets-'));
});

afterAll(async () => {
  await bcss?.close();
  certs?.remove();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function clientOf(): BcssClient {
  return createBcssClient({
    url: bcss.url,
    customer: { cbeNumber: '0123456789' },
    tls: { pfx: certs.clientPfx, passphrase: PASSPHRASE, ca: certs.ca },
    basicAuth: { username: USER, password: PASSWORD },
  });
}

function call(client: BcssClient, ssin: string, signal?: AbortSignal) {
  return client.soa(
    {
      path: 'RetrieveTIGroupsService/v2/retrieveTI',
      request: { name: 'retrieveTIGroupsRequest', namespace: 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2', body: { searchInformation: { ssin, language: 'fr' } } },
      legalContext: 'PCSA:SOCIAL_INQUIRY',
    },
    signal === undefined ? {} : { signal },
  );
}

function expectNoSecret(text: string, where: string, { wholePeople = false } = {}): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} holds '${secret}'`).toBe(false);
  // The person is masked, never whole (but in a reply: the caller's own data).
  if (!wholePeople) for (const n of [1, 2, 3, 4, 5]) expect(text.includes(validInsz(n)), `${where} holds a whole national number`).toBe(false);
}

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out;
}

describe('credentials a server echoes are scrubbed from everything built from its text', () => {
  it('each error the client throws: message, fields, stack, inspect', async () => {
    const client = clientOf();
    try {
      for (const n of [1, 2, 3, 4, 5]) {
        const outcome = await call(client, validInsz(n)).then(
          (reply) => reply,
          (error: unknown) => error,
        );
        const shown = outcome instanceof Error ? [String(outcome), outcome.stack ?? '', JSON.stringify(outcome), inspect(outcome, { depth: 10, showHidden: true })].join('\n') : JSON.stringify((outcome as BcssReply).status);
        expectNoSecret(shown, `the outcome for person ${n}`, { wholePeople: !(outcome instanceof Error) });
        if (n !== 4 && n !== 5) expect(shown).toContain('password=***');
      }
    } finally {
      client.close();
    }
  });

  it('a FileStore run: events, every file of the run directory and the CSV / JSON Lines export hold no secret', async () => {
    const client = clientOf();
    const store = await FileStore.open(dir);
    const events: string[] = [];
    const run = createRun<string, BcssReply>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1, 2, 3, 4, 5].map((n) => validInsz(n)),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      key: (ssin) => ssin,
      call: (ssin, { signal }) => call(client, ssin, signal),
      classify: bcssClassifier(),
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      rejectBudget: false,
      overload: false,
      calendar: { enforce: false, override: { reason: 'loopback server in tests, not the BCSS' } },
      store,
    });
    const names: Array<keyof RunEvents> = ['state', 'progress', 'reject', 'retry', 'source-paused', 'source-resumed', 'resume-scheduled', 'shared-unavailable', 'shared-restored', 'stalled'];
    for (const name of names) run.on(name, (payload: unknown) => void events.push(`${name} ${JSON.stringify(payload)}`));
    try {
      const summary = await run.start();
      expect(summary.totals).toMatchObject({ rejected: 3, exhausted: 2, succeeded: 0 });
    } finally {
      await store.close();
      client.close();
    }

    const eventText = events.join('\n');
    expectNoSecret(eventText, 'the events');
    // The echoed text did reach the events, scrubbed: the test is not vacuous.
    expect(eventText).toContain('password=***');
    expect(eventText).toContain('Authorization=***');

    const files = await filesUnder(dir);
    const onDisk = (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('\n');
    expectNoSecret(onDisk, 'the run directory');
    expect(onDisk).toContain('passphrase=***');
    expect(onDisk).toContain('person=85.07.30-***.**');

    for (const format of ['csv', 'jsonl']) {
      const exported = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli.ts'), 'ledger', 'export', dir, '--format', format], { encoding: 'utf8' });
      expect(exported.status, exported.stderr).toBe(0);
      expect(exported.stdout.split('\n').filter((line) => line.includes('***')).length).toBeGreaterThanOrEqual(3);
      expectNoSecret(exported.stdout, `ledger export --format ${format}`);
    }
  });

  it('the scrubber covers the proxy credentials and the encoded forms, and leaves short values alone', () => {
    const scrub = secretScrubber({ proxy: 'http://proxy%20user:pr%40xy-secret@proxy.example:3128', basicAuth: { username: 'u', password: 'pw' }, passphrase: 'abc' });
    expect(scrub('x pr@xy-secret y pr%40xy-secret z')).toBe('x *** y *** z');
    expect(scrub(`Proxy-Authorization: Basic ${b64('proxy user:pr@xy-secret')}`)).toBe('Proxy-Authorization: ***');
    expect(scrub('abc and Basic ' + b64('u:pw'))).toBe('*** and ***');
    // A password shorter than 3 characters is not scrubbed alone (it would blank out ordinary text).
    expect(scrub('pw')).toBe('pw');
  });
});
