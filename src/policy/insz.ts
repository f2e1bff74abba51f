/**
 * The Belgian national number (INSZ / NISS / SSIN) and the BIS number: validation, reading
 * (kind, birth date, sex), formatting and masking. Pure functions; "today" is a parameter so
 * that the century rule (a 20xx reading only when that year is not in the future) is testable.
 *
 * The rules, in the order they are checked:
 * 1. 11 digits, with optional ` `, `.` or `-` separators around them;
 * 2. the counter (digits 7–9) is not `000`;
 * 3. the month is 0–12 (national number), 20–32 or 40–52 (BIS number: month + 20 when the
 *    sex is unknown, + 40 when it is known); the day is 0–31;
 * 4. the check digits are 97 − (first 9 digits mod 97) for a birth in 19xx, or the same with
 *    `2` prefixed to the 9 digits for a birth from 2000 on; no number satisfies both (2·10⁹ is
 *    not a multiple of 97), so the check digits give the century;
 * 5. a 20xx reading is refused when that year is in the future;
 * 6. when month and day are both non-zero, the date exists in that century.
 */
import type { PrecheckFailure } from './classify.js';
import { maskNationalNumbers } from '../util/privacy.js';

/** Why a national number is invalid: a stable code for records, and a sentence. */
export type InszInvalidCode = 'INSZ_FORMAT' | 'INSZ_COUNTER' | 'INSZ_MONTH' | 'INSZ_DAY' | 'INSZ_CHECK_DIGITS' | 'INSZ_FUTURE' | 'INSZ_DATE';

/** A valid national or BIS number, read. */
export interface ValidInsz {
  readonly valid: true;
  /** The 11 digits, separators removed. */
  readonly digits: string;
  /** `national`: National Register number; `bis`: BIS number (month + 20 or + 40). */
  readonly kind: 'national' | 'bis';
  /** Year of birth, from the two digits and the century the check digits give. */
  readonly birthYear: number;
  /** Month of birth (1–12), when known (not `00`). */
  readonly birthMonth?: number;
  /** Day of birth (1–31), when known (not `00`). */
  readonly birthDay?: number;
  /** `YYYY-MM-DD`, when month and day are both known. */
  readonly birthDate?: string;
  /** From the counter (odd: male, even: female); unknown for a BIS number with month + 20. */
  readonly sex?: 'male' | 'female';
}

/** An invalid national number: the rule it breaks. */
export interface InvalidInsz {
  readonly valid: false;
  readonly code: InszInvalidCode;
  /** A sentence naming the rule; it never contains the number itself. */
  readonly reason: string;
}

/** What {@link parseInsz} returns. */
export type ParsedInsz = ValidInsz | InvalidInsz;

/** Options of {@link parseInsz} and {@link isValidInsz}. */
export interface InszOptions {
  /**
   * "Today", for the rule that a 20xx reading is not in the future; the system date by default.
   * @defaultValue the system date
   */
  readonly today?: Date | number;
}

const SEPARATED_DIGITS = /^\s*[\d .-]*\s*$/;
const TWO_BILLION = 2_000_000_000;

function invalid(code: InszInvalidCode, reason: string): InvalidInsz {
  return { valid: false, code, reason };
}

/** The 11 digits of a value written with optional separators, or `undefined` when it is not one. */
export function normalizeInsz(value: string): string | undefined {
  if (typeof value !== 'string' || !SEPARATED_DIGITS.test(value)) return undefined;
  const digits = value.replace(/[\s.-]/g, '');
  return digits.length === 11 ? digits : undefined;
}

function checkDigits(first9: number, from2000: boolean): number {
  return 97 - ((from2000 ? TWO_BILLION + first9 : first9) % 97);
}

