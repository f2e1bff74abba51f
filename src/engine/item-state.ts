/**
 * Where an item of a run stands: one value of {@link ItemState}, a union whose members carry
 * only their own fields (no flags to reconcile), changed only by {@link moveItem}, which checks
 * the step against the item's state machine:
 *
 * ```
 * queued ──► calling ──► settled            (finished, or left unfinished)
 *   │  ▲        │ └───► retrying ──► queued  (a transient failure; dropped ──► settled)
 *   │  └────────┘                           (cut by the closing window: put back)
 *   └──► leasing ──► calling                (shared mode: a slot of the shared cap first;
 *          └──► queued, settled              refused ──► queued, abandoned ──► settled)
 * ```
 * A refused precheck goes queued ──► settled. Who aborted a call is decided by {@link cutCall}.
 */
import type { TimerHandle } from '../util/clock.js';
import type { Lease } from '../shared/slot-gate.js';
import type { CallSlot } from './call-slot.js';

/**
 * Who aborted an attempt, lowest rank first: the stall watchdog (a failure is a transient
 * `CALL_STALLED`), the closing window's drain deadline (a failure puts the item back in its
 * queue), the run itself by stop or failure (the outcome is ignored). A higher rank overrides a
 * lower one, never the reverse.
 */
export type Cut = 'stalled' | 'interrupted' | 'abandoned';

const RANK: Readonly<Record<Cut, number>> = { stalled: 1, interrupted: 2, abandoned: 3 };

/** Waiting in its source's queue for a slot. */
export interface Queued {
  readonly kind: 'queued';
}

/** Shared mode: holds a local slot while it waits for a slot of the shared cap. */
export interface Leasing {
  readonly kind: 'leasing';
  readonly controller: AbortController;
  cut: Cut | undefined;
}

/** An attempt is out: the caller's function was called and has not settled. */
export interface Calling {
  readonly kind: 'calling';
  /** True when this attempt is the overload protection's probe. */
  readonly probe: boolean;
  /** Shared mode: the slot held on the shared cap for this attempt. */
  lease: Lease | undefined;
  /** The slot its call holds (set as the call starts; kept by the request after the item moved on). */
  slot: CallSlot | undefined;
  /** Created on first use of the call's signal. */
  controller: AbortController | undefined;
  timeoutTimer: TimerHandle | undefined;
  /** The call's timeout passed (told to the classifier). */
  timedOut: boolean;
  cut: Cut | undefined;
  /**
   * Set when the engine finally aborted the call's signal (its hard deadline passed, or its
   * shared lease was lost): a signal created later starts aborted with it.
   */
  abortReason: Error | undefined;
}

/** Waiting for its retry delay; holds no slot. */
export interface Retrying {
  readonly kind: 'retrying';
  readonly timer: TimerHandle;
}

/** Its attempts are over: being finished (onSuccess, store), finished, or left unfinished. */
export interface Settled {
  readonly kind: 'settled';
}

/** Every state an item can be in. */
export type ItemState = Queued | Leasing | Calling | Retrying | Settled;

/** The one `queued` value (it carries nothing). */
export const QUEUED: Queued = Object.freeze({ kind: 'queued' });
/** The one `settled` value (it carries nothing). */
export const SETTLED: Settled = Object.freeze({ kind: 'settled' });

const STEPS: Readonly<Record<ItemState['kind'], readonly ItemState['kind'][]>> = {
  queued: ['calling', 'leasing', 'settled'],
  leasing: ['calling', 'queued', 'settled'],
  calling: ['settled', 'retrying', 'queued'],
  retrying: ['queued', 'settled'],
  settled: [],
};

/** Moves an item to its next state; a step the item's state machine does not have is a bug of the engine. */
export function moveItem(item: { state: ItemState }, to: ItemState): void {
  const from = item.state.kind;
  if (!STEPS[from].includes(to.kind)) throw new Error(`bcss-bulk internal error: item step ${from} → ${to.kind} is not allowed`);
  item.state = to;
}

/** A fresh attempt. */
export function calling(probe: boolean, lease: Lease | undefined): Calling {
  return { kind: 'calling', probe, lease, slot: undefined, controller: undefined, timeoutTimer: undefined, timedOut: false, cut: undefined, abortReason: undefined };
}

/**
 * Aborts an attempt (leasing or calling) with `reason`, unless a cut of the same or a higher
 * rank came first; returns true when this cut took effect. The controller is created if the
 * call has not looked at its signal yet, so that a late look sees it aborted.
 */
export function cutCall(attempt: Leasing | Calling, by: Cut, reason: Error): boolean {
  if (attempt.cut !== undefined && RANK[attempt.cut] >= RANK[by]) return false;
  attempt.cut = by;
  let controller = attempt.controller;
  if (controller === undefined) controller = (attempt as Calling).controller = new AbortController();
  controller.abort(reason);
  return true;
}

/**
 * Marks a call as cut by `by` without aborting it: the item moves on at once, while the request
 * keeps its slot until the server is done with it (see engine/call-slot.ts). Returns true when
 * this cut took effect (same ranks as {@link cutCall}).
 */
export function markCut(attempt: Calling, by: Cut): boolean {
  if (attempt.cut !== undefined && RANK[attempt.cut] >= RANK[by]) return false;
  attempt.cut = by;
  return true;
}
