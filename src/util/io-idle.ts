/**
 * When is the process idle? Virtual time may jump to the next timer only when nothing that the
 * code under test started is still working for real: no promise callback pending, no file or
 * network request in flight, no `setImmediate` callback waiting. Each check follows a whole
 * turn of the event loop (a real `setImmediate`, taken from the fake timers' clock when they
 * replaced the global one, else an fs callback), so every I/O callback, immediate and message
 * already due has run; requests in flight are seen with `process.getActiveResourcesInfo()`,
 * which lists every libuv request (an fs read, write or fsync, a DNS lookup, a socket write)
 * until its callback has run. Long-lived handles (timers, sockets, servers, the terminal,
 * message ports) are not work in flight and are ignored: a real `setInterval` of other code
 * never blocks time, and never moves it either.
 *
 * Why not a message on a `MessageChannel` (cheaper)? Node delivers the messages a port receives
 * while it runs its handler in the same go (up to a thousand): a loop of "post, await the
 * message" never lets the event loop turn, and the disk's callbacks wait until it stops. It is
 * fine to settle promise callbacks between timers without I/O ({@link openSettler}), not to wait
 * for I/O.
 */
import { stat } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

/** A function that resolves after one turn of the event loop; close it when done. */
export interface Settler {
  (): Promise<void>;
  close(): void;
}

/**
 * Opens a settler: each call resolves once every pending promise callback has run, through a
 * message on a private `MessageChannel` (a macrotask about four times cheaper than
 * `setImmediate`, and one that fake timers leave alone). The channel keeps the process alive
 * while open.
 */
export function openSettler(): Settler {
  const { port1, port2 } = new MessageChannel();
  const waiting: Array<() => void> = [];
  port1.on('message', () => waiting.shift()?.());
  const settle = (() =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      port2.postMessage(null);
    })) as Settler;
  settle.close = () => {
    port1.close();
    port2.close();
    for (const resolve of waiting.splice(0)) resolve();
  };
  return settle;
}

/**
 * A resource name of `process.getActiveResourcesInfo()` that is work in flight: a libuv request
 * (`FSReqCallback`, `FSReqPromise`, `CloseReq`, `GetAddrInfoReqWrap`, `QueryReqWrap`, a socket's
 * `WriteWrap`, `ShutdownWrap`, `TCPConnectWrap`...), a thread-pool job, or an `Immediate`. Handles
 * (`Timeout`, `TCPSocketWrap`, `TCPServerWrap`, `TTYWrap`, `PipeWrap`, `MessagePort`...) live as
 * long as their timer, socket or port and are not.
 */
function isWork(name: string): boolean {
  return name === 'Immediate' || name.includes('Req') || /^(Write|Shutdown|Send|\w*Connect)Wrap$/.test(name) || /(Job|Work)$/.test(name);
}

/** The requests in flight now (file system, DNS, socket writes...) and pending `setImmediate` callbacks, by name. */
export function workInFlight(): string[] {
  return process.getActiveResourcesInfo().filter(isWork);
}

type Faked<F> = F & { clock?: Record<string, unknown> };

/** The real `setImmediate`, also when fake timers replaced the global one (they keep the original on their clock). */
function realSetImmediate(): ((callback: () => void) => unknown) | undefined {
  const current = globalThis.setImmediate as Faked<typeof setImmediate>;
  if (current.clock === undefined) return current;
  const original = current.clock['_setImmediate'];
  return typeof original === 'function' ? (original as (callback: () => void) => unknown) : undefined;
}

/** One whole turn of the event loop: every I/O callback, immediate and message already due has run when it resolves. */
export function loopTurn(): Promise<void> {
  const immediate = realSetImmediate();
  if (immediate !== undefined) return new Promise<void>((resolve) => void immediate(resolve));
  return new Promise<void>((resolve) => stat('.', () => resolve())); // an I/O callback comes in a later turn too
}

