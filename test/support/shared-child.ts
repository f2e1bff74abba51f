/**
 * A batch job in its own process, for the shared-mode tests: a run of `calls` items on one
 * `bcss` source in shared mode, each call a request to the counting server. It prints one JSON
 * line per event and a last line with the outcome. When `waitForGo` is set it prints
 * `{"ready":true}` and starts on a `go` line on stdin, so that several processes start together.
 *
 * Usage: node --import tsx test/support/shared-child.ts '<json config>'
 */
import { createInterface } from 'node:readline';
import { createRun, type SharedOptions } from '../../src/index.js';

interface ChildConfig {
  readonly name: string;
  readonly url: string;
  readonly calls: number;
  readonly callMs: number;
  /** Server time of the attempts after the first (default: callMs). */
  readonly retryCallMs?: number;
  readonly timeoutMs?: number;
  readonly hardDeadlineMs?: number;
  readonly abortGraceMs?: number;
  readonly waitForGo?: boolean;
  readonly shared: SharedOptions;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ name: config.name, t: Date.now(), ...line })}\n`);

const run = createRun<number, string>({
  input: Array.from({ length: config.calls }, (_, i) => i),
  source: 'bcss',
  sources: { bcss: { kind: 'bcss', hardDeadlineMs: config.hardDeadlineMs, abortGraceMs: config.abortGraceMs } },
  calendar: { enforce: false, override: { reason: 'test against a loopback server, not the BCSS' } },
  announcement: { override: { reason: 'test against a loopback server, not a mass call to the BCSS' } },
  timeoutMs: config.timeoutMs ?? 10_000,
  retry: { baseDelayMs: 50, maxDelayMs: 200 },
  overload: false,
  call: async (_item, context) => {
    const ms = context.attempt > 1 ? (config.retryCallMs ?? config.callMs) : config.callMs;
    const response = await fetch(`${config.url}?ms=${ms}`, { headers: { 'x-client': config.name }, signal: context.signal });
    return response.text();
  },
  shared: config.shared,
});
run.on('state', (change) => print({ event: 'state', from: change.from, to: change.to, reason: change.reason }));
run.on('shared-unavailable', (event) => print({ event: 'shared-unavailable', reason: event.reason }));
run.on('shared-restored', (event) => print({ event: 'shared-restored', downMs: event.downMs }));

if (config.waitForGo === true) {
  print({ ready: true });
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
}

try {
  const summary = await run.start();
  print({ done: true, succeeded: summary.totals.succeeded, unfinished: summary.unfinished, attempts: summary.totals.attempts });
} catch (error) {
  const failure = error as { code?: string; outcomeCode?: string; message?: string; cause?: { code?: string } };
  print({ done: false, code: failure.code, outcomeCode: failure.outcomeCode, causeCode: failure.cause?.code, message: failure.message });
}
process.exit(0);
