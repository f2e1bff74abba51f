/**
 * ISO 8601 strings of instants, for records. A run writes two per finished item, and items
 * finished one after the other mostly share their instants, so the last conversion is kept:
 * `Date#toISOString` was a tenth of the engine's time per item (CPU profile, issue 8).
 */

let lastMs = Number.NaN;
let lastIso = '';

/** The ISO 8601 form of an instant in ms since the epoch (`new Date(ms).toISOString()`). */
export function isoInstant(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
