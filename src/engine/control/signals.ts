/**
 * {@link stopOnSignals}: what a batch process does on SIGTERM / SIGINT (systemd, Kubernetes,
 * cron's kill, Ctrl-C): the first signal stops the run gracefully (no new calls, calls in
 * flight finish within their deadline, the checkpoint is written, `start()` resolves and the
 * process can exit 0); a second one abandons the calls in flight (the run ends at once, their
 * items stay unfinished and a restart calls them again; the requests keep their slots until the
 * server is done with them, or their hard deadline passes); a third has its default effect.
 */
import { z } from 'zod';
import { parseOptions } from '../../util/options.js';
import type { Assert, SchemaMatches } from '../../util/type-checks.js';
import { RunStateError } from '../errors.js';
import type { RunEvents } from '../events.js';
import { isFinal, type RunState } from '../state-machine.js';
import type { RunSummary, StopOptions } from '../status.js';

/** Schema of {@link StopOnSignalsOptions}. */
export const stopOnSignalsSchema = z.strictObject({
  signals: z.array(z.string().regex(/^SIG[A-Z0-9]+$/, 'expected a signal name such as SIGTERM')).min(1).default(['SIGTERM', 'SIGINT']),
});

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /**
   * The signals that stop the run.
   * @defaultValue `['SIGTERM', 'SIGINT']`
   */
  readonly signals?: readonly NodeJS.Signals[] | undefined;
}

type _StopOnSignalsAgrees = Assert<SchemaMatches<z.input<typeof stopOnSignalsSchema>, { signals?: string[] | undefined }>>;

/** What {@link stopOnSignals} needs of a run (a `BulkRun`). */
export interface SignalledRun {
  /** The run's state: a signal before `start()` or after the end has its default effect. */
  readonly state: RunState;
  /** Stops the run (gracefully on the first signal, aborting the calls in flight on the second). */
  stop(options: StopOptions): Promise<RunSummary>;
  /** Listens to state changes, to remove the handlers when the run ends. */
  on(event: 'state', listener: (change: RunEvents['state']) => void): () => void;
}

/**
 * Stops `run` on SIGTERM and SIGINT: the first signal stops it gracefully (as `run.stop()`,
 * the `state` event saying `origin: 'signal'`), a second one aborts the calls in flight. The
 * handlers go away by themselves when the run ends; the function returned removes them
 * sooner. A signal that comes before `start()` (nothing to stop) has its default effect.
 *
 * ```ts
 * const run = createRun({ ...options, store: await FileStore.open('/var/lib/batch/2026-11') });
 * stopOnSignals(run);
 * await run.start(); // resolves `stopped` on SIGTERM: exit 0, restart later on the same directory
 * ```
 *
 * @throws {ConfigError} a malformed option.
 */
export function stopOnSignals(run: SignalledRun, options: StopOnSignalsOptions = {}): () => void {
  const { signals } = parseOptions(stopOnSignalsSchema, options, 'stopOnSignals options');
  let received = 0;
  let removed = false;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    const abort = received > 1;
    const reason = abort ? `${signal} received again: calls in flight are aborted` : `${signal} received: stopping (calls in flight finish)`;
    run.stop({ inFlight: abort ? 'abort' : 'wait', origin: 'signal', reason }).catch((error: unknown) => {
      if (!(error instanceof RunStateError)) return; // a failure of the run: start() rejects with it
      remove(); // never started: nothing to stop, the signal has its default effect
      process.kill(process.pid, signal);
    });
  };
  const removeStateListener = run.on('state', (change) => {
    if (isFinal(change.to)) remove();
  });
  function remove(): void {
    if (removed) return;
    removed = true;
    for (const signal of signals) process.off(signal, handler);
    removeStateListener();
  }
  if (isFinal(run.state)) {
    remove();
    return remove;
  }
  for (const signal of signals) process.on(signal, handler);
  return remove;
}
