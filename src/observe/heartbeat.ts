/**
 * The liveness heartbeat of a run: while the run is alive (started and not final: running,
 * waiting for its window, paused, draining) a beat goes to a target at a fixed interval, with
 * the run's state, totals and next window. Active means it beats; when the process dies the
 * beats stop, and silence is the signal a supervisor watches for.
 *
 * The heartbeat attaches from outside (`run.on('state')`, `run.status()`): its listener never
 * throws and never waits for the network; at most one beat is in flight (a tick that comes
 * while the previous beat has not settled is counted `skipped`), and a failing or hanging
 * target only shows in the heartbeat's own status and events.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { systemClock, type Clock, type TimerHandle } from '../util/clock.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, deliver, parseDeliveryTarget, scrubText, type DeliveryTarget } from './delivery.js';
import { TypedEmitter } from '../util/emitter.js';
import { BcssBulkError } from '../util/errors.js';
import { DeliveryError } from './errors.js';
import { assertReadableOptions } from '../util/options-guard.js';
import { parseOptions } from '../util/options.js';
import type { StateChange } from '../engine/events.js';
import { isoOrNull, type Detach, type ObservedRun, type RunObserver } from '../engine/observed-run.js';
import { detachOnce, OneRun } from './attach.js';
import type { RunTotals } from '../engine/status.js';
import { isFinal, type PauseReason, type RunState } from '../engine/state-machine.js';

/** What a heartbeat carries. No personal data: counts, states and instants only. */
export interface HeartbeatPayload {
  readonly type: 'heartbeat';
  /** The run's name (`runName`), or null. */
  readonly run: string | null;
  readonly host: string;
  readonly pid: number;
  /** Number of the beat, from 1 (a skipped tick takes no number). */
  readonly seq: number;
  /** When the beat was sent (ISO 8601). */
  readonly at: string;
  readonly state: RunState;
  readonly pauseReason: PauseReason | null;
  readonly totals: RunTotals;
  /** When calls resume by themselves, while the run waits for its window (ISO 8601), or null. */
  readonly nextWindowAt: string | null;
  /** When the current window closes, while the run runs under its calendar (ISO 8601), or null. */
  readonly windowClosesAt: string | null;
}

/** Options of {@link heartbeat}. */
export interface HeartbeatOptions {
  /** Where the beats go: a callback `(payload, { signal })` or an HTTP endpoint `{ url, headers?, timeoutMs? }`. */
  readonly target: DeliveryTarget<HeartbeatPayload>;
  /**
   * Time between two beats, in ms.
   * @defaultValue `60_000` ({@link DEFAULT_HEARTBEAT_INTERVAL_MS})
   */
  readonly intervalMs?: number;
  /**
   * The clock of the beats and of their timeout: must be the run's clock.
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
  /**
   * Time a beat may take before it counts as failed, in ms (an HTTP target's own `timeoutMs` wins).
   * @defaultValue `5000`
   */
  readonly timeoutMs?: number;
  /**
   * The run's name, put in each beat.
   * @defaultValue the run option `name`
   */
  readonly runName?: string;
  /**
   * The host name put in each beat.
   * @defaultValue `os.hostname()`
   */
  readonly host?: string;
}

/** Counts of a heartbeat. */
export interface HeartbeatStatus {
  /** Beats the target accepted. */
  readonly sent: number;
  /** Beats that failed (error, error status, timeout). */
  readonly failed: number;
  /** Ticks not sent because the previous beat had not settled. */
  readonly skipped: number;
  /** `at` of the last beat the target accepted. */
  readonly lastSentAt?: string;
  /** Why the last failed beat failed (scrubbed: no URL secrets, headers or national numbers). */
  readonly lastError?: DeliveryError;
  /** True from `attach` until the final beat was sent or the heartbeat was detached. */
  readonly active: boolean;
}

/** Events of a heartbeat. */
export interface HeartbeatEvents {
  /** A beat was accepted by the target. */
  'heartbeat-sent': HeartbeatPayload;
  /** A beat failed; the run is not affected. */
  'heartbeat-failed': { readonly seq: number; readonly at: string; readonly error: DeliveryError };
  /** A tick came while the previous beat was still in flight: nothing was sent. */
  'heartbeat-skipped': { readonly at: string };
}

/**
 * A heartbeat made by {@link heartbeat}: attach it to one run with `attach(run, beats)`; the
 * {@link Detach} stops the beats (its async dispose also waits for a beat in flight).
 */
