/**
 * The deadline of one BCSS call (`timeoutMs`): the whole exchange, whatever the transport.
 */
import { BcssReplyError, BcssTransportError } from './errors.js';
import { transportError } from './http-transport.js';

/**
 * Makes one exchange under the call's deadline: `exchange` gets a signal that aborts when the
 * caller's signal does or when `timeoutMs` has passed, and the call settles then even if the
 * exchange ignores its signal. The caller's abort rejects with the caller's reason; the
 * deadline with a {@link BcssTransportError} `ETIMEDOUT`; a {@link BcssReplyError} of the
 * transport (reply too large) passes; any other failure becomes a {@link BcssTransportError}.
 */
export async function withDeadline<T>(timeoutMs: number, shown: string, signal: AbortSignal | undefined, exchange: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(new BcssTransportError({ method: 'POST', url: shown, networkCode: 'ETIMEDOUT', detail: `no complete reply within the call's deadline of ${timeoutMs} ms (timeoutMs)`, tls: false }));
  }, timeoutMs);
  const combined = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
  let onAbort: (() => void) | undefined;
  try {
    const pending = Promise.resolve().then(() => exchange(combined));
    // A transport that ignores its signal settles later: nothing is left unhandled.
    pending.catch(() => undefined);
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(combined.reason as Error);
      if (combined.aborted) onAbort();
      else combined.addEventListener('abort', onAbort, { once: true });
    });
    return await Promise.race([pending, aborted]);
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    if (deadline.signal.aborted) throw deadline.signal.reason;
    if (error instanceof BcssReplyError) throw error;
    throw transportError(error, shown);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) combined.removeEventListener('abort', onAbort);
  }
}
