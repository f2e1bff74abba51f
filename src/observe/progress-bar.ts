/**
 * A progress display that batch jobs switch on with one call: `attach(run, progressBar())` follows
 * a run and writes {@link renderProgress} to a stream (stderr by default). On a terminal it
 * redraws in place, hiding the cursor while it draws and showing it again at the end, on exit
 * and on a signal (Ctrl-C). Into a file or a pipe it writes an operator's log: timestamped plain
 * lines, every state change at once, a progress line now and then, a line at most every
 * interval while only retries happen, and a summary as the last line (see `progress-log.ts`).
 */
import type { Writable } from 'node:stream';
import { onExit } from 'signal-exit';
import type { StateChange } from '../engine/events.js';
import { z } from 'zod';
import { parseOptions, positiveInt } from '../util/options.js';
import { assertReadableOptions } from '../util/options-guard.js';
import type { Detach, ObservedRun, RunObserver } from '../engine/observed-run.js';
import { detachOnce, OneRun } from './attach.js';
import { followProgress, resolveProgressOptions, trackProgress, type StatusSource, type ProgressOptions, type ProgressSnapshot, type ProgressTracker } from './progress.js';
import { logLine, retryText, sourcePausedText, stallText, stateText, summaryText, type RetryTally } from './progress-log.js';
import { renderProgress, type RenderOptions } from './progress-render.js';
import { isFinal, type RunState } from '../engine/state-machine.js';

/** A stream the progress bar writes to: `isTTY` and `columns` as on `process.stderr`. */
export type ProgressStream = Writable & { readonly isTTY?: boolean; readonly columns?: number };

/** Options of {@link progressBar}: the tracker's and the renderer's, and where and how often to write. */
export interface ProgressBarOptions extends ProgressOptions, RenderOptions {
  /**
   * Where to write.
   * @defaultValue `process.stderr`
   */
  readonly stream?: ProgressStream;
  /**
   * On a terminal: the shortest time between two redraws, in ms of the run's clock.
   * @defaultValue `250`
   */
  readonly intervalMs?: number;
  /**
   * Not on a terminal: the shortest time between two progress lines, and between two lines
   * saying that retries are happening while nothing finishes, in ms of the run's clock. State
   * changes, paused sources, stalls and the end are written at once, whatever this says.
   *
   * @defaultValue `60_000`
   */
  readonly plainIntervalMs?: number;
}

/**
 * A progress display made by {@link progressBar}: attach it to one run with
 * `attach(run, bar)`; the {@link Detach} stops it before the run ends (on a terminal, the
 * cursor is shown again).
 */
export interface ProgressBarObserver extends RunObserver {
  /**
   * The progress now.
   * @throws {BcssBulkError} `OBSERVER_NOT_ATTACHED` before `attach`.
   */
  snapshot(): ProgressSnapshot;
  /** Why the bar stopped drawing before the end: the error a write (or the rendering) threw. */
  readonly failure: unknown;
}

/**
 * A progress display attached to a run, as {@link attachProgressBar} returns it.
 *
 * @deprecated use `attach(run, progressBar(options))`: the {@link ProgressBarObserver} has the
 *   same `snapshot()` and `failure`, and the returned {@link Detach} replaces `stop()`.
 */
export interface ProgressBar {
  /** The progress now. */
  snapshot(): ProgressSnapshot;
  /** Detaches before the run ends (on a terminal, the cursor is shown again). */
  stop(): void;
  /** Why the bar stopped drawing before the end: the error a write (or the rendering) threw. */
  readonly failure: unknown;
}

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
/** Moves the cursor up `lines` lines, to the first column. */
const up = (lines: number): string => `\u001b[${lines}F`;
/** Clears from the cursor to the end of the screen. */
const CLEAR_BELOW = '\u001b[0J';

const barOptionsSchema = z.object({
  stream: z.custom<ProgressStream>((value) => typeof value === 'object' && value !== null && typeof (value as ProgressStream).write === 'function', 'expected a writable stream').optional(),
  intervalMs: positiveInt.optional(),
  plainIntervalMs: positiveInt.optional(),
  width: positiveInt.optional(),
  color: z.boolean().optional(),
  timeZone: z.string().min(1).optional(),
});

/**
 * A progress display for one run, attached with `attach(run, progressBar(options))`.
 *
 * On a TTY, the header and the bars are redrawn in place (ANSI cursor up and clear) at each
 * `progress` event (at most every `intervalMs`) and at once at each state change; the cursor is
 * hidden while the bar draws and shown again at the end, by detaching, and when the process
 * exits or gets a signal (SIGINT, SIGTERM, ...: through signal-exit, which lets the signal take
 * its course when nobody else listens to it).
 *
 * On a non-TTY, an operator's log: every line starts with the instant in `timeZone`'s local time
 * with its offset (`2026-11-24T17:00:00+01:00`, default Europe/Brussels, on the run's clock);
 * every state change is written at once with its reason and sentence; a progress line (the
 * rendered lines joined with ` | `, no colours) at most every `plainIntervalMs`; while only
 * retries happen, a line saying so at most every `plainIntervalMs`; paused sources and stalls
 * at once; at the end the final progress line, then a summary line.
 *
 * It never throws into the run: when a write (or the rendering) throws, the bar detaches and
 * keeps the error in `failure`, and the run goes on. The {@link Detach} stops it earlier.
 *
 * @example
 * ```ts
 * const off = attach(run, progressBar({ total: 4_000, stream: process.stderr }));
 * await run.start(); // the bar detaches by itself at the end
 * off(); // needed only to stop it earlier: the cursor is shown again
 * ```
 *
 * @throws {ConfigError} malformed options, with the path of the field.
 */
