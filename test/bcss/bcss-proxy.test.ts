/**
 * The `proxy` option: a real CONNECT proxy on loopback (node:http) in front of an HTTPS server
 * that requires the client certificate. The client certificate reaches the BCSS through the
 * tunnel (TLS end-to-end), the proxy sees only the CONNECT, and the proxy's credentials never
 * appear in an error.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBcssClient, type BcssClientOptions } from '../../src/bcss/client.js';
import { RETRIEVE_TI_GROUPS_V2_NS } from '../../src/bcss/contract.js';
import { BcssTransportError } from '../../src/bcss/errors.js';
import { HttpStatusError } from '../../src/policy/errors.js';
import { readReply } from '../support/reply-fixtures.js';
import { makeCertificates, type TestCertificates } from '../tls-certs.js';

const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'Pr0xy-SECRET-pw';
let certs: TestCertificates;
let bcss: HttpsServer;
let bcssUrl: string;
/** Client certificate subjects the HTTPS server saw, per request. */
const peers: string[] = [];
let proxy: HttpServer;
let proxyPort: number;
/** CONNECT requests the proxy saw: target and Proxy-Authorization. */
const connects: Array<{ target: string; authorization: string | undefined }> = [];
/** Plain (non-CONNECT) requests the proxy saw: there must be none. */
let plainRequests = 0;

const request = {
  path: 'RetrieveTIGroupsService/v2/retrieveTI',
  request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation: { ssin: '85073003328' } } },
  legalContext: 'PCSA:SOCIAL_INQUIRY',
};

function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  certs = makeCertificates('proxy-test-passphrase');
  bcss = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    peers.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(readReply('soa-data-found.xml'));
    });
  });
  bcssUrl = `https://127.0.0.1:${await listen(bcss)}/`;
  proxy = createHttpServer((_req, res) => {
    plainRequests += 1;
    res.writeHead(405).end();
  });
  proxy.on('connect', (req, client, head) => {
    const authorization = req.headers['proxy-authorization'];
    connects.push({ target: req.url ?? '', authorization });
    const expected = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
    if (authorization !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxyPort = await listen(proxy);
});

afterAll(async () => {
  await new Promise((resolve) => bcss?.close(resolve));
  await new Promise((resolve) => proxy?.close(resolve));
  certs?.remove();
});

function client(overrides: Partial<BcssClientOptions>) {
  return createBcssClient({
    url: bcssUrl,
    customer: { cbeNumber: '0212344876' },
    tls: { key: certs.clientKey, cert: certs.clientCert, ca: certs.ca },
    ...overrides,
  });
}

function everyRendering(error: unknown): string {
  const e = error as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })].join('\n');
}

describe('through an HTTPS proxy', () => {
  it('tunnels with CONNECT; the client certificate reaches the BCSS end-to-end', async () => {
    const c = client({ proxy: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxyPort}` });
    const before = { connects: connects.length, peers: peers.length };
    try {
      const reply = await c.soa(request);
      expect(reply.status).toMatchObject({ value: 'DATA_FOUND', code: 'MSG00000' });
      await c.soa(request); // a second call, on the kept-alive tunnel or a new one
    } finally {
      c.close();
    }
    expect(peers.slice(before.peers)).toEqual(['batch-client', 'batch-client']);
    const seen = connects.slice(before.connects);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]!.target).toBe(new URL(bcssUrl).host);
    expect(plainRequests).toBe(0);
  });

  it('without the proxy option, the connection is direct (the proxy sees nothing)', async () => {
    const c = client({});
    const before = connects.length;
    try {
      await c.soa(request);
    } finally {
      c.close();
    }
    expect(connects.length).toBe(before);
  });

  it('wrong proxy credentials: an HTTP 407 error that quotes none of them', async () => {
    const c = client({ proxy: `http://${PROXY_USER}:wrong-${PROXY_PASSWORD}@127.0.0.1:${proxyPort}` });
    try {
      const error = await c.soa(request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(error).toMatchObject({ status: 407 });
      expect(everyRendering(error)).not.toContain(PROXY_PASSWORD);
      expect(everyRendering(error)).not.toContain(PROXY_USER);
    } finally {
      c.close();
    }
  });

  it('an unreachable proxy: a transport error that quotes none of its credentials', async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const c = client({ proxy: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}` });
    try {
      const error = await c.soa(request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BcssTransportError);
      expect(error).toMatchObject({ networkCode: 'ECONNREFUSED' });
      expect(everyRendering(error)).not.toContain(PROXY_PASSWORD);
      expect(everyRendering(error)).not.toContain(PROXY_USER);
    } finally {
      c.close();
    }
  });

  it('the proxy is an http:// URL; a malformed one is a ConfigError naming the field, not quoting it', () => {
    expect(() => client({ proxy: `ftp://${PROXY_USER}:${PROXY_PASSWORD}@proxy:21` })).toThrow(/proxy/);
    try {
      client({ proxy: `https://${PROXY_USER}:${PROXY_PASSWORD}@proxy:3128` });
      expect.unreachable();
    } catch (error) {
      expect(everyRendering(error)).not.toContain(PROXY_PASSWORD);
      expect((error as { issues: Array<{ path: unknown[] }> }).issues[0]!.path).toEqual(['proxy']);
    }
  });
});