/** Options of the wait for idle I/O, taken by `FakeClock` and `runWithFakeTimers`. */
export interface IdleOptions {
  /**
   * Consecutive quiet turns of the event loop that make the process idle: one turn lets a
   * callback start the next request or post the next message; the default 3 leaves room for
   * chains of them.
   * @defaultValue 3
   */
  readonly quietTurns?: number;
  /**
   * Real milliseconds the I/O may stay busy before waiting gives up with an error naming what
   * is still in flight (a request that never ends would otherwise hang the test).
   * @defaultValue 30000
   */
  readonly ioTimeoutMs?: number;
}

/** Real time in ms, from a source no fake timer replaces (`process.uptime`). */
export function realNow(): number {
  return process.uptime() * 1_000;
}

/**
 * Resolves once the process is idle: `quietTurns` turns of the event loop in a row with no
 * request in flight and no `setImmediate` pending.
 *
 * @throws {Error} when the I/O is still busy after `ioTimeoutMs` of real time (names what).
 */
export async function waitForIdle(options: IdleOptions = {}): Promise<void> {
  const quietTurns = options.quietTurns ?? 3;
  const ioTimeoutMs = options.ioTimeoutMs ?? 30_000;
  let quiet = 0;
  let busySince: number | undefined;
  while (quiet < quietTurns) {
    await loopTurn();
    const busy = workInFlight();
    if (busy.length === 0) {
      quiet++;
      continue;
    }
    quiet = 0;
    busySince ??= realNow();
    if (realNow() - busySince > ioTimeoutMs) {
      throw new Error(`Virtual time cannot advance: I/O still in flight after ${ioTimeoutMs} ms of real time (${busy.join(', ')})`);
    }
  }
}

/** Waits up to `ms` of real time, one event-loop turn at a time, until `done()` holds. */
export async function waitRealTime(ms: number, done: () => boolean): Promise<void> {
  const until = realNow() + ms;
  while (!done() && realNow() < until) {
    await loopTurn();
    if (workInFlight().length === 0) await pause();
  }
}

/** A short real pause when nothing is in flight: a 1 ms real timer when timers are real, else one more turn. */
function pause(): Promise<void> {
  const timer = globalThis.setTimeout as typeof setTimeout & { clock?: unknown };
  if (timer.clock !== undefined) return Promise.resolve(); // faked: the caller turns the loop instead
  return new Promise((resolve) => timer(resolve, 1));
}

/** What {@link driveUntilSettled} needs of a fake time source. */
export interface TimeDriver {
  /** Waits until the I/O (and the promise work it feeds) is idle. */
  idle(): Promise<void>;
  /** Fake timers still pending. */
  pending(): number;
  /** Moves fake time to the next timer and fires it. */
  fireNext(): PromiseLike<unknown> | void;
}

/**
 * Fires fake timers one by one, each after the I/O went idle, until `promise` settles; returns
 * its value or throws its error. Fails with a message naming the driver when the promise can no
 * longer settle (no timer pending and nothing in flight for `stuckAfterMs` of real time) or
 * after `maxTimers` timers. The one loop behind `FakeClock.runUntilSettled` and
 * `runWithFakeTimers`.
 */
export async function driveUntilSettled<V>(promise: PromiseLike<V>, driver: TimeDriver, words: { readonly who: string; readonly noTimer: string; readonly hint?: string }, options: { readonly maxTimers?: number | undefined; readonly stuckAfterMs?: number | undefined } = {}): Promise<V> {
  const maxTimers = options.maxTimers ?? 1_000_000;
  const stuckAfterMs = options.stuckAfterMs ?? 2_000;
  let settled = false;
  const watched = Promise.resolve(promise).finally(() => {
    settled = true;
  });
  watched.catch(() => undefined); // observed below; no unhandled rejection meanwhile
  for (let fired = 0; ; ) {
    await driver.idle();
    if (settled) break;
    if (driver.pending() === 0) {
      await waitRealTime(stuckAfterMs, () => settled || driver.pending() > 0);
      if (settled || driver.pending() > 0) continue;
      throw new Error(
        `${words.who}: the promise is still pending, but ${words.noTimer} and no I/O is in flight (waited ${stuckAfterMs} ms of real time): it cannot settle${words.hint ?? ''}`,
      );
    }
    if (fired++ >= maxTimers) throw new Error(`${words.who}: still running after ${maxTimers} timers`);
    await driver.fireNext();
  }
  return watched;
}
