import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing.js';
import { TypedEmitter } from '../../src/util/emitter.js';
import type { RunEvents } from '../../src/engine/events.js';
import { calling, QUEUED } from '../../src/engine/item-state.js';
import { Retries } from '../../src/engine/retries.js';
import { SourceLane, type PendingItem } from '../../src/engine/source-lane.js';

function setUp() {
  const clock = new FakeClock(0);
  const emitter = new TypedEmitter<RunEvents>((error) => {
    throw error;
  });
  let woken = 0;
  const retries = new Retries<number>(clock, emitter, () => woken++);
  const lane = new SourceLane<number>({ name: 'rn', kind: 'rn', cap: 4, policyCap: 4, timeoutMs: 1_000, hardDeadlineMs: 4_000, abortGraceMs: 2_000 }, false);
  const item = (position: number): PendingItem<number> => ({ item: position, position, key: `#${position}`, rawKey: undefined, lane, attempts: 1, firstAttemptAt: 0, lastAttemptAt: 0, state: calling(false, undefined), outAt: -1 });
  return { clock, emitter, retries, lane, item, woken: () => woken };
}

describe('Retries', () => {
  it('waits the delay holding no slot, then puts the item at the front of its queue and wakes the run, with a retry event', async () => {
    const { clock, emitter, retries, lane, item, woken } = setUp();
    const events: RunEvents['retry'][] = [];
    emitter.on('retry', (event) => events.push(event));
    const waiting = item(7);
    const queued = { ...item(9), state: QUEUED };
    lane.enqueue(queued);
    retries.schedule(waiting, 250, 'HTTP_503', 'busy', 0);
    expect(waiting.state.kind).toBe('retrying');
    expect(lane.status(0)).toMatchObject({ retrying: 1, retries: 1, inFlight: 0, queued: 1 });
    await clock.advance(249);
    expect(woken()).toBe(0);
    await clock.advance(1);
    expect(woken()).toBe(1);
    expect(lane.status(250)).toMatchObject({ retrying: 0, retries: 1, queued: 2 });
    expect(lane.take()).toBe(waiting);
    expect(events).toEqual([{ key: '#7', position: 7, source: 'rn', attempt: 1, code: 'HTTP_503', reason: 'busy', delayMs: 250, at: 0 }]);
  });

  it('drops every waiting retry: the items stay unfinished, their timers never fire', async () => {
    const { clock, retries, lane, item, woken } = setUp();
    const a = item(1);
    retries.schedule(a, 100, 'X', 'x', 0);
    retries.schedule(item(2), 200, 'X', 'x', 0);
    retries.drop();
    expect(a.state.kind).toBe('settled');
    expect(lane.status(0)).toMatchObject({ retrying: 0, queued: 0 });
    await clock.advance(1_000);
    expect(woken()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
