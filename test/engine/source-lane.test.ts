import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing.js';
import type { ResolvedSource } from '../../src/policy/source.js';
import { calling, QUEUED } from '../../src/engine/item-state.js';
import { Lanes } from '../../src/engine/lanes.js';
import { SourceLane, type PendingItem } from '../../src/engine/source-lane.js';

const rn: ResolvedSource = { name: 'rn', kind: 'rn', cap: 2, policyCap: 4, timeoutMs: 1_000, hardDeadlineMs: 4_000, abortGraceMs: 2_000 };
const other: ResolvedSource = { name: 'other', kind: 'authentic', cap: 1, policyCap: 2, timeoutMs: 1_000, hardDeadlineMs: 4_000, abortGraceMs: 2_000 };

function item(lane: SourceLane<number>, position: number): PendingItem<number> {
  return { item: position, position, key: `#${position}`, rawKey: undefined, lane, attempts: 0, firstAttemptAt: 0, lastAttemptAt: 0, state: QUEUED, outAt: -1 };
}

describe('SourceLane: its own books', () => {
  it('holds at most `cap` calls out or being finished, and remembers the peak', () => {
    const lane = new SourceLane<number>(rn, false);
    for (const position of [0, 1, 2]) lane.enqueue(item(lane, position));
    expect(lane.ready(0)).toBe(true);
    lane.take();
    lane.started(0);
    lane.take();
    lane.started(0);
    expect(lane.ready(0)).toBe(false); // two out, cap 2
    lane.slotFreed();
    lane.finishingStarted(); // the finished item keeps its slot until stored
    expect(lane.ready(0)).toBe(false);
    lane.finishingEnded();
    lane.counted('success');
    expect(lane.ready(0)).toBe(true);
    expect(lane.status(0)).toMatchObject({ inFlight: 1, peakInFlight: 2, queued: 1, attempts: 2, succeeded: 1 });
  });

  it('puts an interrupted item back before the items read after it, not counting the attempt', () => {
    const lane = new SourceLane<number>(rn, false);
    const [a, b, c] = [item(lane, 0), item(lane, 1), item(lane, 2)];
    lane.enqueue(b);
    lane.enqueue(c);
    a.attempts = 1;
    a.state = calling(false, undefined); // its call was cut by the closing window
    lane.putBack(a, false);
    expect(a.attempts).toBe(0);
    expect(a.state.kind).toBe('queued');
    expect([lane.take(), lane.take(), lane.take()].map((p) => p.position)).toEqual([0, 1, 2]);
  });

  it('counts retries and the items waiting for one; a due retry goes to the front', () => {
    const lane = new SourceLane<number>(rn, false);
    const [a, b] = [item(lane, 0), item(lane, 1)];
    lane.enqueue(b);
    lane.retryScheduled();
    expect(lane.held()).toBe(2);
    lane.retryEnded();
    a.state = { kind: 'retrying', timer: 0 as never };
    lane.requeueFront(a);
    expect(lane.take()).toBe(a);
    expect(lane.status(0)).toMatchObject({ retries: 1, retrying: 0, queued: 1 });
  });

  it('takes over the counts of the run it resumes', () => {
    const lane = new SourceLane<number>(rn, false);
    lane.resumed({ success: 3, reject: 2, exhausted: 1 });
    lane.counted('reject');
    lane.counted('exhausted');
    expect(lane.status(0)).toMatchObject({ succeeded: 3, rejected: 3, exhausted: 2 });
  });

  it('wakes the run when its cooldown ends, once, and not after it is cleared', async () => {
    const clock = new FakeClock(0);
    const lane = new SourceLane<number>(rn, false);
    let woken = 0;
    lane.setCooldown(clock, 100, () => woken++);
    lane.setCooldown(clock, 200, () => woken++); // replaces the first
    await clock.advance(150);
    expect(woken).toBe(0);
    await clock.advance(100);
    expect(woken).toBe(1);
    lane.setCooldown(clock, 100, () => woken++);
    lane.clearCooldown(clock);
    await clock.advance(500);
    expect(woken).toBe(1);
  });
});

describe('Lanes', () => {
  it('sums a counter over the sources and reports the busy ones', () => {
    const lanes = new Lanes<number>([rn, other], false);
    const a = lanes.get('rn')!;
    a.enqueue(item(a, 0));
    a.enqueue(item(a, 1));
    a.take();
    a.started(0);
    expect(lanes.sum('queued')).toBe(1);
    expect(lanes.sum('inFlight')).toBe(1);
    expect(lanes.busy()).toEqual({ rn: 1 });
    expect(lanes.occupied()).toBe(1);
    a.retryScheduled();
    expect(lanes.waiting()).toBe(2); // one queued, one waiting for its retry
    a.retryEnded();
    expect(lanes.held(false)).toBe(2);
    expect(lanes.held(true)).toBe(1); // while stopping, only the calls out are awaited
    expect(lanes.names()).toBe('rn, other');
    expect(lanes.get('nope')).toBeUndefined();
  });
});
