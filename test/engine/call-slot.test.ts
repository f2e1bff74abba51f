/** A call's slot: held until the server is done, or until the hard deadline plus grace. On the fake clock. */
import { describe, expect, it } from 'vitest';
import { CallSlot, engineDeadlineMs } from '../../src/engine/call-slot.js';
import { CallHardDeadlineError } from '../../src/engine/errors.js';
import { calling } from '../../src/engine/item-state.js';
import type { Lease } from '../../src/shared/slot-gate.js';
import { FakeClock } from '../../src/testing.js';

function setUp(lease?: Lease) {
  const clock = new FakeClock();
  const log: string[] = [];
  const books = { slotFreed: () => log.push('slotFreed'), lingerEnded: () => log.push('lingerEnded') };
  const attempt = calling(false, lease);
  attempt.controller = new AbortController();
  const aborted: Error[] = [];
  const slot = new CallSlot(clock, books, attempt, lease, clock.now(), { hardDeadlineMs: 4_000, abortGraceMs: 2_000 }, {
    aborted: (reason) => aborted.push(reason),
    released: () => log.push('released'),
  });
  return { clock, log, attempt, slot, aborted };
}

describe('CallSlot', () => {
  it('gives the slot back when the call settles, as an in-flight call or as a lingering request', () => {
    const attached = setUp();
    attached.slot.callSettled();
    expect(attached.log).toEqual(['slotFreed', 'released']);
    const lingering = setUp();
    lingering.slot.detach();
    lingering.slot.callSettled(true);
    expect(lingering.log).toEqual(['lingerEnded']);
    expect(lingering.slot.released).toBe(true);
  });

  it('at the hard deadline aborts the signal, and keeps the slot for the grace time even if the call settles at once', async () => {
    const { clock, log, attempt, slot, aborted } = setUp();
    slot.detach(); // timed out at timeoutMs: the request lingers
    await clock.advance(3_999);
    expect(attempt.controller!.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(attempt.controller!.signal.reason).toBeInstanceOf(CallHardDeadlineError);
    expect(aborted).toHaveLength(1);
    slot.callSettled(); // the call honoured its signal
    expect(log).toEqual([]);
    await clock.advance(1_999);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(['lingerEnded', 'released']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a lost lease aborts the call at once and gives the slot back after the grace time; the lease itself is released too (a no-op in Redis)', async () => {
    let lost: ((error: Error) => void) | undefined;
    let releases = 0;
    const lease: Lease = { release: () => releases++, onLost: (listener) => (lost = listener) };
    const { clock, log, attempt, slot } = setUp(lease);
    lost!(new Error('lease lost'));
    expect(attempt.controller!.signal.aborted).toBe(true);
    slot.detach();
    await clock.advance(2_000);
    expect(log).toEqual(['lingerEnded', 'released']);
    expect(releases).toBe(1);
  });

  it("tells a client how long until the engine aborts a run call's signal (nothing for other signals)", async () => {
    const { clock, slot, attempt } = setUp();
    slot.noteSignal(attempt.controller!.signal);
    await clock.advance(1_000);
    expect(engineDeadlineMs(attempt.controller!.signal)).toBe(3_000);
    expect(engineDeadlineMs(new AbortController().signal)).toBeUndefined();
    expect(engineDeadlineMs(undefined)).toBeUndefined();
  });
});