export interface HeartbeatObserver extends RunObserver {
  /** Counts of beats sent, failed and skipped (all 0, `active: false`, before `attach`). */
  status(): HeartbeatStatus;
  /** Listens to the heartbeat's events (also before `attach`); returns a function that removes the listener. */
  on<K extends keyof HeartbeatEvents>(event: K, listener: (payload: HeartbeatEvents[K]) => void): () => void;
  /**
   * Resolves when no beat is in flight (e.g. the final beat, before the process exits).
   * Rejects with a `LISTENER_ERROR` {@link BcssBulkError} if a listener of the heartbeat threw.
   */
  flush(): Promise<void>;
}

/**
 * A running heartbeat, as {@link startHeartbeat} returns it.
 *
 * @deprecated use `attach(run, heartbeat(options))`: the {@link HeartbeatObserver} has the same
 *   `status()`, `on()` and `flush()`, and the returned {@link Detach} replaces `stop()`.
 */
export interface Heartbeat {
  /** Stops the beats: none is sent after this (a beat already in flight still settles). */
  stop(): void;
  /** Counts of beats sent, failed and skipped. */
  status(): HeartbeatStatus;
  /** Listens to the heartbeat's events; returns a function that removes the listener. */
  on<K extends keyof HeartbeatEvents>(event: K, listener: (payload: HeartbeatEvents[K]) => void): () => void;
  /**
   * Resolves when no beat is in flight (e.g. the final beat, before the process exits).
   * Rejects with a `LISTENER_ERROR` {@link BcssBulkError} if a listener of the heartbeat threw.
   */
  flush(): Promise<void>;
}

/** Default interval between beats: one minute. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 60_000;

const heartbeatOptionsSchema = z.object({
  target: z.unknown(),
  intervalMs: z.number().int().positive().optional(),
  clock: z.custom<Clock>((value) => typeof value === 'object' && value !== null && 'now' in value && 'setTimeout' in value, 'expected a Clock').optional(),
  timeoutMs: z.number().int().positive().optional(),
  runName: z.string().trim().min(1).optional(),
  host: z.string().trim().min(1).optional(),
});

/**
 * A heartbeat for one run: attach it with `attach(run, heartbeat(options))`. A run not started
 * yet beats when it leaves `idle`; a run already alive beats at once; then every `intervalMs` on
 * the clock. When the run reaches a final state, one last beat carries that state, then the
 * heartbeat ends by itself. The returned {@link Detach} stops it earlier: no beat after it.
 *
 * @example
 * ```ts
 * const beats = heartbeat({ target: { url: 'https://monitor.example/beat' }, intervalMs: 60_000 });
 * const off = attach(run, beats);
 * await run.start();
 * await beats.flush(); // the final beat
 * off();
 * ```
 *
 * @throws {ConfigError} malformed options (the target's URL is never quoted).
 */
export function heartbeat(options: HeartbeatOptions): HeartbeatObserver {
  assertReadableOptions(options, 'heartbeat options');
  parseOptions(heartbeatOptionsSchema, options, 'heartbeat options');
  const target = parseDeliveryTarget<HeartbeatPayload>(options.target, 'heartbeat target');
  return new RunHeartbeat({ ...options, target });
}

/**
 * Starts the heartbeat of `run` (see {@link heartbeat}).
 *
 * @deprecated use `const off = attach(run, heartbeat(options))`; `off()` replaces `stop()`.
 * @throws {ConfigError} malformed options (the target's URL is never quoted).
 */
export function startHeartbeat(run: ObservedRun, options: HeartbeatOptions): Heartbeat {
  const beats = heartbeat(options) as RunHeartbeat;
  beats.attach(run);
  return beats;
}

class RunHeartbeat implements Heartbeat, HeartbeatObserver {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly emitter: TypedEmitter<HeartbeatEvents>;
  private readonly attachment = new OneRun<ObservedRun>('heartbeat');
  private unsubscribe: () => void = () => undefined;
  private seq = 0;
  private sent = 0;
  private failed = 0;
  private skipped = 0;
  private lastSentAt: string | undefined;
  private lastError: DeliveryError | undefined;
  private listenerError: BcssBulkError | undefined;
  private begun = false;
  private ended = false;
  private timer: TimerHandle | undefined;
  private nextAt = 0;
  private inFlight: Promise<void> | undefined;
  /** The run ended while a beat was in flight: the final beat goes once it settles. */
  private finalPending = false;

