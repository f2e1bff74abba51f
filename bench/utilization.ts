/**
 * Utilization of the caps against a real service: an HTTP server on loopback that answers
 * every request after a fixed latency L, and a bcss-bulk run (cap 4) calling it through
 * Node's http client with a keep-alive agent. By Little's law no client can do better than
 * cap ÷ L calls per second; utilization is the share of that ceiling the run achieves.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapMonitor } from './cap-monitor.js';
import type { BcssBulk } from './library.js';

const CAP = 4;

/** A loopback server whose replies take `latencyMs`, measured from the request's arrival. */
export interface LatencyServer {
  readonly url: string;
  /** Mean latency the server applied, in ms (its timer may overshoot L by a few µs). */
  meanLatencyMs(): number;
  close(): Promise<void>;
}

/**
 * Starts the server. Node's timers fire up to a millisecond late, which at L = 20 ms would be a
 * 5 % error in the server's own latency; so the reply waits on a timer until 2 ms before its
 * due instant, then on `setImmediate` turns until the instant itself.
 */
export async function startLatencyServer(latencyMs: number): Promise<LatencyServer> {
  let total = 0;
  let count = 0;
  const server: Server = createServer((req, res) => {
    const arrived = performance.now();
    const due = arrived + latencyMs;
    req.resume();
    const reply = () => {
      if (performance.now() < due) {
        setImmediate(reply);
        return;
      }
      total += performance.now() - arrived;
      count++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"DATA_FOUND"}');
    };
    setTimeout(reply, Math.max(0, latencyMs - 2));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/person`,
    meanLatencyMs: () => (count === 0 ? 0 : total / count),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** GET `url` with the agent; resolves when the whole reply is read. */
function get(url: string, agent: Agent, signal: AbortSignal): Promise<number> {
  const fail = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, signal }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(fail(res.statusCode ?? 0))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What the utilization run measured. */
export interface UtilizationResult {
  readonly utilization: number;
  readonly calls: number;
  readonly latencyMs: number;
  /** Mean latency the server applied, over the plain loops and the run (its timers run late on a busy machine). */
  readonly serverMeanLatencyMs: number;
  /**
   * Calls/s ÷ (cap ÷ the latency the server actually applied): the client's share of what the
   * server allowed, for context when the server's timers ran late on a busy machine.
   */
  readonly utilizationOfServerLatency: number;
  readonly callsPerSecond: number;
  readonly ceilingCallsPerSecond: number;
  readonly peakConcurrency: number;
  /**
   * The same calls made by four plain loops of `await get()` over the same server and agent,
   * without bcss-bulk: what the machine allows, for context (calls/s ÷ the same ceiling).
   */
  readonly bareLoopsUtilization: number;
}

/** Runs `calls` calls through bcss-bulk (cap 4) against a server of latency `latencyMs`. */
export async function measureUtilization(library: BcssBulk, calls: number, latencyMs: number, monitor: CapMonitor): Promise<UtilizationResult> {
  const server = await startLatencyServer(latencyMs);
  const agent = new Agent({ keepAlive: true });
  try {
    const bare = monitor.wrap('http-bare', CAP, () => get(server.url, agent, new AbortController().signal));
    let next = 0;
    const bareStarted = performance.now();
    await Promise.all(
      Array.from({ length: CAP }, async () => {
        while (next++ < calls) await bare();
      }),
    );
    const bareCallsPerSecond = calls / ((performance.now() - bareStarted) / 1000);

    const call = monitor.wrap('http', CAP, (_item: number, signal: AbortSignal) => get(server.url, agent, signal));
    const run = library.createRun({
      input: (function* () {
        for (let i = 0; i < calls; i++) yield i;
      })(),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      calendar: { enforce: false, override: { reason: 'benchmark against a loopback server, not the BCSS' } },
      announcement: { override: { reason: 'benchmark against a loopback server, not a mass call to the BCSS' } },
      call: (item, context) => call(item, context.signal),
    });
    const started = performance.now();
    const summary = await run.start();
    const seconds = (performance.now() - started) / 1000;
    if (summary.totals.succeeded !== calls) throw new Error(`utilization run: ${summary.totals.succeeded} of ${calls} calls succeeded`);
    const callsPerSecond = calls / seconds;
    const ceilingCallsPerSecond = CAP / (latencyMs / 1000);
    return {
      utilization: callsPerSecond / ceilingCallsPerSecond,
      calls,
      latencyMs,
      serverMeanLatencyMs: server.meanLatencyMs(),
      utilizationOfServerLatency: callsPerSecond / (CAP / (server.meanLatencyMs() / 1000)),
      callsPerSecond,
      ceilingCallsPerSecond,
      peakConcurrency: monitor.peak('http'),
      bareLoopsUtilization: bareCallsPerSecond / ceilingCallsPerSecond,
    };
  } finally {
    agent.destroy();
    await server.close();
  }
}
