/**
 * The classifier's verdict, checked. A caller's classifier is plain JavaScript at run time: a
 * typo (`{ class: 'rejected' }`), a string, `null` or a missing field must fail the run loudly
 * (`PROGRAMMER_ERROR`), never leave an item unrecorded under `completed`. Accepted: exactly the
 * shapes of {@link Classification} (other properties are ignored, as TypeScript allows them).
 */
import type { Classification, OutcomeClass } from './classify.js';

/** What checking a verdict gave: the verdict, read once into a fresh object, or what is wrong with it. */
export type VerdictCheck = { readonly ok: true; readonly verdict: Classification } | { readonly ok: false; readonly problem: string };

const CLASSES: readonly OutcomeClass[] = ['success', 'reject', 'transient', 'fatal'];
const CLASS_LIST = CLASSES.map((name) => `'${name}'`).join(', ');

function invalid(problem: string): VerdictCheck {
  return { ok: false, problem };
}

/**
 * Checks a verdict against the {@link Classification} type: `class` one of the four classes;
 * `code` a string (optional for a success); `reason` a string for reject, transient and fatal;
 * `retryAfterMs`, when present on a transient verdict, a finite number of ms ≥ 0. Reads each
 * field once (a getter that throws is a problem too) and returns a copy.
 */
export function checkVerdict(value: unknown): VerdictCheck {
  if (typeof value !== 'object' || value === null) return invalid(`expected an object { class, code, reason } (or undefined to leave the item to the default classifier), got ${value === null ? 'null' : typeof value}`);
  let kind: unknown;
  let code: unknown;
  let reason: unknown;
  let retryAfterMs: unknown;
  try {
    const fields = value as Record<string, unknown>;
    kind = fields['class'];
    code = fields['code'];
    reason = fields['reason'];
    retryAfterMs = kind === 'transient' ? fields['retryAfterMs'] : undefined;
  } catch (error) {
    return invalid(`reading its fields threw (${error instanceof Error ? error.name : typeof error})`);
  }
  if (typeof kind !== 'string' || !(CLASSES as readonly string[]).includes(kind)) return invalid(`class must be one of ${CLASS_LIST}`);
  if (kind === 'success') {
    if (code !== undefined && typeof code !== 'string') return invalid('code of a success must be a string when given');
    return { ok: true, verdict: code === undefined ? { class: 'success' } : { class: 'success', code } };
  }
  if (typeof code !== 'string') return invalid(`code of a ${kind} verdict must be a string`);
  if (typeof reason !== 'string') return invalid(`reason of a ${kind} verdict must be a string`);
  if (kind === 'reject' || kind === 'fatal') return { ok: true, verdict: { class: kind, code, reason } };
  if (retryAfterMs === undefined) return { ok: true, verdict: { class: 'transient', code, reason } };
  if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) return invalid('retryAfterMs of a transient verdict must be a finite number of ms ≥ 0 when given');
  return { ok: true, verdict: { class: 'transient', code, reason, retryAfterMs } };
}
