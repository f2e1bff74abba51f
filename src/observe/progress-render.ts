/**
 * Renders a {@link ProgressSnapshot} as text for a terminal or a log file (pure): a header line
 * with the state, the finished items, the rate and the ETA in local time, then one bar per source.
 *
 * ```
 * running  1 234/5 000 (24.7%)  4.0/s  ETA Tue 2026-11-24 17:46 (2 windows)
 *   rn        [#######.............] 1 000/4 000  4/4 in flight  12 rejects
 *   pensions  [##########..........]   234/1 000  2/2 in flight
 * ```
 */
import type { ProgressSnapshot, SourceProgress } from './progress.js';
import type { RunState } from '../engine/state-machine.js';
import { formatLocal } from '../calendar/zone.js';

/** Options of {@link renderProgress}. */
export interface RenderOptions {
  /** Width of the terminal in columns (default 80): the bars shrink to fit. */
  readonly width?: number;
  /** ANSI colours (default false). */
  readonly color?: boolean;
  /** Zone of the times shown (default Europe/Brussels). */
  readonly timeZone?: string;
}

const ANSI = { reset: '\u001b[0m', green: '\u001b[32m', yellow: '\u001b[33m', red: '\u001b[31m', dim: '\u001b[2m' } as const;

const STATE_COLOR: Readonly<Record<RunState, string>> = {
  idle: ANSI.dim,
  waiting: ANSI.yellow,
  running: ANSI.green,
  paused: ANSI.yellow,
  draining: ANSI.yellow,
  stopped: ANSI.yellow,
  completed: ANSI.green,
  failed: ANSI.red,
};

/** A count with its thousands separated by spaces: 1234567 → "1 234 567". */
export function formatCount(count: number): string {
  return String(Math.round(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** An instant as `Tue 2026-11-24 17:46` in the zone's wall-clock time. */
function localMinute(timeZone: string, instant: number): string {
  return formatLocal(timeZone, instant).slice(0, 20);
}

function paint(color: boolean, code: string, text: string): string {
  return color ? `${code}${text}${ANSI.reset}` : text;
}

/** The header line: state, finished/total (percent), rate, ETA or next window. */
function header(snapshot: ProgressSnapshot, options: Required<RenderOptions>): string {
  const parts = [paint(options.color, STATE_COLOR[snapshot.state], snapshot.state)];
  if (snapshot.total === undefined) parts.push(`${formatCount(snapshot.finished)} finished`);
  else {
    const percent = snapshot.total === 0 ? 100 : (100 * snapshot.finished) / snapshot.total;
    parts.push(`${formatCount(snapshot.finished)}/${formatCount(snapshot.total)} (${percent.toFixed(1)}%)`);
  }
  if (snapshot.throughputPerSecond !== undefined) parts.push(formatRate(snapshot.throughputPerSecond));
  const final = snapshot.state === 'completed' || snapshot.state === 'stopped' || snapshot.state === 'failed';
  if (final) parts.push(`ended ${localMinute(options.timeZone, snapshot.at)}`);
  else if (snapshot.eta !== undefined) {
    const windows = snapshot.windowsLeft === undefined || snapshot.windowsLeft <= 1 ? '' : ` (${snapshot.windowsLeft} windows)`;
    parts.push(`ETA ${localMinute(options.timeZone, snapshot.eta.getTime())}${windows}`);
  }
  if (snapshot.state === 'waiting' && snapshot.nextWindowAt !== undefined) parts.push(`next window ${localMinute(options.timeZone, snapshot.nextWindowAt)}`);
  return parts.join('  ');
}

/** One source's line: bar, finished/total, calls in flight against the cap, rejects. */
function sourceLine(name: string, source: SourceProgress, nameWidth: number, barWidth: number, countWidth: number, color: boolean): string {
  const share = source.total === undefined || source.total === 0 ? (source.total === 0 ? 1 : 0) : Math.min(1, source.finished / source.total);
  const filled = Math.round(share * barWidth);
  const bar = `[${paint(color, ANSI.green, '#'.repeat(filled))}${'.'.repeat(barWidth - filled)}]`;
  const counts = `${formatCount(source.finished).padStart(countWidth)}/${source.total === undefined ? '?' : formatCount(source.total)}`;
  const parts = [`  ${name.padEnd(nameWidth)}`, `${bar} ${counts}`, `${source.inFlight}/${source.cap} in flight`];
  if (source.rejected > 0) parts.push(paint(color, ANSI.red, `${formatCount(source.rejected)} reject${source.rejected === 1 ? '' : 's'}`));
  if (source.exhausted > 0) parts.push(paint(color, ANSI.red, `${formatCount(source.exhausted)} exhausted`));
  if (source.retrying > 0) parts.push(`${formatCount(source.retrying)} retrying`);
  return parts.join('  ');
}

/**
 * Renders a snapshot as lines (joined with `\n`, no trailing newline): the header, then one
 * bar per source (`rn  [#######.....] 1 234/5 000  4/4 in flight  12 rejects`). Times are in
 * the wall-clock time of `timeZone` (default Europe/Brussels).
 */
export function renderProgress(snapshot: ProgressSnapshot, options: RenderOptions = {}): string {
  const resolved: Required<RenderOptions> = { width: options.width ?? 80, color: options.color ?? false, timeZone: options.timeZone ?? 'Europe/Brussels' };
  const names = Object.keys(snapshot.sources);
  const nameWidth = Math.max(0, ...names.map((name) => name.length));
  const countWidth = Math.max(1, ...Object.values(snapshot.sources).map((source) => formatCount(source.total ?? source.finished).length));
  // What a line holds besides the bar: the name, the counts and about 30 columns of in flight and rejects.
  const barWidth = Math.max(10, Math.min(40, resolved.width - nameWidth - 2 * countWidth - 36));
  const lines = [header(snapshot, resolved)];
  for (const name of names) lines.push(sourceLine(name, snapshot.sources[name]!, nameWidth, barWidth, countWidth, resolved.color));
  return lines.join('\n');
}

/** A rate in the unit that shows it: per second from 0.1/s, else per minute, else per hour. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 0.1 || perSecond === 0) return `${perSecond.toFixed(1)}/s`;
  if (perSecond * 60 >= 0.1) return `${(perSecond * 60).toFixed(1)}/min`;
  return `${(perSecond * 3600).toFixed(1)}/h`;
}
