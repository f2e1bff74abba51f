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
import { BcssBulkError, ConfigError } from '../util/errors.js';
import { DeliveryError } from './errors.js';
import { assertReadableOptions } from '../util/options-guard.js';
import { NOTICE_KINDS, noticeOfSourcePaused, noticeOfStall, noticeOfStateChange, type Notice, type NoticeDraft, type NoticeKind } from './notice.js';
import type { NotifierChannel } from './notifier-channels.js';
import type { ObservedRun } from '../engine/observed-run.js';

/** How a notice goes through the channels. */
export type NotifierStrategy = 'fallback' | 'all';

/** Options of {@link createNotifier}. */
export interface NotifierOptions {
  /** The channels, preferred first. */
  readonly channels: readonly NotifierChannel[];
  /** `fallback` (default): the first channel that accepts ends it; `all`: every channel. */
  readonly strategy?: NotifierStrategy;
  /** Time a channel has to accept a notice, in ms (default 5000); its signal is aborted after it. */
  readonly timeoutMs?: number;
  /** The clock of the timeouts and of the records (the run's clock; default the system clock). */
  readonly clock?: Clock;
  /** How many delivery records {@link Notifier.deliveries} keeps, the last ones (default 1000). */
  readonly maxDeliveries?: number;
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

/** Options of {@link Notifier.attach}. */
export interface AttachOptions {
  /** The kinds of notice to send (default: all of {@link NOTICE_KINDS}). */
  readonly events?: readonly NoticeKind[];
  /** The run's name, put in each notice (default: the run option `name`). */
  readonly runName?: string;
}

/** A notifier. */
export interface Notifier {
  /** Follows a run's events; returns the function that stops following it. */
  attach(run: ObservedRun, options?: AttachOptions): () => void;
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
});

const attachOptionsSchema = z.strictObject({
  events: z.array(z.enum(NOTICE_KINDS)).optional(),
  runName: z.string().trim().min(1).optional(),
});

/**
 * Creates a notifier over `channels`.
 *
 * @throws {ConfigError} malformed options, with the path of the field.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  assertReadableOptions(options, 'notifier options');
  const parsed = notifierOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })), 'notifier options');
  return new QueuedNotifier(options);
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

  attach(run: ObservedRun, options: AttachOptions = {}): () => void {
    assertReadableOptions(options, 'notifier attach options');
    const parsed = attachOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })), 'notifier attach options');
    const kinds = new Set<NoticeKind>(options.events ?? NOTICE_KINDS);
    const queue = (build: () => NoticeDraft | undefined): void => {
      // A run listener: never throws, never waits (a fault of ours goes to flush()).
      try {
        const draft = build();
        if (draft !== undefined && kinds.has(draft.kind)) this.notify(draft, options.runName ?? run.name);
      } catch (error) {
        this.fault ??= new BcssBulkError('LISTENER_ERROR', `The notifier could not build a notice: ${describe(error)}`);
      }
    };
    const offs = [
      run.on('state', (change) => queue(() => noticeOfStateChange(change, run.status()))),
      run.on('source-paused', (event) => queue(() => noticeOfSourcePaused(event))),
      run.on('stalled', (event) => queue(() => noticeOfStall(event))),
    ];
    return () => {
      for (const off of offs) off();
    };
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
