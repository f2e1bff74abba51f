/**
 * Personal data stays out of events and records: anything shaped like a Belgian national
 * number (INSZ/NISS/SSIN, 11 digits with optional `.`, `-` or space separators) is masked
 * before the library shows it, keeping only the birth-date part: `85.07.30-***.**`.
 */

const NATIONAL_NUMBER_SHAPE = /(?<![\d])(\d{2})[.\- ]?(\d{2})[.\- ]?(\d{2})[.\- ]?\d{3}[.\- ]?\d{2}(?![\d])/g;

/** Masks every national-number-shaped run of digits in `text` (`85073003328` → `85.07.30-***.**`). */
export function maskNationalNumbers(text: string): string {
  return text.replace(NATIONAL_NUMBER_SHAPE, (_match, yy: string, mm: string, dd: string) => `${yy}.${mm}.${dd}-***.**`);
}
