/**
 * A batch with a progress bar on a "terminal" (stdout, said to be a TTY), for the cursor test:
 * prints READY on stderr once the bar has drawn (and hidden the cursor), then waits for a
 * signal. Modes: `signal` (nothing else listens to SIGINT), `graceful` (the batch's own SIGINT
 * handler stops the run), `exit` (the process exits by itself with code 7).
 */
import { attachProgressBar, createRun } from '../../src/index.js';

const mode = process.argv[2] ?? 'signal';
const stdout = process.stdout as typeof process.stdout & { isTTY: boolean };
stdout.isTTY = true; // a pipe, shown as a terminal: the bar draws as on one
const run = createRun<number, number>({
  input: [1, 2, 3, 4, 5, 6],
  source: 'rn',
  // The calls hang until aborted; stop({ inFlight: 'abort' }) gives up on them at once, and the
  // engine aborts them at their hard deadline (5 s): the process then ends after the grace time.
  sources: { rn: { kind: 'rn', timeoutMs: 5_000, hardDeadlineMs: 5_000 } },
  call: (_item, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
  calendar: { enforce: false, override: { reason: 'a test of the progress bar, no service called' } },
  announcement: { override: { reason: 'a test of the progress bar, no service called' } },
  stall: false,
});
attachProgressBar(run, { stream: stdout, total: 6, color: false });
if (mode === 'graceful') {
  process.on('SIGINT', () => {
    process.stderr.write('STOPPING\n');
    void run.stop({ inFlight: 'abort' });
  });
}
const done = run.start();
done.then(
  () => process.stderr.write('STOPPED\n'),
  (error: unknown) => process.stderr.write(`FAILED ${String(error)}\n`),
);
setTimeout(() => {
  process.stderr.write('READY\n');
  if (mode === 'exit') process.exit(7);
}, 50);
