/**
 * A progress display that batch jobs switch on with one call: {@link attachProgressBar} follows
 * a run and writes {@link renderProgress} to a stream (stderr by default). On a terminal it
 * redraws in place; into a file or a pipe it writes a plain line now and then, so logs stay
 * readable. It stops by itself when the run ends, after writing the final state once.
 */
import type { Writable } from 'node:stream';
import { trackProgress, type StatusSource, type ProgressOptions, type ProgressSnapshot } from './progress.js';
import { renderProgress, type RenderOptions } from './progress-render.js';
import { isFinal, type RunState } from './state-machine.js';

/** A stream the progress bar writes to: `isTTY` and `columns` as on `process.stderr`. */
export type ProgressStream = Writable & { readonly isTTY?: boolean; readonly columns?: number };

/** Options of {@link attachProgressBar}: the tracker's and the renderer's, and where and how often to write. */
export interface ProgressBarOptions extends ProgressOptions, RenderOptions {
  /** Where to write (default `process.stderr`). */
  readonly stream?: ProgressStream;
  /** On a terminal: the shortest time between two redraws, in ms of the run's clock (default 250). */
  readonly intervalMs?: number;
  /** Not on a terminal: the shortest time between two plain lines, in ms of the run's clock (default 60 000). */
  readonly plainIntervalMs?: number;
}

/** A progress display attached to a run. */
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

/**
 * Shows a run's progress on a stream. On a TTY, the header and the bars are redrawn in place
 * (ANSI cursor up and clear; the cursor is hidden while drawing and shown again at the end). On
 * a non-TTY, one plain line (the rendered lines joined with ` | `, no colours) at most every
 * `plainIntervalMs`. Draws at each `progress` event and state change, and the final state once.
 * It never throws into the run: when a write (or the rendering) throws, the bar detaches and
 * keeps the error in `failure`, and the run goes on.
 */
export function attachProgressBar(run: StatusSource, options: ProgressBarOptions = {}): ProgressBar {
  const stream: ProgressStream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const minInterval = tty ? (options.intervalMs ?? 250) : (options.plainIntervalMs ?? 60_000);
  const tracker = trackProgress(run, options);
  let drawnLines = 0;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let stopped = false;
  let failure: unknown;

  const write = (text: string): void => {
    stream.write(text);
  };
  const render = (snapshot: ProgressSnapshot): string =>
    renderProgress(snapshot, { width: options.width ?? stream.columns ?? 80, color: options.color ?? (tty && process.env['NO_COLOR'] === undefined), timeZone: options.timeZone });

  const draw = (snapshot: ProgressSnapshot): void => {
    lastDrawAt = snapshot.at;
    if (tty) {
      const text = render(snapshot);
      write(`${drawnLines === 0 ? HIDE_CURSOR : `${up(drawnLines)}${CLEAR_BELOW}`}${text}\n`);
      drawnLines = text.split('\n').length;
    } else {
      const text = renderProgress(snapshot, { width: options.width ?? 80, color: false, timeZone: options.timeZone });
      write(`${text.split('\n').map((line) => line.trim()).join(' | ')}\n`);
    }
  };
  const detach = (): void => {
    if (stopped) return;
    stopped = true;
    offProgress();
    offState();
    tracker.stop();
    if (tty && drawnLines > 0 && failure === undefined) write(SHOW_CURSOR);
  };
  const update = (at: number, state: RunState): void => {
    if (stopped) return;
    try {
      if (isFinal(state)) {
        draw(tracker.snapshot());
        detach();
      } else if (at - lastDrawAt >= minInterval) draw(tracker.snapshot());
    } catch (error) {
      // Never into the run: the bar stops and says why.
      failure ??= error;
      detach();
    }
  };
  const offProgress = run.on('progress', (status) => update(status.at, status.state));
  const offState = run.on('state', (change) => update(change.at, change.to));
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
