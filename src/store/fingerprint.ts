/**
 * Fingerprints of input items, so a durable store can tell that a resumed run reads the same
 * input as the run it resumes. A fingerprint is a truncated SHA-256 of the item's key (when the
 * run has a key function) or of a stable serialisation of the item, with its position: it
 * does not show the item, and it changes when the item at that position changes.
 */
import { createHash } from 'node:crypto';

/** A JSON serialisation with object keys sorted, so equal items serialise equally. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** The fingerprint of the item at `position`: 16 hex digits. `identity` is its unmasked key, when the run has a key function. */
export function itemFingerprint(item: unknown, position: number, identity?: string): string {
  const text = identity === undefined ? `item:${stableStringify(item)}` : `key:${identity}`;
  return createHash('sha256').update(`${position}\n${text}`).digest('hex').slice(0, 16);
}
