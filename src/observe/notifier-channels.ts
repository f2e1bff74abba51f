/**
 * Channels of a notifier: the {@link NotifierChannel} interface, and the two shipped with the
 * library, a callback and an HTTP webhook. Other channels (mail, chat, SMS) implement the
 * interface.
 */
import { systemClock, type Clock } from '../util/clock.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, deliver, parseHttpTarget, type DeliveryContext, type HttpTarget } from './delivery.js';
import { ConfigError } from '../util/errors.js';
import type { Notice } from './notice.js';

/**
 * A way to reach the operator. `send` resolves when the notice was accepted and rejects when it
 * was not; it should honour `signal` (aborted when the notifier's timeout passes).
 */
export interface NotifierChannel {
  /** Shown in delivery records (e.g. `webhook`, `mail`). */
  readonly name: string;
  /** Delivers one notice: resolves when it was accepted, rejects when not. */
  send(notice: Notice, context: DeliveryContext): Promise<void>;
}

/** A channel that hands each notice to `fn`; a throw or a rejection is a failed delivery. */
export function callbackChannel(name: string, fn: (notice: Notice, context: DeliveryContext) => void | Promise<void>): NotifierChannel {
  if (typeof name !== 'string' || name.trim() === '') throw new ConfigError([{ path: ['name'], message: 'give the channel a name' }], 'callback channel');
  if (typeof fn !== 'function') throw new ConfigError([{ path: ['fn'], message: 'expected a function (notice, { signal }) => void | Promise<void>' }], 'callback channel');
  return { name, send: async (notice, context) => fn(notice, context) };
}

/** Options of {@link webhookChannel}: an {@link HttpTarget} with a name and a clock. */
export interface WebhookChannelOptions extends HttpTarget {
  /** Name in delivery records (default `webhook`). */
  readonly name?: string;
  /** The clock of the request's timeout (default the system clock; give the run's clock in tests). */
  readonly clock?: Clock;
}

/**
 * A channel that sends each notice as a JSON body to an HTTP endpoint (POST by default, through
 * axios). A status outside 2xx, a network error or no answer within `timeoutMs` (default 5000)
 * is a failed delivery, recorded with the URL scrubbed (no user, password or query string).
 *
 * @throws {ConfigError} a malformed URL, method, header or timeout (the URL's value is never quoted).
 */
export function webhookChannel(options: WebhookChannelOptions): NotifierChannel {
  const { name = 'webhook', clock = systemClock, ...http } = options;
  const target = parseHttpTarget(http, 'webhook channel');
  return {
    name,
    send: (notice, context) => deliver(target, notice, { clock, timeoutMs: target.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS, signal: context.signal }),
  };
}
