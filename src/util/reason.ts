/**
 * The reason of a failure as records and events carry it: one line, national numbers masked,
 * cut to {@link MAX_REASON_LENGTH} characters.
 */
import { maskNationalNumbers } from './privacy.js';

/** The longest reason kept in an event or a record, in characters. */
export const MAX_REASON_LENGTH = 500;

/** A short, masked, one-line reason taken from an error, fit for events and records. */
export function reasonOf(error: unknown): string {
  return shortMasked(error instanceof Error ? `${error.name}: ${error.message}` : `thrown value: ${String(error)}`);
}

/** Folds a text to one line, masks national numbers in it, and cuts it to the reason length. */
export function shortMasked(text: string): string {
  const oneLine = maskNationalNumbers(text.replace(/\s+/g, ' ').trim());
  return oneLine.length > MAX_REASON_LENGTH ? `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…` : oneLine;
}
