/**
 * The dispatcher: starts calls while slots are free (per source, and in all), round-robin over
 * the sources, each inside the office-hours window; times them out; and hands each settled
 * attempt to the run. A call's slot is held until the server is done with its request, not
 * merely until the attempt timed out or was cut (see call-slot.ts). One path for both slot gates: the local caps always hold (the lane's
 * slot); with a shared gate (Redis), the item then waits, holding its local slot, for a lease
 * on the shared cap before its call starts.
 */
import type { Clock } from '../util/clock.js';
import { reasonOf } from '../util/reason.js';
import { RunFailedError } from '../util/errors.js';
import type { AttemptResult } from '../policy/classify.js';
import { CallTimeoutError } from '../policy/errors.js';
import type { SlotGate } from '../shared/slot-gate.js';
import { AttemptContext } from './attempt-context.js';
import type { CallContext } from './config.js';
import { CallSlot } from './call-slot.js';
import { OutList } from './out-list.js';
import { calling, cutCall, markCut, moveItem, SETTLED, type Calling, type Cut, type Leasing } from './item-state.js';
import type { Lanes } from './lanes.js';
import type { Lifecycle } from './lifecycle.js';
import type { PendingItem } from './source-lane.js';
import type { Recorder } from './recorder.js';

/** What the dispatcher needs of its run. */
export interface DispatchContext<T, R> {
  readonly lifecycle: Lifecycle;
  /** The office-hours guard: true when `now` lies outside the current window. */
  outsideWindow(now: number): boolean;
  /** A dispatch saw an instant outside the window: close it. */
  windowClosed(now: number): void;
  /** An attempt settled (its slot is free, or kept by its request until the server is done with it). */
  settled(pending: PendingItem<T>, attempt: Calling, result: AttemptResult<R>): void;
  fail(error: RunFailedError): void;
  pump(): void;
  /** The compliance recorder: told where each call starts and where its promise settles. */
  readonly recorder: Pick<Recorder, 'started' | 'ended' | 'recording'>;
}

/** The settings the dispatcher reads. */
export interface DispatchOptions<T, R> {
  readonly call: (item: T, context: CallContext) => Promise<R> | R;
  readonly maxConcurrency: number | undefined;
  /** Shared mode: the lease's time to live for a call that may hold its slot `holdMs` (hard deadline plus grace). */
  readonly leaseTtl: (holdMs: number) => number;
}