  constructor(private readonly options: HeartbeatOptions) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    this.emitter = new TypedEmitter<HeartbeatEvents>((error, event) => {
      this.listenerError ??= new BcssBulkError('LISTENER_ERROR', `A listener of the heartbeat's '${String(event)}' event threw: ${scrubText(String(error))}`);
    });
  }

  attach(run: ObservedRun): Detach {
    this.attachment.begin(() => run);
    this.unsubscribe = run.on('state', (change) => this.guard(() => this.onState(change)));
    const state = run.state;
    if (isFinal(state)) this.end();
    else if (state !== 'idle') this.guard(() => this.begin());
    return detachOnce(
      () => this.stop(),
      () => this.flush(),
    );
  }

  private get run(): ObservedRun {
    return this.attachment.require();
  }

  stop(): void {
    this.end();
    this.finalPending = false;
  }

  status(): HeartbeatStatus {
    return {
      sent: this.sent,
      failed: this.failed,
      skipped: this.skipped,
      ...(this.lastSentAt === undefined ? {} : { lastSentAt: this.lastSentAt }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      active: this.attachment.current !== undefined && !this.ended,
    };
  }

  on<K extends keyof HeartbeatEvents>(event: K, listener: (payload: HeartbeatEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    if (this.listenerError !== undefined) throw this.listenerError;
  }

  // ── Following the run ────────────────────────────────────────────────────

  private onState(change: StateChange): void {
    if (this.ended) return;
    if (isFinal(change.to)) this.finalBeat();
    else if (!this.begun) this.begin();
  }

  /** The run is alive: beat now, then at every interval from now. */
  private begin(): void {
    this.begun = true;
    this.nextAt = this.clock.now();
    this.tick();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.ended) return;
    this.beat();
    const now = this.clock.now();
    do this.nextAt += this.intervalMs;
    while (this.nextAt <= now); // a clock that jumped: the next tick on the grid, no burst
    this.timer = this.clock.setTimeout(() => this.guard(() => this.tick()), this.nextAt - now);
  }

  private beat(): void {
    if (this.inFlight !== undefined) {
      this.skipped++;
      this.emitter.emit('heartbeat-skipped', { at: new Date(this.clock.now()).toISOString() });
      return;
    }
    this.send();
  }

  /** The run reached a final state: one last beat with it, then nothing more. */
  private finalBeat(): void {
    this.end();
    if (this.inFlight === undefined) this.send();
    else this.finalPending = true;
  }

  private end(): void {
    this.ended = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe();
  }

  // ── Sending ──────────────────────────────────────────────────────────────

  private send(): void {
    const payload = this.payload();
    this.inFlight = deliver(this.options.target, payload, { clock: this.clock, timeoutMs: this.timeoutMs }).then(
      () => {
        this.sent++;
        this.lastSentAt = payload.at;
        this.settled();
        this.emitter.emit('heartbeat-sent', payload);
      },
      (error: unknown) => {
        const failure = error instanceof DeliveryError ? error : new DeliveryError('heartbeat', 'INTERNAL', scrubText(String(error)));
        this.failed++;
        this.lastError = failure;
        this.settled();
        this.emitter.emit('heartbeat-failed', { seq: payload.seq, at: payload.at, error: failure });
      },
    );
  }

  private settled(): void {
    this.inFlight = undefined;
    if (this.finalPending) {
      this.finalPending = false;
      this.guard(() => this.send());
    }
  }

  private payload(): HeartbeatPayload {
    const status = this.run.status();
    return {
      type: 'heartbeat',
      run: this.options.runName ?? this.run.name ?? null,
      host: this.options.host ?? hostname(),
      pid: process.pid,
      seq: ++this.seq,
      at: new Date(this.clock.now()).toISOString(),
      state: status.state,
      pauseReason: status.pauseReason ?? null,
      totals: status.totals,
      nextWindowAt: isoOrNull(status.nextWindowAt),
      windowClosesAt: isoOrNull(status.windowClosesAt),
    };
  }

  /** Runs a step of the heartbeat inside a run listener or a timer: a fault of ours never reaches the run. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.failed++;
      this.lastError = new DeliveryError('heartbeat', 'INTERNAL', `The heartbeat failed: ${scrubText(error instanceof Error ? error.message : String(error))}`);
    }
  }
}
