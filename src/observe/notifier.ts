/**
 * The notifier: delivers the notices of a run (see `notice.ts`) through channels, by a
 * strategy, and keeps a delivery record of every attempt.
 *
 * - `fallback` (default): the channels in order; the first that accepts the notice ends it,
 *   the others are recorded `skipped`. `all`: every channel, side by side.
 * - One attempt per channel per notice (no retry loop), under a timeout on the clock.
 * - The run's listener only enqueues: notices are delivered one after the other, in the order
 *   of the run's events (`completed` never overtakes `started`), off the run's path; a failing
 *   or hanging channel shows in the records, never in the run. `flush()` waits for the queue.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../util/clock.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, deliver, scrubText } from './delivery.js';
import { TypedEmitter } from '../util/emitter.js';
import { BcssBulkError } from '../util/errors.js';
import { DeliveryError } from './errors.js';
import { assertReadableOptions } from '../util/options-guard.js';
import { parseOptions } from '../util/options.js';
import { detachOnce } from './attach.js';
import { NOTICE_KINDS, noticeOfSourcePaused, noticeOfStall, noticeOfStateChange, type Notice, type NoticeDraft, type NoticeKind } from './notice.js';
import type { NotifierChannel } from './notifier-channels.js';
import type { Detach, ObservedRun, RunObserver } from '../engine/observed-run.js';

/** How a notice goes through the channels. */
export type NotifierStrategy = 'fallback' | 'all';

/** Options of {@link notifier} (and of the deprecated {@link createNotifier}). */
export interface NotifierOptions {
  /** The channels, preferred first. */
  readonly channels: readonly NotifierChannel[];
  /**
   * `fallback`: the first channel that accepts ends it; `all`: every channel.
   * @defaultValue `'fallback'`
   */
  readonly strategy?: NotifierStrategy;
  /**
   * Time a channel has to accept a notice, in ms; its signal is aborted after it.
   * @defaultValue `5000`
   */
  readonly timeoutMs?: number;
  /**
   * The clock of the timeouts and of the records (the run's clock).
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
  /**
   * How many delivery records {@link Notifier.deliveries} keeps, the last ones.
   * @defaultValue `1000`
   */
  readonly maxDeliveries?: number;
  /**
   * The kinds of notice to send for each run it is attached to.
   * @defaultValue all of {@link NOTICE_KINDS}
   */
  readonly events?: readonly NoticeKind[];
  /**
   * The name put in each notice of a run it is attached to.
   * @defaultValue the run option `name`
   */
  readonly runName?: string;
}

/** What became of one notice on one channel. */
export type DeliveryStatus = 'delivered' | 'failed' | 'skipped';

/** The record of one delivery attempt (or of a channel skipped because an earlier one delivered). */
export interface DeliveryRecord {
  readonly noticeId: string;
  readonly kind: NoticeKind;
  readonly channel: string;
  readonly status: DeliveryStatus;
  /** When the attempt began (ISO 8601). */
  readonly at: string;
  /** How long it took, by the notifier's clock (0 when skipped). */
  readonly durationMs: number;
  /** Why it failed: scrubbed (no URL secrets, headers or national numbers). */
  readonly error?: string;
}

/** Events of a notifier. */
export interface NotifierEvents {
  /** A notice was queued. */
  notice: Notice;
  /** A delivery record was made. */
  delivery: DeliveryRecord;
}

/**
 * Options of {@link Notifier.attach} for one run.
 *
 * @deprecated give `events` and `runName` to {@link notifier} and attach with `attach(run, notices)`.
 */
export interface AttachOptions {
  /**
   * The kinds of notice to send.
   * @defaultValue the notifier's `events`, else all of {@link NOTICE_KINDS}
   */
  readonly events?: readonly NoticeKind[];
  /**
   * The run's name, put in each notice.
   * @defaultValue the notifier's `runName`, else the run option `name`
   */
  readonly runName?: string;
}

