import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing.js';
import type { StateChange } from '../../src/engine/events.js';
import { Lanes } from '../../src/engine/lanes.js';
import { Lifecycle } from '../../src/engine/lifecycle.js';

function lifecycle(clock = new FakeClock(0)) {
  const changes: StateChange[] = [];
  let ended = 0;
  const life = new Lifecycle(clock, { changed: (change) => changes.push(change), ended: () => ended++ });
  return { life, changes, ended: () => ended, clock };
}

const noLanes = new Lanes<unknown>([], false);

describe('Lifecycle', () => {
  it('tells a stopping drain from a closing window, and stop() turns the second into the first', () => {
    const { life } = lifecycle();
    life.to('running', 'start');
    life.to('draining', 'office-hours', 'closing', 'window-closing');
    expect(life.windowClosing).toBe(true);
    expect(life.stopping).toBe(false);
    life.stopDraining();
    expect(life.windowClosing).toBe(false);
    expect(life.stopping).toBe(true);
  });

  it('forgets why it drained once it leaves draining', () => {
    const { life } = lifecycle();
    life.to('running', 'start');
    life.to('draining', 'office-hours', undefined, 'window-closing');
    life.to('waiting', 'office-hours');
    expect(life.windowClosing).toBe(false);
    expect(life.stopping).toBe(false);
  });

  it('announces each change once, keeps the pause reason while paused, and refuses a transition the machine forbids', () => {
    const { life, changes, ended } = lifecycle();
    life.to('running', 'start');
    life.to('running', 'start');
    life.to('paused', 'manual');
    expect(life.pauseReason).toBe('manual');
    expect(() => life.to('stopped', 'stop')).toThrow(/paused → stopped is not allowed/);
    life.to('failed', 'X', 'broken');
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual(['idle>running', 'running>paused', 'paused>failed']);
    expect(changes[2]!.message).toBe('broken');
    expect(life.pauseReason).toBeUndefined();
    expect(life.final).toBe(true);
    expect(ended()).toBe(1);
  });

  it('schedules one resumption, runs it only if still paused, and can cancel it', async () => {
    const { life, clock } = lifecycle();
    life.to('running', 'start');
    life.to('paused', 'manual');
    let resumed = 0;
    expect(life.scheduleResume(500, () => resumed++)).toBe(500);
    expect(life.scheduleResume(900, () => resumed++)).toBe(500); // already scheduled
    expect(life.resumesAt).toBe(500);
    await clock.advance(500);
    expect(resumed).toBe(1);
    expect(life.resumesAt).toBeUndefined();
    life.scheduleResume(1_000, () => resumed++);
    life.cancelScheduledResume();
    await clock.advance(1_000);
    expect(resumed).toBe(1);
  });

  it('ends stopped once a stopping drain holds nothing, completed once the input is read', () => {
    const a = lifecycle();
    a.life.to('running', 'start');
    a.life.endIfDone(0, noLanes, false);
    expect(a.life.state).toBe('running'); // the input is not read yet
    a.life.endIfDone(1, noLanes, true);
    expect(a.life.state).toBe('running'); // a step of finishing is pending
    a.life.endIfDone(0, noLanes, true);
    expect(a.life.state).toBe('completed');
    const b = lifecycle();
    b.life.to('running', 'start');
    b.life.to('draining', 'stop');
    b.life.endIfDone(0, noLanes, false);
    expect(b.life.state).toBe('stopped');
  });
});