function dateExists(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Reads a national or BIS number: its digits, kind, birth date and sex, or the rule it breaks.
 * Separators ` `, `.` and `-` are accepted (`85.07.30-033.28`).
 */
export function parseInsz(value: string, options: InszOptions = {}): ParsedInsz {
  const digits = normalizeInsz(value);
  if (digits === undefined) return invalid('INSZ_FORMAT', 'a national number has 11 digits, optionally separated by spaces, dots or dashes');
  const yy = Number(digits.slice(0, 2));
  const rawMonth = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  const counter = Number(digits.slice(6, 9));
  const check = Number(digits.slice(9, 11));

  if (counter === 0) return invalid('INSZ_COUNTER', 'the counter (digits 7 to 9) is 000');
  const offset = rawMonth >= 40 ? 40 : rawMonth >= 20 ? 20 : 0;
  const month = rawMonth - offset;
  if (month > 12) return invalid('INSZ_MONTH', `the month ${pad(rawMonth)} is none of 00–12 (national number), 20–32 or 40–52 (BIS number)`);
  if (day > 31) return invalid('INSZ_DAY', `the day ${pad(day)} is above 31`);

  const first9 = Number(digits.slice(0, 9));
  let birthYear: number;
  if (check === checkDigits(first9, false)) {
    birthYear = 1900 + yy;
  } else if (check === checkDigits(first9, true)) {
    birthYear = 2000 + yy;
    const today = options.today === undefined ? new Date() : new Date(options.today);
    if (birthYear > today.getUTCFullYear()) {
      return invalid('INSZ_FUTURE', `the check digits give a birth in ${birthYear}, a year in the future`);
    }
  } else {
    return invalid('INSZ_CHECK_DIGITS', 'the check digits match neither a birth in 19xx nor one from 2000 on');
  }
  if (month !== 0 && day !== 0 && !dateExists(birthYear, month, day)) {
    return invalid('INSZ_DATE', `the date ${birthYear}-${pad(month)}-${pad(day)} does not exist`);
  }

  const sexKnown = offset !== 20;
  return {
    valid: true,
    digits,
    kind: offset === 0 ? 'national' : 'bis',
    birthYear,
    ...(month === 0 ? {} : { birthMonth: month }),
    ...(day === 0 ? {} : { birthDay: day }),
    ...(month !== 0 && day !== 0 ? { birthDate: `${birthYear}-${pad(month)}-${pad(day)}` } : {}),
    ...(sexKnown ? { sex: counter % 2 === 1 ? ('male' as const) : ('female' as const) } : {}),
  };
}

/** True when `value` is a valid national or BIS number (see {@link parseInsz}). */
export function isValidInsz(value: string, options: InszOptions = {}): boolean {
  return parseInsz(value, options).valid;
}

/**
 * The usual written form `YY.MM.DD-CCC.KK` of a value with 11 digits (valid or not), or
 * `undefined` when the value does not have 11 digits.
 */
export function formatInsz(value: string): string | undefined {
  const d = normalizeInsz(value);
  return d === undefined ? undefined : `${d.slice(0, 2)}.${d.slice(2, 4)}.${d.slice(4, 6)}-${d.slice(6, 9)}.${d.slice(9)}`;
}

/**
 * The masked form of a national number, keeping only the birth-date part: `85.07.30-***.**`
 * (the same mask as everywhere else in the library). A value without 11 digits is masked whole.
 */
export function maskInsz(value: string): string {
  const formatted = formatInsz(value);
  return formatted === undefined ? '***' : maskNationalNumbers(formatted);
}

/**
 * A `precheck` for a run: items whose national number is invalid are rejected before any call,
 * with the rule's code (`INSZ_CHECK_DIGITS`, ...) and a reason naming the number masked.
 *
 * @example createRun({ ..., precheck: inszPrecheck((person) => person.ssin) })
 */
export function inszPrecheck<T>(getInsz: (item: T) => string, options: InszOptions = {}): (item: T) => PrecheckFailure | undefined {
  return (item) => {
    const value = getInsz(item);
    const parsed = parseInsz(value, options);
    if (parsed.valid) return undefined;
    return { code: parsed.code, reason: `invalid national number ${maskInsz(String(value))}: ${parsed.reason}` };
  };
}