/**
 * A notifier: attach it with `attach(run, notices)`, to one run or to several (each attachment
 * has its own {@link Detach}); `notify()` queues notices of your own.
 */
export interface Notifier extends RunObserver {
  /**
   * Follows a run's events; returns the {@link Detach} that stops following it (its async
   * dispose also waits for the queued notices, as {@link Notifier.flush} does).
   * Prefer `attach(run, notices)`; the second argument is deprecated (give `events` and `runName` to {@link notifier}).
   */
  attach(run: ObservedRun, options?: AttachOptions): Detach;
  /** Queues a notice of your own (e.g. from a batch script); returns it with its id. */
  notify(draft: NoticeDraft, runName?: string): Notice;
  /**
   * Resolves once every queued notice was delivered or failed on every channel it went to.
   * Rejects with a `LISTENER_ERROR` {@link BcssBulkError} when a listener of the notifier threw,
   * or a notice of a run could not be built.
   */
  flush(): Promise<void>;
  /** The last delivery records, oldest first. */
  deliveries(): readonly DeliveryRecord[];
  /** Listens to the notifier's events; returns a function that removes the listener. */
  on<K extends keyof NotifierEvents>(event: K, listener: (payload: NotifierEvents[K]) => void): () => void;
}

const channelSchema = z.custom<NotifierChannel>(
  (value) => typeof value === 'object' && value !== null && typeof (value as NotifierChannel).name === 'string' && typeof (value as NotifierChannel).send === 'function',
  { message: 'expected a channel { name, send(notice, { signal }) }' },
);

const notifierOptionsSchema = z.object({
  channels: z.array(channelSchema).min(1, 'give at least one channel'),
  strategy: z.enum(['fallback', 'all']).optional(),
  timeoutMs: z.number().int().positive().optional(),
  clock: z.custom<Clock>((value) => typeof value === 'object' && value !== null && 'now' in value && 'setTimeout' in value, 'expected a Clock').optional(),
  maxDeliveries: z.number().int().positive().optional(),
  events: z.array(z.enum(NOTICE_KINDS)).optional(),
  runName: z.string().trim().min(1).optional(),
});

const attachOptionsSchema = z.strictObject({
  events: z.array(z.enum(NOTICE_KINDS)).optional(),
  runName: z.string().trim().min(1).optional(),
});

/**
 * A notifier over `channels`: attach it with `attach(run, notices)` to each run whose notices it
 * sends; the {@link Detach} stops following that run.
 *
 * @example
 * ```ts
 * const notices = notifier({ channels: [webhookChannel({ name: 'teams', url }), callbackChannel('log', console.log)], events: ['completed', 'failed'] });
 * const off = attach(run, notices);
 * await run.start();
 * await notices.flush();
 * off();
 * ```
 *
 * @throws {ConfigError} malformed options, with the path of the field.
 */
export function notifier(options: NotifierOptions): Notifier {
  assertReadableOptions(options, 'notifier options');
  parseOptions(notifierOptionsSchema, options, 'notifier options');
  return new QueuedNotifier(options);
}