export function progressBar(options: ProgressBarOptions = {}): ProgressBarObserver {
  assertReadableOptions(options, 'progress bar options');
  parseOptions(barOptionsSchema, options, 'progress bar options');
  const resolved = resolveProgressOptions(options, 'progress bar options');
  const attachment = new OneRun<ProgressBar>('progress bar');
  return {
    attach(run: ObservedRun): Detach {
      const bar = attachment.begin(() => showProgress(run, options, followProgress(run, resolved)));
      return detachOnce(() => bar.stop());
    },
    snapshot: () => attachment.require().snapshot(),
    get failure() {
      return attachment.current?.failure;
    },
  };
}

/**
 * Shows a run's progress on a stream (see {@link progressBar}).
 *
 * It never throws into the run: when a write (or the rendering) throws, the bar detaches and
 * keeps the error in `failure`, and the run goes on.
 *
 * @deprecated use `const off = attach(run, progressBar(options))`; `off()` replaces `stop()`.
 */
export function attachProgressBar(run: StatusSource, options: ProgressBarOptions = {}): ProgressBar {
  return showProgress(run, options, trackProgress(run, options));
}

/** The display itself, over a tracker already following the run. */
function showProgress(run: StatusSource, options: ProgressBarOptions, tracker: ProgressTracker): ProgressBar {
  const stream: ProgressStream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const minInterval = tty ? (options.intervalMs ?? 250) : (options.plainIntervalMs ?? 60_000);
  const timeZone = options.timeZone ?? 'Europe/Brussels';
  let drawnLines = 0;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  /** Plain log: the instant of the last line, and the retries since. */
  let lastLineAt = Number.NEGATIVE_INFINITY;
  const retries: RetryTally = { count: 0, since: 0, last: undefined };
  let stopped = false;
  let failure: unknown;
  /** While the cursor is hidden: shows it again when the process exits or gets a signal. */
  let cursorGuard: (() => void) | undefined;

  const write = (text: string): void => {
    stream.write(text);
  };
  const render = (snapshot: ProgressSnapshot): string =>
    renderProgress(snapshot, { width: options.width ?? stream.columns ?? 80, color: options.color ?? (tty && process.env['NO_COLOR'] === undefined), timeZone });
  /** Plain log: one line, and the retry count starts again. */
  const line = (at: number, text: string): void => {
    lastLineAt = at;
    retries.count = 0;
    retries.since = at;
    write(logLine(at, timeZone, text));
  };
  const showCursor = (): void => {
    cursorGuard?.();
    cursorGuard = undefined;
    write(SHOW_CURSOR);
  };

  const draw = (snapshot: ProgressSnapshot): void => {
    lastDrawAt = snapshot.at;
    if (tty) {
      const text = render(snapshot);
      if (drawnLines === 0) {
        write(`${HIDE_CURSOR}${text}\n`);
        cursorGuard = onExit(() => {
          cursorGuard = undefined;
          try {
            stream.write(SHOW_CURSOR);
          } catch {
            // The process is going away and the terminal with it: nothing left to tell.
          }
        });
      } else write(`${up(drawnLines)}${CLEAR_BELOW}${text}\n`);
      drawnLines = text.split('\n').length;
    } else {
      const text = renderProgress(snapshot, { width: options.width ?? 80, color: false, timeZone });
      line(snapshot.at, text.split('\n').map((part) => part.trim()).join(' | '));
    }
  };
  const detach = (): void => {
    if (stopped) return;
    stopped = true;
    for (const off of offs) off();
    tracker.stop();
    if (cursorGuard !== undefined && failure === undefined) showCursor();
    cursorGuard?.();
    cursorGuard = undefined;
  };
  /** Runs a step of the bar; a throw detaches it and is kept in `failure`, never thrown into the run. */
  const guarded = (step: () => void): void => {
    if (stopped) return;
    try {
      step();
    } catch (error) {
      failure ??= error;
      detach();
    }
  };
  const update = (at: number, state: RunState, change?: StateChange): void =>
    guarded(() => {
      if (change !== undefined && !tty) line(at, stateText(change));
      if (isFinal(state)) {
        const snapshot = tracker.snapshot();
        draw(snapshot);
        if (!tty) line(at, summaryText(snapshot.status, timeZone));
        detach();
      } else if (change !== undefined || at - lastDrawAt >= minInterval) {
        if (tty || change === undefined) draw(tracker.snapshot());
      }
    });
  const offs: Array<() => void> = [];
  offs.push(run.on('progress', (status) => update(status.at, status.state)));
  offs.push(run.on('state', (change) => update(change.at, change.to, change)));
  offs.push(
    run.on('retry', (retry) =>
      guarded(() => {
        if (tty) {
          // While only retries happen no progress event comes: redraw so that "retrying" shows.
          if (retry.at - lastDrawAt >= minInterval) draw(tracker.snapshot());
          return;
        }
        retries.count++;
        retries.last = retry;
        if (retry.at - lastLineAt >= minInterval) line(retry.at, retryText(retries, run.status(), timeZone));
      }),
    ),
  );
  if (!tty) {
    offs.push(run.on('source-paused', (paused) => guarded(() => line(paused.at, sourcePausedText(paused, timeZone)))));
    offs.push(run.on('source-resumed', (resumed) => guarded(() => line(resumed.at, `source ${resumed.source} resumed: its probe call succeeded`))));
    offs.push(run.on('stalled', (stall) => guarded(() => line(stall.at, stallText(stall)))));
  }
  const initial = run.status();
  update(initial.at, initial.state);

  return {
    snapshot: () => tracker.snapshot(),
    stop: () => {
      try {
        detach();
      } catch (error) {
        failure ??= error;
      }
    },
    get failure() {
      return failure;
    },
  };
}
