/**
 * The context a call function receives for one attempt. A class rather than an object literal
 * with a getter: V8 builds it several times faster, which shows in a run of a million calls.
 */
import type { CallContext } from './config.js';
import type { CallSlot } from './call-slot.js';
import type { Calling } from './item-state.js';
import type { PendingItem } from './source-lane.js';

/** The context of one attempt; its signal is created on first use (a call that never looks costs no controller). */
export class AttemptContext<T> implements CallContext {
  readonly attempt: number;
  readonly source: string;
  readonly position: number;
  readonly key: string;
  /** Private, so that logging the context never prints the attempt's item (personal data). */
  readonly #attempt: Calling;
  readonly #slot: CallSlot;

  constructor(pending: PendingItem<T>, attempt: Calling, slot: CallSlot) {
    this.#attempt = attempt;
    this.#slot = slot;
    this.attempt = pending.attempts;
    this.source = pending.lane.name;
    this.position = pending.position;
    this.key = pending.key;
  }

  /**
   * Aborted when the engine tears the request down: at the source's hard deadline
   * (`hardDeadlineMs`), or when its shared lease was lost. Not at `timeoutMs`, nor when the run
   * stops or the window closes: the attempt then counts as timed out or cut, but the request
   * goes on until the server is done with it, and keeps its slot meanwhile (the BCSS counts it).
   */
  get signal(): AbortSignal {
    const attempt = this.#attempt;
    if (attempt.controller === undefined) {
      attempt.controller = new AbortController();
      this.#slot.noteSignal(attempt.controller.signal);
      if (attempt.abortReason !== undefined) attempt.controller.abort(attempt.abortReason);
    }
    return attempt.controller.signal;
  }
}
