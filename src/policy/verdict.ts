/**
 * The classifier's verdict, checked. A caller's classifier is plain JavaScript at run time: a
 * typo (`{ class: 'rejected' }`), a string, `null` or a missing field must fail the run loudly
 * (`PROGRAMMER_ERROR`), never leave an item unrecorded under `completed`. Accepted: exactly the
 * shapes of {@link Classification} (other properties are ignored, as TypeScript allows them).
 */
import type { Classification, OutcomeClass } from './classify.js';

/** What checking a verdict gave: the verdict, read once (a copy), or a text saying what is wrong with it. */
export type VerdictCheck = Classification | string;

/** The plain success, shared: the most common verdict costs no allocation. */
const SUCCESS: Classification = Object.freeze({ class: 'success' });

const CLASSES: readonly OutcomeClass[] = ['success', 'reject', 'transient', 'fatal'];
const CLASS_LIST = CLASSES.map((name) => `'${name}'`).join(', ');

function invalid(problem: string): string {
  return problem;
}

/**
 * Checks a verdict against the {@link Classification} type: `class` one of the four classes;
 * `code` a string (optional for a success); `reason` a string for reject, transient and fatal;
 * `retryAfterMs`, when present on a transient verdict, a finite number of ms ≥ 0. Reads each
 * field once (a getter that throws is a problem too) and returns a copy, or the problem as a
 * string (`typeof check === 'string'`).
 */
export function checkVerdict(value: unknown): VerdictCheck {
  if (typeof value !== 'object' || value === null) return invalid(`expected an object { class, code, reason } (or undefined to leave the item to the default classifier), got ${value === null ? 'null' : typeof value}`);
  const fields = value as Record<string, unknown>;
  let kind: unknown;
  let code: unknown;
  let reason: unknown;
  let retryAfterMs: unknown;
  try {
    kind = fields['class'];
    code = fields['code'];
    if (kind === 'success') return code === undefined ? SUCCESS : typeof code === 'string' ? { class: 'success', code } : invalid('code of a success must be a string when given');
    reason = fields['reason'];
    if (kind === 'transient') retryAfterMs = fields['retryAfterMs'];
  } catch (error) {
    return invalid(`reading its fields threw (${error instanceof Error ? error.name : typeof error})`);
  }
  if (kind !== 'reject' && kind !== 'transient' && kind !== 'fatal') return invalid(`class must be one of ${CLASS_LIST}`);
  if (typeof code !== 'string') return invalid(`code of a ${kind} verdict must be a string`);
  if (typeof reason !== 'string') return invalid(`reason of a ${kind} verdict must be a string`);
  if (kind !== 'transient') return { class: kind, code, reason };
  if (retryAfterMs === undefined) return { class: 'transient', code, reason };
  if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) return invalid('retryAfterMs of a transient verdict must be a finite number of ms ≥ 0 when given');
  return { class: 'transient', code, reason, retryAfterMs };
}
