/**
 * A real HTTPS server on loopback for the TLS tests, whose answers come from the in-process
 * fake BCSS (the same contract as `startFakeBcss`), with hooks to refuse, reset or echo. It
 * counts TCP connections, completed handshakes and requests at the server.
 */
import https from 'node:https';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createFakeBcss, type InProcessFakeBcssOptions } from '../../src/testing/fake-bcss-in-process.js';

/** What the server does with a request, or with a connection whose handshake completed. */
export interface TlsServerHooks {
  /** Called for each request before the fake BCSS answers; return true when the hook answered (or destroyed the socket). */
  readonly onRequest?: (request: IncomingMessage, body: string, response: ServerResponse, server: TlsTestServer) => boolean;
  /** Called when a handshake completes at the server. */
  readonly onSecure?: (socket: TLSSocket, server: TlsTestServer) => void;
}

export interface TlsTestServer {
  readonly url: string;
  /** TCP connections accepted. */
  readonly connections: number;
  /** TLS handshakes completed at the server (the client certificate, if asked for, is checked after this). */
  readonly handshakes: number;
  /** HTTP requests received. */
  readonly requests: number;
  /** Resets every open TCP connection (RST), as a load balancer that fails over. */
  resetAll(): number;
  close(): Promise<void>;
}

export async function startTlsServer(
  tls: https.ServerOptions,
  hooks: TlsServerHooks = {},
  fakeOptions: InProcessFakeBcssOptions = { latencyMs: 0 },
): Promise<TlsTestServer> {
  const fake = createFakeBcss(fakeOptions);
  const raw = new Set<Socket>();
  let connections = 0;
  let handshakes = 0;
  let requests = 0;
  const server = https.createServer({ ...tls, keepAlive: true }, (request, response) => {
    requests++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (hooks.onRequest?.(request, body, response, handle) === true) return;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      fake
        .transport({ url: `https://127.0.0.1${request.url ?? '/'}`, method: 'POST', headers, body })
        .then((answer) => response.writeHead(answer.status, answer.headers).end(answer.body))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    raw.add(socket);
    socket.on('close', () => raw.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    handshakes++;
    hooks.onSecure?.(socket, handle);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const handle: TlsTestServer = {
    url: `https://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    get handshakes() {
      return handshakes;
    },
    get requests() {
      return requests;
    },
    resetAll() {
      const open = [...raw];
      for (const socket of open) socket.resetAndDestroy();
      return open.length;
    },
    async close() {
      for (const socket of raw) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
