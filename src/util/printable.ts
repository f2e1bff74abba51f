/**
 * A caller's value shown in an error message: printed without running any of the caller's code
 * (no getter, no custom inspect, no proxy trap), on one line, national numbers masked, cut short.
 */
import { inspect } from 'node:util';
import { maskNationalNumbers } from './privacy.js';

/** Longest text of a value in a message. */
export const MAX_PRINTED_LENGTH = 200;

/** The value as a short, masked, one-line text, e.g. `{ class: 'rejected' }`, `null`, `'85.07.30-***.**'`. */
export function printable(value: unknown, maxLength = MAX_PRINTED_LENGTH): string {
  let text: string;
  try {
    text = inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY, maxArrayLength: 10, maxStringLength: maxLength, getters: false, customInspect: false, showProxy: true });
  } catch {
    text = `(a value of type ${typeof value} that cannot be printed)`;
  }
  const masked = maskNationalNumbers(text.replace(/\s+/g, ' '));
  return masked.length > maxLength ? `${masked.slice(0, maxLength - 1)}…` : masked;
}
