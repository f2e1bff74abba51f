/**
 * Delivery of a payload to a target, shared by the heartbeat and the notifier: a callback, or
 * an HTTP endpoint that receives the payload as JSON through axios. Every delivery runs under
 * a timeout on the injected clock (its `AbortSignal` aborts the request), so a target that
 * hangs never piles up requests; every failure becomes a {@link DeliveryError} that names the
 * target without its secrets (no user or password, query string, headers or body).
 */
import axios from 'axios';
import { z } from 'zod';
import type { Clock } from '../util/clock.js';
import { parseOptions } from '../util/options.js';
import { DeliveryError } from './errors.js';
import { maskNationalNumbers } from '../util/privacy.js';

/** What a target receives with each payload: the signal aborted when the delivery's timeout passes. */
export interface DeliveryContext {
  readonly signal: AbortSignal;
}

/** A callback target: called with the payload; a throw or a rejection is a failed delivery. */
export type CallbackTarget<P> = (payload: P, context: DeliveryContext) => void | Promise<void>;

/** An HTTP target: the payload is sent as a JSON body; any status outside 2xx is a failed delivery. */
export interface HttpTarget {
  /** `http:` or `https:` URL of the endpoint. Only its scrubbed form (no user, password, query) is ever shown. */
  readonly url: string;
  /** HTTP method (default `POST`). */
  readonly method?: 'POST' | 'PUT' | 'PATCH';
  /** Request headers (e.g. `Authorization`); never shown in an error, event or status. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time allowed for the endpoint to answer, in ms (default {@link DEFAULT_DELIVERY_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** Where a heartbeat or a notice goes: a callback or an HTTP endpoint. */
export type DeliveryTarget<P> = CallbackTarget<P> | HttpTarget;

/** Default timeout of a delivery: 5 s. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 5000;

/** Schema of an {@link HttpTarget} (the URL must be http or https). */
export const httpTargetSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' }),
  method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
});

/**
 * Checks an HTTP target.
 *
 * @throws {ConfigError} a malformed field, with its path under `what` (the URL's value is never quoted).
 */
export function parseHttpTarget(target: unknown, what = 'HTTP target'): HttpTarget {
  return parseOptions(httpTargetSchema, target, what);
}

/** Checks a delivery target: a function, or a well-formed {@link HttpTarget}. @throws {ConfigError} */
export function parseDeliveryTarget<P>(target: unknown, what = 'delivery target'): DeliveryTarget<P> {
  if (typeof target === 'function') return target as CallbackTarget<P>;
  return parseHttpTarget(target, what);
}

/** The URL as it may be shown: scheme, host, port and path; no user, password, query string or fragment. */
export function scrubUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/** A text as it may be shown: national numbers masked, every URL in it scrubbed by {@link scrubUrl}. */
export function scrubText(text: string): string {
  return maskNationalNumbers(text.replace(URL_IN_TEXT, (url) => scrubUrl(url)));
}

/** How one delivery runs. */
export interface DeliverOptions {
  /** The clock of the timeout (the run's clock). */
  readonly clock: Clock;
  /** Timeout in ms; an HTTP target's own `timeoutMs` takes precedence. */
  readonly timeoutMs: number;
  /** An outer signal (e.g. a notifier's) that also aborts the delivery. */
  readonly signal?: AbortSignal;
  /** How errors name a callback target (default `callback`; a notifier passes the channel's name). */
  readonly label?: string;
}

/**
 * Delivers `payload` to `target`. Resolves when the target accepted it; rejects with a
 * {@link DeliveryError} when it failed, answered with an error status, or did not settle within
 * the timeout (the signal given to the target is then aborted; the promise settles at the
 * timeout even if a callback ignores its signal).
 */
export function deliver<P>(target: DeliveryTarget<P>, payload: P, options: DeliverOptions): Promise<void> {
  const timeoutMs = typeof target === 'function' ? options.timeoutMs : (target.timeoutMs ?? options.timeoutMs);
  const label = typeof target === 'function' ? (options.label ?? 'callback') : `${target.method ?? 'POST'} ${scrubUrl(target.url)}`;
  const controller = new AbortController();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: DeliveryError): void => {
      if (settled) return;
      settled = true;
      options.clock.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const timedOut = (): DeliveryError => new DeliveryError(label, 'TIMEOUT', `${label} did not answer within ${timeoutMs} ms`);
    const timer = options.clock.setTimeout(() => {
      const error = timedOut();
      controller.abort(error);
      finish(error);
    }, timeoutMs);
    const onOuterAbort = (): void => {
      const error = options.signal?.reason instanceof DeliveryError ? options.signal.reason : timedOut();
      controller.abort(error);
      finish(error);
    };
    if (options.signal?.aborted) {
      onOuterAbort();
      return;
    }
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const attempt = typeof target === 'function' ? callTarget(target, payload, controller.signal) : postTarget(target, payload, controller.signal, label);
    attempt.then(
      () => finish(),
      (error: unknown) => finish(error instanceof DeliveryError ? error : new DeliveryError(label, 'CALLBACK_FAILED', `${label} failed: ${describe(error)}`)),
    );
  });
}

/**
 * Calls a callback target in a later microtask (never inside the caller's stack, e.g. a run
 * listener); a synchronous throw becomes a rejection.
 */
async function callTarget<P>(target: CallbackTarget<P>, payload: P, signal: AbortSignal): Promise<void> {
  await Promise.resolve();
  await target(payload, { signal });
}

/** Sends the payload to an HTTP target; any failure becomes a {@link DeliveryError} built from facts, never the axios error. */
async function postTarget(target: HttpTarget, payload: unknown, signal: AbortSignal, label: string): Promise<void> {
  let status: number;
  await Promise.resolve(); // the request is built off the caller's stack (e.g. a run listener)
  try {
    const response = await axios.request({
      url: target.url,
      method: target.method ?? 'POST',
      headers: { 'Content-Type': 'application/json', ...target.headers },
      data: JSON.stringify(payload),
      signal,
      maxRedirects: 0,
      responseType: 'text',
      validateStatus: () => true,
    });
    status = response.status;
  } catch (error) {
    if (signal.aborted && signal.reason instanceof DeliveryError) throw signal.reason;
    const code = axios.isAxiosError(error) && typeof error.code === 'string' ? error.code : 'NETWORK_ERROR';
    throw new DeliveryError(label, code, `${label} failed: ${code}`);
  }
  if (status < 200 || status > 299) throw new DeliveryError(label, `HTTP_${status}`, `${label} answered HTTP ${status}`, status);
}

/** One line on a thrown value, scrubbed (national numbers masked, URLs without secrets). */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `thrown value: ${String(error)}`;
  const line = scrubText(text.replace(/\s+/g, ' ').trim());
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
