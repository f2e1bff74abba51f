/**
 * Triage of rejects: routing rules send each kind of reject to a named ledger, so the team
 * that fixes it finds it in one place (an SSIN replaced, an SSIN not integrated for your
 * organisation, ...). The first rule that matches wins; everything else goes to the default
 * ledger. Successes go to no ledger.
 */
import type { ConfigIssue } from '../../util/errors.js';
import type { OutcomeRecord } from '../store.js';

/** One routing rule: records whose code (and outcome, when given) match go to `ledger`. */
export interface TriageRoute {
  /**
   * Name of the ledger: letters, digits, `-` and `_`, up to 64 characters.
   * @defaultValue none: required
   */
  readonly ledger: string;
  /**
   * The outcome code, exactly (`'MSG00006'`) or by pattern (`/^SOA-/`); a route gives a `code`, an `outcome` or both.
   * @defaultValue none: any code
   */
  readonly code?: string | RegExp | undefined;
  /**
   * Only records of this outcome (`reject` or `exhausted`).
   * @defaultValue none: both outcomes
   */
  readonly outcome?: 'reject' | 'exhausted' | undefined;
}

/** The ledger of every reject no rule routes elsewhere. */
export const DEFAULT_LEDGER = 'rejects';

/**
 * The default routes: `MSG00006` (SSIN replaced: the record's reason carries the new SSIN) to
 * `ssin-replaced`, `MSG00012` (SSIN not integrated for your organisation: register the person
 * first) to `not-integrated`.
 */
export const DEFAULT_TRIAGE_ROUTES: readonly TriageRoute[] = [
  { code: 'MSG00006', ledger: 'ssin-replaced' },
  { code: 'MSG00012', ledger: 'not-integrated' },
];

const LEDGER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** True for a valid ledger name (it becomes part of a file name). */
export function isLedgerName(name: string): boolean {
  return LEDGER_NAME.test(name);
}

/** What is wrong with routing rules and the default ledger name: an issue per bad rule, with its path. */
export function routeIssues(routes: readonly TriageRoute[], defaultLedger: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isLedgerName(defaultLedger)) issues.push({ path: ['defaultLedger'], message: `'${defaultLedger}' is not a ledger name (letters, digits, '-', '_', up to 64)` });
  routes.forEach((route, index) => {
    if (!isLedgerName(route.ledger)) issues.push({ path: ['routes', index, 'ledger'], message: `'${route.ledger}' is not a ledger name (letters, digits, '-', '_', up to 64)` });
    if (route.code === undefined && route.outcome === undefined) issues.push({ path: ['routes', index], message: 'give a code or an outcome to match' });
  });
  return issues;
}

function codeMatches(pattern: string | RegExp, code: string | undefined): boolean {
  if (code === undefined) return false;
  if (typeof pattern === 'string') return pattern === code;
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
  return pattern.test(code);
}

/** The ledger a reject goes to: the first matching rule's, or `defaultLedger`. */
export function ledgerFor(record: Pick<OutcomeRecord, 'outcome' | 'code'>, routes: readonly TriageRoute[], defaultLedger = DEFAULT_LEDGER): string {
  for (const route of routes) {
    if (route.outcome !== undefined && route.outcome !== record.outcome) continue;
    if (route.code !== undefined && !codeMatches(route.code, record.code)) continue;
    return route.ledger;
  }
  return defaultLedger;
}