/** Dispatches the calls of one run. */
export class Dispatcher<T, R> {
  /** Attempts out (calling, or waiting for a shared slot). */
  readonly #out = new OutList<PendingItem<T>>();
  #nextLane = 0;
  /** True while cutAll() settles the attempts it cut: no call starts meanwhile (the run may be failing). */
  #cutting = false;
  /** The shared slot gate, once open (shared mode). */
  #gate: SlotGate | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly lanes: Lanes<T>,
    private readonly options: DispatchOptions<T, R>,
    private readonly run: DispatchContext<T, R>,
  ) {}

  /** Shared mode: from now on every call first waits for a lease of `gate`. */
  useGate(gate: SlotGate): void {
    this.#gate = gate;
  }

  /**
   * Starts calls while slots are free (per source, and in all), round-robin: each source in
   * turn starts at most one call, until no source can start one.
   */
  dispatchAll(): void {
    const list = this.lanes.list;
    const count = list.length;
    const globalCap = this.options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    const lifecycle = this.run.lifecycle;
    if (this.#cutting) return;
    let inFlight = this.lanes.occupied();
    let idleTurns = 0;
    while (lifecycle.state === 'running' && inFlight < globalCap && idleTurns < count) {
      const lane = list[this.#nextLane]!;
      this.#nextLane = (this.#nextLane + 1) % count;
      const now = this.clock.now();
      if (this.run.outsideWindow(now)) {
        this.run.windowClosed(now); // the guard: checked at every dispatch, whatever the timers did
        continue;
      }
      if (!lane.ready(now)) {
        idleTurns++;
        continue;
      }
      this.dispatch(lane.take(), now);
      inFlight++;
      idleTurns = 0;
    }
  }

  /**
   * Cuts every attempt out (see {@link cutCall} for which cut wins) with `reason`; returns how
   * many were cut. A wait for a shared slot is aborted; a call is not: its item moves on at once
   * (put back, retried or dropped, by who cut it), while its request keeps the slot until the
   * server is done with it (see call-slot.ts).
   */
  cutAll(by: Cut, reason: Error): number {
    let cut = 0;
    this.#cutting = true;
    try {
      cut = this.cutEach(by, reason);
    } finally {
      this.#cutting = false;
    }
    return cut;
  }

  private cutEach(by: Cut, reason: Error): number {
    let cut = 0;
    for (const pending of this.#out.snapshot()) {
      const attempt = pending.state as Leasing | Calling;
      if (attempt.kind === 'leasing') {
        if (cutCall(attempt, by, reason)) cut++;
        continue;
      }
      if (!markCut(attempt, by)) continue;
      cut++;
      const slot = attempt.slot;
      if (slot !== undefined) this.detach(pending, attempt, slot, { ok: false, error: reason });
    }
    return cut;
  }

  /** Gives up on every attempt out (stop with abort, or a failure): their outcomes are ignored; their requests keep their slots until the server is done. */
  abandonAll(why: 'stop' | 'fatal'): void {
    this.cutAll('abandoned', new Error(why === 'stop' ? 'The run was stopped' : 'The run failed'));
  }

  /** Starts the item's next attempt (after a lease of the shared gate, in shared mode). */
  private dispatch(pending: PendingItem<T>, now: number, lease?: Calling['lease']): void {
    if (this.#gate !== undefined && lease === undefined) {
      this.waitForLease(pending, this.#gate);
      return;
    }
    const lane = pending.lane;
    const attempt = calling(lane.started(now), lease);
    moveItem(pending, attempt);
    this.#out.add(pending);
    pending.attempts++;
    if (pending.attempts === 1) pending.firstAttemptAt = now;
    pending.lastAttemptAt = now;
    const config = lane.config;
    const slot: CallSlot = new CallSlot(this.clock, lane, attempt, lease, now, config, {
      released: () => this.run.pump(),
      // The hard deadline (at least timeoutMs) or a lost lease: the item moves on if it has not yet.
      aborted: (reason) => {
        if (!slot.detached) this.detach(pending, attempt, slot, { ok: false, error: reason });
      },
    });
    attempt.slot = slot; // not a second Map by position: a Map's set and delete per call cost as much as the rest of a dispatch (CPU profile)
    const timeoutMs = config.timeoutMs;
    attempt.timeoutTimer = this.clock.setTimeout(() => {
      attempt.timeoutTimer = undefined;
      attempt.timedOut = true;
      // Counted as timed out now; the request keeps its slot (call-slot.ts).
      this.detach(pending, attempt, slot, { ok: false, error: new CallTimeoutError(timeoutMs) });
    }, timeoutMs);
    this.callStarted(pending, attempt, slot, now);
  }

  /**
   * Where a call starts: the caller's function is invoked with the attempt's context. The one
   * place a call begins (a hook for what must see every call start belongs here).
   */
  private callStarted(pending: PendingItem<T>, attempt: Calling, slot: CallSlot, now: number): void {
    let call: Promise<R> | R;
    const recorder = this.run.recorder;
    if (recorder.recording) recorder.started(pending.lane.name, now); // no clock read per call when nothing records
    try {
      call = this.options.call(pending.item, new AttemptContext(pending, attempt, slot));
    } catch (error) {
      call = Promise.reject(error);
    }
    Promise.resolve(call).then(
      (value) => this.callEnded(pending, attempt, slot, { ok: true, value }),
      (error: unknown) => this.callEnded(pending, attempt, slot, { ok: false, error }),
    );
  }

  /**
   * Where a call ends: its promise settled (the server answered or closed, or the caller's
   * function gave up). The slot is given back unless the engine aborted the call (then after the
   * grace time); the item is settled unless it already moved on (timed out or cut), in which
   * case this late result is dropped. A call whose promise never settles is finally dropped when
   * its slot's grace time runs out (CallSlot's release).
   */
  private callEnded(pending: PendingItem<T>, attempt: Calling, slot: CallSlot, result: AttemptResult<R>): void {
    const recorder = this.run.recorder;
    if (recorder.recording) recorder.ended(pending.lane.name, this.clock.now());
    if (slot.detached) {
      slot.callSettled();
      return;
    }
    if (attempt.timeoutTimer !== undefined) this.clock.clearTimeout(attempt.timeoutTimer);
    attempt.timeoutTimer = undefined;
    this.#out.delete(pending);
    slot.callSettled(true); // never aborted while attached (an abort detaches the item first); settled() below pumps
    attempt.lease = undefined;
    this.run.settled(pending, attempt, result);
  }

  /** The item moves on without its call (timed out or cut): settled now with `result`; the request keeps its slot. */
  private detach(pending: PendingItem<T>, attempt: Calling, slot: CallSlot, result: AttemptResult<R>): void {
    if (attempt.timeoutTimer !== undefined) this.clock.clearTimeout(attempt.timeoutTimer);
    attempt.timeoutTimer = undefined;
    this.#out.delete(pending);
    slot.detach();
    pending.lane.detached();
    attempt.lease = undefined;
    this.run.settled(pending, attempt, result);
  }

  /**
   * Shared mode: the item holds a local slot (so the local cap holds) while it waits for a slot
   * of the shared cap, then is dispatched. If the run stopped, failed or paused meanwhile (or its
   * source was paused by the overload protection, or another item is its probe), the shared
   * slot is given back and the item goes back to the front of its queue.
   */
  private waitForLease(pending: PendingItem<T>, gate: SlotGate): void {
    const lane = pending.lane;
    lane.slotHeld();
    this.#out.add(pending);
    const waiting: Leasing = { kind: 'leasing', controller: new AbortController(), cut: undefined }; // aborted by stop({ inFlight: 'abort' }) and by a failure
    moveItem(pending, waiting);
    const waited = () => {
      lane.slotFreed();
      this.#out.delete(pending);
    };
    const lifecycle = this.run.lifecycle;
    gate.acquire(lane.name, lane.config.cap, this.options.leaseTtl(lane.config.hardDeadlineMs + lane.config.abortGraceMs), waiting.controller.signal).then(
      (lease) => {
        waited();
        const now = this.clock.now();
        // The office-hours guard holds here too: the lease may arrive after the window closed.
        const closed = this.run.outsideWindow(now);
        const paused = lifecycle.state !== 'running' || closed || lane.pausedByOverload(now) || lane.pausedByInstitution;
        const abandoned = waiting.cut === 'abandoned';
        if (abandoned || paused) {
          lease.release();
          if (!abandoned && !lifecycle.final) lane.requeueFront(pending);
          else moveItem(pending, SETTLED);
          if (closed && lifecycle.state === 'running') this.run.windowClosed(now);
          this.run.pump();
          return;
        }
        this.dispatch(pending, now, lease);
      },
      (error: unknown) => {
        waited();
        if (waiting.cut === 'abandoned' || lifecycle.final) this.run.pump();
        else this.run.fail(new RunFailedError('SHARED_STATE', `Shared mode: no slot of source ${lane.name} could be obtained: ${reasonOf(error)}`, { cause: error }));
      },
    );
  }
}
