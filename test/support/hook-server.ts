/**
 * A real HTTP server on loopback for the heartbeat and webhook tests: it records each request
 * (method, path, headers, JSON body) and answers as the test decides: a status, or never.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface HookRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** Resolves when the client closed the connection before an answer (a hang it aborted). */
  readonly aborted: Promise<void>;
}

/** How the server answers: with a status, or `hang` (never answers). */
export type HookMode = number | 'hang';

/** A running hook server. */
export interface HookServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly requests: HookRequest[];
  /** How the next requests are answered (default 204). */
  mode: HookMode;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a hook server on 127.0.0.1 with a free port. */
export async function startHookServer(mode: HookMode = 204): Promise<HookServer> {
  const requests: HookRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const state: { mode: HookMode } = { mode };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const aborted = new Promise<void>((resolve) => response.on('close', () => (response.writableEnded ? undefined : resolve())));
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: text === '' ? undefined : JSON.parse(text), aborted });
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (state.mode === 'hang') return;
      response.statusCode = state.mode;
      response.end(state.mode >= 400 ? 'error page with details' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(value: HookMode) {
      state.mode = value;
    },
    received: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
