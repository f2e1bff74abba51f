/**
 * The reject budget as a pure rule: the BCSS asks callers to keep rejects to a minimum, so a
 * run pauses itself when the share of rejects among finished items passes a ratio, once
 * enough items have finished for the share to mean something.
 */

/** Settings of the reject budget. */
export interface RejectBudget {
  /** Highest acceptable share of rejects among finished items (0–1). */
  readonly maxRatio: number;
  /** Finished items needed before the budget is judged. */
  readonly minSample: number;
}

/** Counts the budget is judged on (since the run started or was last resumed after a budget pause). */
export interface BudgetCounts {
  readonly finished: number;
  readonly rejected: number;
}

/** True when the rejects exceed the budget. */
export function isRejectBudgetExceeded(counts: BudgetCounts, budget: RejectBudget): boolean {
  if (counts.finished < budget.minSample || counts.finished === 0) return false;
  return counts.rejected / counts.finished > budget.maxRatio;
}
