/**
 * A loopback HTTP service that counts simultaneous requests: each request is "worked on" for
 * `?ms=` milliseconds (even if its client dies meanwhile, as a real service would), then
 * answered `200 ok`. Used to check caps held across processes.
 */
import { createServer, type Server } from 'node:http';

/** A running counting server. */
export interface CountingServer {
  readonly url: string;
  /** Requests being worked on now. */
  readonly current: number;
  /** Highest number of simultaneous requests seen. */
  readonly peak: number;
  /** Requests received, in all. */
  readonly total: number;
  /** Requests received per `x-client` header. */
  readonly byClient: ReadonlyMap<string, number>;
  /** Requests being worked on now, per `x-client` header. */
  readonly currentByClient: ReadonlyMap<string, number>;
  /** Every change of `current`: [ms since the server started, current]. */
  readonly timeline: readonly (readonly [number, number])[];
  /** Resets peak, total and timeline (not the requests in progress). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startCountingServer(): Promise<CountingServer> {
  const startedAt = Date.now();
  const state = {
    current: 0,
    peak: 0,
    total: 0,
    byClient: new Map<string, number>(),
    currentByClient: new Map<string, number>(),
    timeline: [] as [number, number][],
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ms = Number(url.searchParams.get('ms') ?? '100');
    const client = String(request.headers['x-client'] ?? 'unknown');
    state.current++;
    state.total++;
    state.peak = Math.max(state.peak, state.current);
    state.byClient.set(client, (state.byClient.get(client) ?? 0) + 1);
    state.currentByClient.set(client, (state.currentByClient.get(client) ?? 0) + 1);
    state.timeline.push([Date.now() - startedAt, state.current]);
    setTimeout(() => {
      state.current--;
      state.currentByClient.set(client, (state.currentByClient.get(client) ?? 1) - 1);
      state.timeline.push([Date.now() - startedAt, state.current]);
      if (!response.destroyed) response.end('ok');
    }, ms);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    get current() {
      return state.current;
    },
    get peak() {
      return state.peak;
    },
    get total() {
      return state.total;
    },
    byClient: state.byClient,
    currentByClient: state.currentByClient,
    get timeline() {
      return state.timeline;
    },
    reset() {
      state.peak = state.current;
      state.total = 0;
      state.timeline = [];
      state.byClient.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