/**
 * Creates a notifier over `channels` (see {@link notifier}).
 *
 * @deprecated use `attach(run, notifier(options))`; the per-run options of `notifier.attach(run, options)` go into `notifier`'s options.
 * @throws {ConfigError} malformed options, with the path of the field.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  return notifier(options);
}

class QueuedNotifier implements Notifier {
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxDeliveries: number;
  private readonly emitter: TypedEmitter<NotifierEvents>;
  private readonly records: DeliveryRecord[] = [];
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private seq = 0;
  private fault: BcssBulkError | undefined;

  constructor(private readonly options: NotifierOptions) {
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    this.maxDeliveries = options.maxDeliveries ?? 1000;
    this.emitter = new TypedEmitter<NotifierEvents>((error, event) => {
      this.fault ??= new BcssBulkError('LISTENER_ERROR', `A listener of the notifier's '${String(event)}' event threw: ${describe(error)}`);
    });
  }

  attach(run: ObservedRun, options: AttachOptions = {}): Detach {
    assertReadableOptions(options, 'notifier attach options');
    parseOptions(attachOptionsSchema, options, 'notifier attach options');
    const kinds = new Set<NoticeKind>(options.events ?? this.options.events ?? NOTICE_KINDS);
    const runName = options.runName ?? this.options.runName;
    const queue = (build: () => NoticeDraft | undefined): void => {
      // A run listener: never throws, never waits (a fault of ours goes to flush()).
      try {
        const draft = build();
        if (draft !== undefined && kinds.has(draft.kind)) this.notify(draft, runName ?? run.name);
      } catch (error) {
        this.fault ??= new BcssBulkError('LISTENER_ERROR', `The notifier could not build a notice: ${describe(error)}`);
      }
    };
    const offs = [
      run.on('state', (change) => queue(() => noticeOfStateChange(change, run.status()))),
      run.on('source-paused', (event) => queue(() => noticeOfSourcePaused(event))),
      run.on('stalled', (event) => queue(() => noticeOfStall(event))),
    ];
    return detachOnce(
      () => {
        for (const off of offs) off();
      },
      () => this.flush(),
    );
  }

  notify(draft: NoticeDraft, runName?: string): Notice {
    const notice: Notice = { ...draft, id: `${runName ?? 'run'}-${++this.seq}`, run: runName ?? null };
    this.queued++;
    this.tail = this.tail.then(() => this.deliverNotice(notice)).finally(() => void this.queued--);
    this.emitter.emit('notice', notice);
    return notice;
  }

  async flush(): Promise<void> {
    while (this.queued > 0) await this.tail;
    if (this.fault !== undefined) throw this.fault;
  }

  deliveries(): readonly DeliveryRecord[] {
    return [...this.records];
  }

  on<K extends keyof NotifierEvents>(event: K, listener: (payload: NotifierEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  // ── Delivering ───────────────────────────────────────────────────────────

  /** Delivers one notice by the strategy; never rejects (every outcome is a record). */
  private async deliverNotice(notice: Notice): Promise<void> {
    const channels = this.options.channels;
    if (this.options.strategy === 'all') {
      const records = await Promise.all(channels.map((channel) => this.attempt(channel, notice)));
      for (const record of records) this.keep(record);
      return;
    }
    let delivered = false;
    for (const channel of channels) {
      if (delivered) {
        this.keep({ noticeId: notice.id, kind: notice.kind, channel: channel.name, status: 'skipped', at: new Date(this.clock.now()).toISOString(), durationMs: 0 });
        continue;
      }
      const record = await this.attempt(channel, notice);
      this.keep(record);
      delivered = record.status === 'delivered';
    }
  }

  /** One attempt of one channel, under the notifier's timeout. */
  private async attempt(channel: NotifierChannel, notice: Notice): Promise<DeliveryRecord> {
    const started = this.clock.now();
    const base = { noticeId: notice.id, kind: notice.kind, channel: channel.name, at: new Date(started).toISOString() };
    try {
      await deliver((payload: Notice, context) => channel.send(payload, context), notice, { clock: this.clock, timeoutMs: this.timeoutMs, label: `channel ${channel.name}` });
      return { ...base, status: 'delivered', durationMs: this.clock.now() - started };
    } catch (error) {
      const message = error instanceof DeliveryError ? error.message : describe(error);
      return { ...base, status: 'failed', durationMs: this.clock.now() - started, error: message };
    }
  }

  private keep(record: DeliveryRecord): void {
    this.records.push(record);
    if (this.records.length > this.maxDeliveries) this.records.splice(0, this.records.length - this.maxDeliveries);
    this.emitter.emit('delivery', record);
  }
}

function describe(error: unknown): string {
  return scrubText(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
