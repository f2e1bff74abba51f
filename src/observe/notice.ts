/**
 * The notices an operator must see, built from a run's events (pure functions): the run
 * started, paused (office hours or a blackout closed the window, the reject budget, a manual
 * pause), a source paused by its overload protection, the run resumed or its window opened,
 * stalled, failed, completed (with its summary) or stopped. Messages are in English, with
 * national numbers masked and URLs scrubbed.
 */
import type { SourcePausedEvent, StallEvent, StateChange } from '../engine/events.js';
import { scrubText } from './delivery.js';
import { isoOrNull as iso } from '../engine/observed-run.js';
import type { RunStatus } from '../engine/status.js';

/** Every kind of notice. */
export const NOTICE_KINDS = ['started', 'paused', 'source-paused', 'resumed', 'window-open', 'stalled', 'failed', 'completed', 'stopped'] as const;

/** A kind of notice. */
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** How urgent a notice is. */
export type NoticeSeverity = 'info' | 'warning' | 'critical';

/** A notice, as the channels receive it. */
export interface Notice {
  /** Unique within its notifier (`<run or "run">-<number>`). */
  readonly id: string;
  readonly kind: NoticeKind;
  readonly severity: NoticeSeverity;
  /** One line. */
  readonly title: string;
  /** What happened and what follows, in English. */
  readonly message: string;
  /** When it happened (ISO 8601). */
  readonly at: string;
  /** The run's name, or null. */
  readonly run: string | null;
  /** Facts of the notice (counts, codes, instants): JSON values, no personal data. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A notice before the notifier gives it its id and run name. */
export type NoticeDraft = Omit<Notice, 'id' | 'run'>;

/** The summary numbers of a finished run, as `completed`, `stopped` and `failed` notices carry them. */
export interface NoticeSummary {
  readonly read: number;
  readonly finished: number;
  readonly succeeded: number;
  readonly rejected: number;
  readonly exhausted: number;
  /** Read but not finished (a stopped or failed run). */
  readonly unfinished: number;
  /** From the start to the final state, in ms. */
  readonly durationMs: number;
  readonly startedAt: string | null;
}

/**
 * The notice of a state change, or undefined when it is not one an operator must see (e.g. the
 * `draining → waiting` that follows a closing window, already told by its `paused` notice).
 */
export function noticeOfStateChange(change: StateChange, status: RunStatus): NoticeDraft | undefined {
  const at = new Date(change.at).toISOString();
  const said = change.message === undefined ? undefined : scrubText(change.message);
  const { from, to, reason } = change;
  if (to === 'completed') {
    const summary = summaryOf(status, change.at);
    return {
      kind: 'completed',
      severity: 'info',
      title: 'Run completed',
      message: `The run completed in ${formatDuration(summary.durationMs)}: ${outcomes(summary)}.`,
      at,
      data: { summary },
    };
  }
  if (to === 'stopped') {
    const summary = summaryOf(status, change.at);
    return {
      kind: 'stopped',
      severity: 'warning',
      title: 'Run stopped',
      message: `The run was stopped after ${formatDuration(summary.durationMs)}: ${outcomes(summary)}; ${summary.unfinished} items read were not finished.`,
      at,
      data: { summary },
    };
  }
  if (to === 'failed') {
    const summary = summaryOf(status, change.at);
    return {
      kind: 'failed',
      severity: 'critical',
      title: `Run failed: ${reason}`,
      message: `The run stopped on a fatal outcome (${reason}): ${said ?? 'no detail'}. ${capitalize(outcomes(summary))}; ${summary.unfinished} items read were not finished.`,
      at,
      data: { code: reason, summary },
    };
  }
  if (from === 'idle') {
    const waiting = to === 'waiting' && status.nextWindowAt !== undefined;
    return {
      kind: 'started',
      severity: 'info',
      title: 'Run started',
      message: waiting ? `The run started and waits for its window: calls begin at ${iso(status.nextWindowAt)}. ${said ?? ''}`.trim() : 'The run started; calls are going out.',
      at,
      data: { state: to, nextWindowAt: iso(status.nextWindowAt), windowClosesAt: iso(status.windowClosesAt) },
    };
  }
  if (to === 'paused') {
    const budget = reason === 'reject-budget';
    return {
      kind: 'paused',
      severity: budget ? 'warning' : 'info',
      title: budget ? 'Run paused by the reject budget' : reason === 'manual' ? 'Run paused by the operator' : `Run paused (${reason})`,
      message: said ?? (reason === 'manual' ? 'The run was paused: no new calls until it is resumed.' : `The run was paused (${reason}): no new calls until it is resumed.`),
      at,
      data: { reason, totals: status.totals },
    };
  }
  const windowClosed = reason === 'office-hours' || reason === 'blackout';
  if (windowClosed && (to === 'draining' || (to === 'waiting' && from !== 'draining'))) {
    return {
      kind: 'paused',
      severity: 'info',
      title: reason === 'blackout' ? 'Run paused: blackout period' : 'Run paused: office hours',
      message: said ?? `Mass calls are forbidden now (${reason}); the run resumes by itself at ${iso(status.nextWindowAt) ?? 'the next window'}.`,
      at,
      data: { reason, nextWindowAt: iso(status.nextWindowAt), totals: status.totals },
    };
  }
  if (to === 'running' && reason === 'resume') {
    return { kind: 'resumed', severity: 'info', title: 'Run resumed', message: 'The run was resumed; calls are going out again.', at, data: { totals: status.totals } };
  }
  if (to === 'running' && reason === 'window-open') {
    return {
      kind: 'window-open',
      severity: 'info',
      title: 'Window open: calls resume',
      message: said ?? 'The allowed window opened; calls are going out again.',
      at,
      data: { windowClosesAt: iso(status.windowClosesAt), totals: status.totals },
    };
  }
  return undefined;
}

/** The notice of a source paused by its overload protection. */
export function noticeOfSourcePaused(event: SourcePausedEvent): NoticeDraft {
  const percent = Math.round(event.failureRatio * 100);
  const until = new Date(event.until).toISOString();
  return {
    kind: 'source-paused',
    severity: 'warning',
    title: `Source ${event.source} paused (overload protection)`,
    message: `${percent}% of the recent calls to source ${event.source} failed transiently: its calls are paused until ${until}, when a probe call tests it again.`,
    at: new Date(event.at).toISOString(),
    data: { source: event.source, failureRatio: event.failureRatio, until },
  };
}

/** The notice of the stall watchdog's alarm. */
export function noticeOfStall(event: StallEvent): NoticeDraft {
  const total = Object.values(event.inFlight).reduce((sum, count) => sum + count, 0);
  const perSource = Object.entries(event.inFlight)
    .map(([source, count]) => `${source}: ${count}`)
    .join(', ');
  const action = event.aborted > 0 ? `${event.aborted} stuck calls were aborted and their items queued again` : 'the calls in flight were left running';
  return {
    kind: 'stalled',
    severity: 'critical',
    title: 'Run stalled',
    message: `No item finished for ${formatDuration(event.idleMs)} while ${total} calls were in flight (${perSource || 'none'}); ${action}.`,
    at: new Date(event.at).toISOString(),
    data: { idleMs: event.idleMs, inFlight: { ...event.inFlight }, aborted: event.aborted },
  };
}

/** The summary numbers of a run that reached its final state at `endedAt`. */
export function summaryOf(status: RunStatus, endedAt: number): NoticeSummary {
  const { read, finished, succeeded, rejected, exhausted } = status.totals;
  return {
    read,
    finished,
    succeeded,
    rejected,
    exhausted,
    unfinished: read - finished,
    durationMs: status.startedAt === undefined ? 0 : endedAt - status.startedAt,
    startedAt: iso(status.startedAt),
  };
}

/** A duration for a sentence: `45 s`, `12 min 05 s`, `3 h 07 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function outcomes(summary: NoticeSummary): string {
  return `${summary.finished} items finished (${summary.succeeded} succeeded, ${summary.rejected} rejected, ${summary.exhausted} exhausted)`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
