/**
 * A night batch in its own process, as an institution writes it, for the operator tests: a run
 * of `calls` items on one `bcss` source with a FileStore in `dir` (so it has live control), each
 * call a request to the recording server (`?item=N`). With `signals: true` it uses
 * `stopOnSignals(run)`; with `shared` it runs in shared mode (institution-wide pause). It prints
 * one JSON line per state change and a last line with the outcome, then exits 0 by itself.
 *
 * Usage: node --import tsx test/support/operator-child.ts '<json config>'
 */
import { createRun, FileStore, type SharedOptions } from '../../src/index.js';
import { stopOnSignals } from '../../src/engine/control/signals.js';

interface ChildConfig {
  readonly name: string;
  readonly dir: string;
  readonly url: string;
  readonly calls: number;
  readonly callMs: number;
  readonly minPauseMs?: number;
  readonly signals?: boolean;
  readonly shared?: SharedOptions;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ name: config.name, t: Date.now(), ...line })}\n`);

const store = await FileStore.open(config.dir);
const run = createRun<number, string>({
  input: Array.from({ length: config.calls }, (_, i) => i),
  key: (item) => `item-${item}`,
  source: 'bcss',
  sources: { bcss: { kind: 'bcss', cap: 2 } },
  calendar: { enforce: false, override: { reason: 'test against a loopback server, not the BCSS' } },
  announcement: { override: { reason: 'test against a loopback server, not a mass call to the BCSS' } },
  minPauseMs: config.minPauseMs ?? 3_000,
  store,
  name: config.name,
  call: async (item, context) => {
    const response = await fetch(`${config.url}?item=${item}&ms=${config.callMs}`, { headers: { 'x-client': config.name }, signal: context.signal });
    return response.text();
  },
  ...(config.shared === undefined ? {} : { shared: config.shared }),
});
run.on('state', (change) => print({ event: 'state', from: change.from, to: change.to, reason: change.reason, origin: change.origin, message: change.message }));
if (config.signals === true) stopOnSignals(run);
print({ ready: true, pid: process.pid });

try {
  const summary = await run.start();
  print({ done: true, state: summary.state, succeeded: summary.totals.succeeded, unfinished: summary.unfinished });
} catch (error) {
  print({ done: false, message: (error as Error).message });
  process.exitCode = 3;
}
