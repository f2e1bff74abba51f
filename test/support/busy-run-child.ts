/**
 * A run that never waits for I/O, in its own process: an endless generator as input, calls that
 * resolve at once (`mode` `async`: an async function; `sync`: a plain return value; `precheck`:
 * every item refused by the precheck, never called), a real 10 ms interval that counts its
 * ticks, a heartbeat on the system clock every 20 ms, and a real 100 ms timer that calls
 * `run.stop()`. With `fake-timers` as second argument, `@sinonjs/fake-timers` is installed
 * first, faking what vitest's `vi.useFakeTimers()` fakes (setImmediate included); the ticks and
 * the stop then come from real timers kept aside before. Prints one JSON line: the final state,
 * the items finished and read, the ticks, and the beats.
 */
import FakeTimers from '@sinonjs/fake-timers';
import { createRun, startHeartbeat } from 'bcss-bulk';

const mode = process.argv[2] ?? 'async';
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
if (process.argv[3] === 'fake-timers') {
  FakeTimers.install({ now: Date.parse('2026-11-24T21:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'hrtime', 'performance'] });
}

function* endless(): Generator<number> {
  for (let i = 0; ; i++) yield i;
}

const quiet = { reason: 'a test of the event loop, no service called' };
const run = createRun<number, number>({
  input: endless(),
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  call: mode === 'sync' ? (item) => item : async (item) => item,
  precheck: mode === 'precheck' ? () => ({ code: 'REFUSED', reason: 'refused before any call' }) : undefined,
  rejectBudget: false,
  calendar: { enforce: false, override: quiet },
  announcement: { override: quiet },
});
let beats = 0;
const heartbeat = process.argv[3] === 'fake-timers' ? undefined : startHeartbeat(run, { target: () => void beats++, intervalMs: 20 });
let ticks = 0;
const interval = realSetInterval(() => ticks++, 10);
realSetTimeout(() => void run.stop(), 100);
const summary = await run.start();
realClearInterval(interval);
await heartbeat?.stop?.();
process.stdout.write(`${JSON.stringify({ state: summary.state, finished: summary.totals.finished, read: summary.totals.read, ticks, beats })}\n`);
process.exit(0);
