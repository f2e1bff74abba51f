/**
 * A fake BCSS service for tests, yours included: a real HTTP(S) server on loopback that reads
 * each request as the BCSS would (SOAP 1.1, the WSDL's SOAPAction, the service's schema, the
 * SSDN `xmlString`), refuses what the BCSS would refuse, and answers in the BCSS's own shapes
 * the outcome you configure per national number. It records every call and the peak of
 * simultaneous calls, in all and per service path, so a test can assert the caps over real
 * sockets. Its core is shared with {@link createFakeBcss}, the same fake in process.
 *
 * Latency runs on its clock (the system clock by default: keep it to a few milliseconds).
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createFakeBcssCore, recordsOf, type FakeBcssCoreOptions, type FakeBcssRecords } from './fake-bcss-core.js';

export type { FakeBcssCall, FakeBcssLoad, FakeBcssRefusal } from './fake-bcss-core.js';
export type { FakeBcssOutcome } from './fake-bcss-outcomes.js';

/** Settings of {@link startFakeBcss}. */
export interface FakeBcssOptions extends FakeBcssCoreOptions {
  /**
   * Port; the server listens on 127.0.0.1.
   * @defaultValue 0 (any free port)
   */
  readonly port?: number;
  /**
   * Serve HTTPS. With `ca`, client certificates are required and checked against it.
   * @defaultValue plain HTTP
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer; readonly ca?: string | Buffer; readonly requestCert?: boolean };
}

/** A running fake BCSS service. */
export interface FakeBcss extends FakeBcssRecords {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
}

/** Request headers as one string per lower-case name. */
function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/**
 * Starts a fake BCSS service on loopback. Close it with `close()` at the end of the test.
 *
 * @example const bcss = await startFakeBcss({ outcomes: { '85073003328': 'not-found' } });
 */
export async function startFakeBcss(options: FakeBcssOptions = {}): Promise<FakeBcss> {
  const core = createFakeBcssCore(options);
  const open = new Set<AbortController>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const controller = new AbortController();
    open.add(controller);
    response.on('close', () => {
      if (!response.writableFinished) controller.abort(new Error('the client went away'));
      open.delete(controller);
    });
    const socket = request.socket as Partial<TLSSocket>;
    const commonName = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate()?.subject?.CN : undefined;
    try {
      const answer = await core.answer({
        path: new URL(request.url ?? '/', 'http://fake').pathname,
        headers: headersOf(request),
        body: Buffer.concat(chunks).toString('utf8'),
        signal: controller.signal,
        ...(typeof commonName === 'string' ? { clientCertificate: commonName } : {}),
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      if (controller.signal.aborted) return; // the client went away, or the server closes
      throw error;
    }
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
    ...recordsOf(core),
    async close() {
      for (const controller of open) controller.abort(new Error('the fake BCSS closes'));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  };
}
