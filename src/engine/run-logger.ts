/**
 * The `logger` option of a run: what the library has to say, written to a logger of the
 * caller's choice (pino, console, anything with `info`, `warn`, `error` and `debug`). Attached
 * to the run's events from outside the engine; nothing is logged without a logger.
 *
 * Every call has pino's shape, `logger[level](fields, message)`: `fields` is a plain object
 * (`event`, `at` as an ISO instant of the run's clock, `run` when the run has a name, and the
 * event's own fields), `message` a sentence. Keys and reasons are masked, as in the events.
 */
import type { RunEvents, StateChange } from './events.js';
import type { ObservedRun } from './observed-run.js';
import type { OutcomeRecord } from '../store/store.js';

/** The fields of one log call: a plain object (pino's "merging object"). */
export type LogFields = Readonly<Record<string, unknown>>;

/** One level of a {@link RunLogger}: called as `method(fields, message)`, pino's shape; `console.info` fits too. */
export type LogMethod = (fields: LogFields, message: string) => void;

/**
 * A logger the run writes to (the run option `logger`): a pino logger, `console`, or any object
 * with these methods. Each is called as `logger.info(fields, message)`.
 */
export interface RunLogger {
  /** Debug level: every retry. */
  readonly debug?: LogMethod;
  /** Info level: state changes (start, window waits and openings, drains, manual pauses, resumptions), a source resumed, the end. */
  readonly info: LogMethod;
  /** Warn level: a reject (masked), a pause by the reject budget, a source paused by its overload protection, a stall, Redis unreachable. */
  readonly warn: LogMethod;
  /** Error level: the run failed (a fatal outcome, a store or listener failure). */
  readonly error: LogMethod;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/** A count with its noun: `1 item`, `2 items`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The level of a state change: `failed` is an error, a pause by the reject budget a warning, the rest info. */
function stateLevel(change: StateChange): Level {
  if (change.to === 'failed') return 'error';
  if (change.to === 'paused' && change.reason === 'reject-budget') return 'warn';
  return 'info';
}

function rejectMessage(record: OutcomeRecord): string {
  const what = record.outcome === 'exhausted' ? `exhausted its ${plural(record.attempts, 'attempt')}` : 'was rejected';
  return `Item ${record.key} (source ${record.source}) ${what}: ${record.code ?? 'no code'}${record.reason === undefined ? '' : ` ${record.reason}`}`;
}

/**
 * Writes a run's events to `logger` until the returned function is called (the run calls it
 * itself when given the `logger` option). What is logged, at which level:
 *
 * | event | level | fields besides `event`, `at`, `run` |
 * |---|---|---|
 * | state change | `info`; `warn` for a pause by the reject budget; `error` for `failed` | `from`, `to`, `reason`, `message?`, `origin?` (who asked: `api`, `command`, `signal`, `institution`); at a final state also `totals` and `unfinished` |
 * | reject (rejected or exhausted item) | `warn` | `key` (masked), `position`, `source`, `outcome`, `code`, `reason`, `attempts` |
 * | retry | `debug` | `key` (masked), `position`, `source`, `attempt`, `code`, `reason`, `delayMs` |
 * | source paused / resumed | `warn` / `info` | `source`, `failureRatio`, `until` |
 * | resumption scheduled | `info` | `resumesAt` |
 * | stalled | `warn` | `idleMs`, `inFlight`, `aborted` |
 * | Redis unreachable / back | `warn` / `info` | `reason` / `downMs` |
 *
 * A logger that throws fails the run (`LISTENER_ERROR`), like any listener: the error is not
 * swallowed.
 */
export function attachRunLogger(run: ObservedRun, logger: RunLogger): () => void {
  const log = (level: Level, event: string, at: number, fields: Record<string, unknown>, message: string): void => {
    const method = logger[level];
    if (method === undefined) return;
    const base: Record<string, unknown> = { event, at: new Date(at).toISOString() };
    if (run.name !== undefined) base['run'] = run.name;
    method.call(logger, { ...base, ...fields }, message);
  };
  const on = <K extends keyof RunEvents>(event: K, listener: (payload: RunEvents[K]) => void) => run.on(event, listener);

  const offs = [
    on('state', (change) => {
      const fields: Record<string, unknown> = { from: change.from, to: change.to, reason: change.reason };
      if (change.message !== undefined) fields['message'] = change.message;
      if (change.origin !== undefined) fields['origin'] = change.origin;
      let text = `Run ${change.from} → ${change.to} (${change.reason}${change.origin === undefined ? '' : `, by ${change.origin}`})${change.message === undefined ? '' : `: ${change.message}`}`;
      if (change.to === 'completed' || change.to === 'stopped' || change.to === 'failed') {
        const { totals } = run.status();
        fields['totals'] = totals;
        fields['unfinished'] = totals.read - totals.finished;
        text += `. ${plural(totals.finished, 'item')} finished: ${totals.succeeded} succeeded, ${totals.rejected} rejected, ${totals.exhausted} exhausted; ${plural(totals.read - totals.finished, 'item')} unfinished; ${plural(totals.attempts, 'call')}, ${totals.retries} ${totals.retries === 1 ? 'retry' : 'retries'}`;
      }
      log(stateLevel(change), 'state', change.at, fields, text);
    }),
    on('reject', (record) => {
      const fields: Record<string, unknown> = { key: record.key, position: record.position, source: record.source, outcome: record.outcome, code: record.code, reason: record.reason, attempts: record.attempts };
      log('warn', 'reject', Date.parse(record.lastAttemptAt), fields, rejectMessage(record));
    }),
    on('retry', (retry) => {
      const { key, position, source, attempt, code, reason, delayMs } = retry;
      log('debug', 'retry', retry.at, { key, position, source, attempt, code, reason, delayMs }, `Attempt ${attempt} for item ${key} (source ${source}) failed: ${code} ${reason}; next attempt in ${delayMs} ms`);
    }),
    on('source-paused', (paused) => {
      const { source, failureRatio, until } = paused;
      const share = `${Math.round(failureRatio * 100)}%`;
      log('warn', 'source-paused', paused.at, { source, failureRatio, until: new Date(until).toISOString() }, `Source ${source} paused by its overload protection (${share} transient failures) until ${new Date(until).toISOString()}`);
    }),
    on('source-resumed', (resumed) => log('info', 'source-resumed', resumed.at, { source: resumed.source }, `Source ${resumed.source} resumed: its probe call succeeded`)),
    on('resume-scheduled', (scheduled) => {
      const resumesAt = new Date(scheduled.at).toISOString();
      log('info', 'resume-scheduled', run.status().at, { resumesAt }, `Resumption scheduled at ${resumesAt} (the shortest pause, minPauseMs, has not passed yet)`);
    }),
    on('stalled', (stall) => {
      const { idleMs, inFlight, aborted } = stall;
      log('warn', 'stalled', stall.at, { idleMs, inFlight, aborted }, `Run stalled: calls in flight and nothing finished for ${idleMs} ms${aborted > 0 ? `; ${plural(aborted, 'call')} aborted, their items retried` : ''}`);
    }),
    on('shared-unavailable', (down) => log('warn', 'shared-unavailable', down.at, { reason: down.reason }, `Shared mode: Redis unreachable (${down.reason}); no new call until it is back`)),
    on('shared-restored', (up) => log('info', 'shared-restored', up.at, { downMs: up.downMs }, `Shared mode: Redis reachable again after ${up.downMs} ms`)),
  ];
  return () => {
    for (const off of offs.splice(0)) off();
  };
}

/** True when `value` has what {@link RunLogger} needs: `info`, `warn` and `error` functions, and `debug` a function when given. */
export function isRunLogger(value: unknown): value is RunLogger {
  if (typeof value !== 'object' || value === null) return false;
  const logger = value as Record<string, unknown>;
  return (
    typeof logger['info'] === 'function' &&
    typeof logger['warn'] === 'function' &&
    typeof logger['error'] === 'function' &&
    (logger['debug'] === undefined || typeof logger['debug'] === 'function')
  );
}
