/**
 * The office-hours window of a run. Calls go out only inside an allowed window
 * [opensAt, closesAt), computed once per window; the dispatcher compares the clock with both
 * bounds (no calendar work per call). When the window closes, the run drains (calls in flight
 * may finish until the drain deadline, then are aborted and queued again), waits, and runs again
 * when the next window opens.
 */
import { Alarm } from '../util/alarm.js';
import type { Clock } from '../util/clock.js';
import type { ClosedPeriod, ClosedReason, OfficeCalendar } from '../calendar/calendar.js';
import { OfficeHoursError } from './errors.js';
import type { Lifecycle } from './lifecycle.js';
import { closingMessage, openingMessage, waitingMessage } from './window-messages.js';

/** What the window needs of its run. */
export interface WindowContext {
  readonly lifecycle: Lifecycle;
  /** Calls in flight now. */
  inFlight(): number;
  /** Aborts the calls in flight because the drain deadline passed (their items go back to their queues). */
  interrupt(reason: OfficeHoursError): void;
  /** Lets the run dispatch, read and check its end. */
  pump(): void;
}

/** The allowed window of one run; always open without a calendar. */
export class OfficeWindow {
  #opensAt = Number.NEGATIVE_INFINITY;
  #closesAt = Number.POSITIVE_INFINITY;
  #reason: ClosedReason = 'office-hours';
  #nextWindowAt: number | undefined;
  readonly #closeAlarm: Alarm;
  readonly #openAlarm: Alarm;
  readonly #drainAlarm: Alarm;

  constructor(
    private readonly clock: Clock,
    /** The office-hours calendar, unless turned off by a written override. */
    readonly calendar: OfficeCalendar | undefined,
    private readonly drainDeadlineMs: number,
    private readonly run: WindowContext,
  ) {
    this.#closeAlarm = new Alarm(clock);
    this.#openAlarm = new Alarm(clock);
    this.#drainAlarm = new Alarm(clock);
  }

  /** While waiting (or draining before waiting): when the next window opens. */
  get nextWindowAt(): number | undefined {
    return this.#nextWindowAt;
  }

  /** When the current window closes (infinite without a calendar, or between windows). */
  get closesAt(): number {
    return this.#closesAt;
  }

  /** The dispatch guard: true when `now` lies outside the current window (checked before every call). */
  outside(now: number): boolean {
    return now >= this.#closesAt || now < this.#opensAt;
  }

  /** Runs now when the calendar allows it, otherwise waits for the next window. */
  enter(reason: string): void {
    const now = this.clock.now();
    const closed = this.calendar?.closedAt(now);
    if (closed !== undefined) {
      this.wait(closed);
      return;
    }
    this.open(now);
    this.run.lifecycle.to('running', reason, reason === 'window-open' ? openingMessage(this.calendar!, this.#closesAt) : undefined);
    this.run.pump();
  }

  /**
   * The window closed: its alarm rang, or a dispatch saw an instant outside it (a late timer, a
   * clock set back). No new calls; calls in flight may finish until the drain deadline.
   */
  closed(now: number): void {
    const closed = this.calendar?.closedAt(now);
    if (closed === undefined) {
      this.open(now); // the clock was set back to an allowed instant: a new window
      return;
    }
    const closingAt = Math.min(now, this.#closesAt);
    this.#closeAlarm.cancel();
    this.#opensAt = Number.POSITIVE_INFINITY;
    this.#closesAt = Number.NEGATIVE_INFINITY;
    this.#reason = closed.reason;
    const inFlight = this.run.inFlight();
    const deadline = closingAt + this.drainDeadlineMs;
    if (inFlight > 0) this.#drainAlarm.set(deadline, () => this.deadlinePassed(closed));
    const lifecycle = this.run.lifecycle;
    if (lifecycle.state !== 'running') return; // paused or stopping: nothing is sent anyway; the deadline holds
    this.#nextWindowAt = closed.opensAt.getTime();
    lifecycle.to('draining', closed.reason, closingMessage(this.calendar!, closingAt, closed, inFlight, deadline), 'window-closing');
    this.run.pump();
  }

  /** The last call of a closing window settled: wait for the next window. */
  drained(): void {
    this.#drainAlarm.cancel();
    const now = this.clock.now();
    this.wait(this.calendar?.closedAt(now) ?? { reason: this.#reason, opensAt: new Date(now) });
  }

  /** The run no longer waits for a window (paused or stopped): forget the next one. */
  forget(): void {
    this.#openAlarm.cancel();
    this.#nextWindowAt = undefined;
  }

  /** The run ended: stop every alarm. */
  close(): void {
    this.#closeAlarm.cancel();
    this.#openAlarm.cancel();
    this.#drainAlarm.cancel();
    this.#nextWindowAt = undefined;
  }

  /** Computes the window that contains `now` and sets the alarm of its end. */
  private open(now: number): void {
    this.#nextWindowAt = undefined;
    this.#openAlarm.cancel();
    this.#drainAlarm.cancel();
    if (this.calendar === undefined) return;
    this.#opensAt = now;
    this.#closesAt = this.calendar.nextOfficeHoursStart(now).getTime();
    this.#closeAlarm.set(this.#closesAt, () => this.closed(this.clock.now()));
  }

  /** The drain deadline passed with calls still out: abort them; their items go back to the front of their queues. */
  private deadlinePassed(closed: ClosedPeriod): void {
    this.run.interrupt(
      new OfficeHoursError(`The call was aborted: the window closed and the drain deadline (${this.drainDeadlineMs} ms) passed; the item is queued again`, closed.opensAt, closed.reason),
    );
  }

  /** Goes `waiting` until the window opens, then runs (unless paused or stopped meanwhile). */
  private wait(closed: ClosedPeriod): void {
    this.#closeAlarm.cancel();
    this.#nextWindowAt = closed.opensAt.getTime();
    this.run.lifecycle.to('waiting', closed.reason, waitingMessage(this.calendar!, closed));
    this.#openAlarm.set(this.#nextWindowAt, () => {
      if (this.run.lifecycle.state === 'waiting') this.enter('window-open');
    });
    this.run.pump();
  }
}
