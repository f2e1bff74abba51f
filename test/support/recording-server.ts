/**
 * A loopback HTTP service that records every request: when it arrived, the item it was for
 * (`?item=`), the client (`x-client` header); each request is worked on for `?ms=` ms, then
 * answered `200 ok`. Used to see when a run sends and that each item is called exactly once.
 */
import { createServer } from 'node:http';

/** One request as the server saw it. */
export interface RecordedRequest {
  /** Arrival (ms since epoch). */
  readonly at: number;
  readonly item: string;
  readonly client: string;
}

/** A running recording server. */
export interface RecordingServer {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Requests that arrived at or after `at` (ms since epoch), optionally of one client. */
  since(at: number, client?: string): RecordedRequest[];
  /** How many times each item was called. */
  countsByItem(): Map<string, number>;
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ at: Date.now(), item: url.searchParams.get('item') ?? '', client: String(request.headers['x-client'] ?? 'unknown') });
    setTimeout(() => {
      if (!response.destroyed) response.end('ok');
    }, Number(url.searchParams.get('ms') ?? '50'));
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    since: (at, client) => requests.filter((r) => r.at >= at && (client === undefined || r.client === client)),
    countsByItem: () => {
      const counts = new Map<string, number>();
      for (const r of requests) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
