/**
 * What happens after an attempt, as pure decisions: first from how the call ended and who cut
 * it ({@link afterCut}), then from the classifier's verdict ({@link nextStep}): finish it as a
 * success, a reject or exhausted, retry it after a delay, fail the run, or leave it unfinished.
 * The retry rule itself is the policy's ({@link RetryPolicy}); this module only asks it.
 */
import type { Classification } from '../policy/classify.js';
import type { RetryPolicy } from '../policy/retry.js';
import type { ItemOutcome } from '../store/store.js';
import type { Cut } from './item-state.js';

/**
 * Before any verdict: `ignore` (the run gave up on the call: its outcome is dropped),
 * `put-back` (the closing window cut it and it failed: it is queued again, the attempt not
 * counted), `stalled` (the watchdog cut it and it failed: a transient `CALL_STALLED`), or
 * `classify` (ask the classifier; an answer that came despite a cut is kept).
 */
export type AfterCut = 'ignore' | 'put-back' | 'stalled' | 'classify';

/** The first decision: from whether the call succeeded and who cut it, if anyone. */
export function afterCut(ok: boolean, cut: Cut | undefined): AfterCut {
  if (cut === undefined) return 'classify';
  if (cut === 'abandoned') return 'ignore';
  if (ok) return 'classify';
  return cut === 'interrupted' ? 'put-back' : 'stalled';
}

/** What happens to an item once its attempt has a verdict. */
export type NextStep =
  | { readonly do: 'finish'; readonly outcome: ItemOutcome; readonly code: string | undefined; readonly reason: string | undefined }
  | { readonly do: 'retry'; readonly delayMs: number; readonly code: string; readonly reason: string }
  | { readonly do: 'fail'; readonly code: string; readonly reason: string }
  | { readonly do: 'leave'; readonly code: string; readonly reason: string };

/**
 * The second decision, from the verdict of attempt number `attempts`: a success or a reject is
 * finished; a fatal verdict fails the run; a transient one is retried after the policy's delay,
 * or finished as exhausted when the policy gives up, or — while the run is stopping — left
 * unfinished (a resumed run calls it again) rather than retried.
 */
export function nextStep(verdict: Classification, attempts: number, stopping: boolean, retry: RetryPolicy): NextStep {
  switch (verdict.class) {
    case 'success':
      return { do: 'finish', outcome: 'success', code: verdict.code, reason: undefined };
    case 'reject':
      return { do: 'finish', outcome: 'reject', code: verdict.code, reason: verdict.reason };
    case 'fatal':
      return { do: 'fail', code: verdict.code, reason: verdict.reason };
    case 'transient': {
      if (!retry.allows(attempts)) return { do: 'finish', outcome: 'exhausted', code: verdict.code, reason: `${verdict.reason} (after ${attempts} attempts)` };
      if (stopping) return { do: 'leave', code: verdict.code, reason: verdict.reason };
      const decision = retry.decide(attempts, verdict.retryAfterMs);
      // decide() agrees with allows(): it retries here; the branch keeps the types honest.
      if (!decision.retry) return { do: 'finish', outcome: 'exhausted', code: verdict.code, reason: `${verdict.reason} (after ${attempts} attempts)` };
      return { do: 'retry', delayMs: decision.delayMs, code: verdict.code, reason: verdict.reason };
    }
  }
}
