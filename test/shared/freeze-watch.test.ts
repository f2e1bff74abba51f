/** Noticing that the process was frozen: a timer that ticks every 200 ms finds a gap. */
import { describe, expect, it } from 'vitest';
import { FreezeWatch } from '../../src/shared/freeze-watch.js';
import { splitGrant } from '../../src/shared/grant-listener.js';
import type { Clock } from '../../src/util/clock.js';

/** A clock whose time can jump without its timers firing (what a SIGSTOP does), then fire them late. */
function freezableClock() {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback, ms) => (timers.set(++next, { at: now + ms, callback }), next),
    clearTimeout: (handle) => void timers.delete(handle as number),
  };
  const fireDue = () => {
    for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > now) continue;
      timers.delete(id);
      timer.callback();
    }
  };
  return {
    clock,
    /** Time runs normally: timers fire on time. */
    run(ms: number) {
      for (let i = 0; i < ms; i += 50) {
        now += 50;
        fireDue();
      }
    },
    /** Frozen: time passes, no timer fires. */
    freeze(ms: number) {
      now += ms;
    },
    fireDue,
  };
}

describe('FreezeWatch', () => {
  it('sees no freeze while timers fire on time; sees one during and after a gap longer than 1 s', () => {
    const t = freezableClock();
    const watch = new FreezeWatch(t.clock, 200, 1_000);
    const queuedAt = t.clock.now();
    t.run(5_000);
    expect(watch.frozenSince(queuedAt)).toBe(false);
    const before = t.clock.now();
    t.freeze(3_000);
    expect(watch.frozenSince(before)).toBe(true); // woken, before any timer ran: the gap is under way
    t.fireDue();
    t.run(500);
    expect(watch.frozenSince(before)).toBe(true); // a grant asked for before the freeze is suspect
    expect(watch.frozenSince(t.clock.now())).toBe(false); // one asked for afterwards is not
    watch.stop();
  });
});

describe('splitGrant', () => {
  it('reads a hand-off: the waiter and its lease, or a dropped wait', () => {
    expect(splitGrant('17|4f1c:203')).toEqual([17, '4f1c:203']);
    expect(splitGrant('17|')).toEqual([17, undefined]);
  });
});
