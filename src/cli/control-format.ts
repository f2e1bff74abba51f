/**
 * The live status of a run as text for the night operator (`bcss-bulk status DIR`), and as
 * JSON for a script (`--json`: the run's `status()` plus host, pid and the snapshot's time).
 * Pure functions of the snapshot and the instant.
 */
import type { LiveSnapshot } from '../store/live/live-files.js';

/** What `status --json` prints for one run directory. */
export interface StatusJson extends Record<string, unknown> {
  readonly dir: string;
  readonly host: string;
  readonly pid: number;
  /** Instant of the snapshot (ms since epoch). */
  readonly snapshotAt: number;
  /** True when the snapshot no longer describes a live process (see `staleReason`). */
  readonly stale: boolean;
  readonly staleReason?: string;
}

/** The JSON of a snapshot. */
export function statusJson(dir: string, snapshot: LiveSnapshot, stale: string | undefined): StatusJson {
  return { dir, ...(snapshot.name === undefined ? {} : { name: snapshot.name }), ...snapshot.status, host: snapshot.host, pid: snapshot.pid, snapshotAt: snapshot.writtenAt, stale: stale !== undefined, ...(stale === undefined ? {} : { staleReason: stale }) };
}

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('.000Z', 'Z') : '?');

function ago(now: number, at: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The snapshot as text for a terminal. */
export function formatStatus(dir: string, snapshot: LiveSnapshot, stale: string | undefined, now: number): string {
  const status = snapshot.status as LiveSnapshot['status'] & Record<string, unknown>;
  const totals = status.totals;
  const lines: string[] = [`Run directory ${dir}${snapshot.name === undefined ? '' : ` (batch ${snapshot.name})`}`];
  if (stale !== undefined) lines.push(`STALE: ${stale}. This is the last snapshot that process wrote; no live run holds the directory.`);
  let state = `State: ${status.state}`;
  const pausedBy = status['pausedBy'] as { origin?: string; reason?: string; at?: number } | undefined;
  if (status.state === 'paused') {
    state += ` (${String(status['pauseReason'] ?? 'manual')}${pausedBy?.origin === undefined ? '' : `, by ${pausedBy.origin}`}${pausedBy?.at === undefined ? '' : ` at ${iso(pausedBy.at)}`})`;
    if (pausedBy?.reason !== undefined) state += `\n  Reason: ${pausedBy.reason}`;
    if (typeof status['resumesAt'] === 'number') state += `\n  Resumes at ${iso(status['resumesAt'])}`;
  }
  if (status.state === 'waiting' && typeof status['nextWindowAt'] === 'number') state += ` (calls resume at ${iso(status['nextWindowAt'])})`;
  lines.push(state);
  lines.push(`Process: pid ${snapshot.pid} on ${snapshot.host}; snapshot ${ago(now, snapshot.writtenAt)} (${iso(snapshot.writtenAt)})`);
  if (typeof status['startedAt'] === 'number') lines.push(`Started: ${iso(status['startedAt'])}`);
  lines.push(`Items: ${totals.read} read${status['inputExhausted'] === true ? ' (all)' : ''}, ${totals.finished} finished (${totals.succeeded} succeeded, ${totals.rejected} rejected, ${totals.exhausted} exhausted), ${totals.inFlight} in flight, ${String(totals['queued'] ?? 0)} queued, ${String(totals['retrying'] ?? 0)} retrying`);
  const rate = typeof status['ratePerSecond'] === 'number' ? status['ratePerSecond'] : 0;
  let eta = 'unknown';
  if (status.state === 'running' && rate > 0 && status['inputExhausted'] === true) eta = `about ${duration(((totals.read - totals.finished) / rate) * 1000)}`;
  else if (status['inputExhausted'] !== true) eta = 'unknown (the input is not read to its end yet)';
  lines.push(`Rate: ${rate.toFixed(1)} items/s over the last minute; time left: ${eta}`);
  if (typeof status['windowClosesAt'] === 'number') lines.push(`Window closes at ${iso(status['windowClosesAt'])} (office hours or a blackout)`);
  lines.push('Sources:');
  const names = Object.keys(status.sources).sort();
  const width = Math.max(0, ...names.map((name) => name.length));
  for (const name of names) {
    const source = status.sources[name]!;
    lines.push(`  ${name.padEnd(width)}  in flight ${source.inFlight}/${source.cap}, queued ${source.queued}, retrying ${source.retrying}`);
  }
  return `${lines.join('\n')}\n`;
}
