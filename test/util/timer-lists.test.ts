import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import { TimerLists } from '../../src/util/timer-lists.js';

// The system clock's timers are the one part that needs real time: these tests use delays of a few ms.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TimerLists (timers of the system clock)', () => {
  it('fires timers in order of due time, not before their delay', async () => {
    const timers = new TimerLists();
    const fired: Array<[string, number]> = [];
    const start = performance.now();
    timers.set(() => fired.push(['c', performance.now() - start]), 30);
    timers.set(() => fired.push(['a', performance.now() - start]), 5);
    timers.set(() => fired.push(['b', performance.now() - start]), 15);
    timers.set(() => fired.push(['a2', performance.now() - start]), 5);
    await sleep(60);
    expect(fired.map(([name]) => name)).toEqual(['a', 'a2', 'b', 'c']);
    for (const [name, at] of fired) expect(at, name).toBeGreaterThanOrEqual(name === 'c' ? 29 : name === 'b' ? 14 : 4);
    expect(timers.pending()).toBe(0);
  });

  it('cancels a timer, and ignores a fired timer or an unknown handle', async () => {
    const timers = new TimerLists();
    const fired: string[] = [];
    const a = timers.set(() => fired.push('a'), 5);
    const b = timers.set(() => fired.push('b'), 5);
    timers.clear(b);
    expect(timers.pending()).toBe(1);
    await sleep(25);
    timers.clear(a);
    timers.clear(undefined);
    timers.clear(12);
    expect(fired).toEqual(['a']);
    expect(timers.pending()).toBe(0);
  });

  it('keeps firing the later timers of a list whose first ones were cancelled', async () => {
    const timers = new TimerLists();
    const fired: number[] = [];
    const handles = Array.from({ length: 200 }, (_, i) => timers.set(() => fired.push(i), 10));
    for (let i = 0; i < 199; i++) timers.clear(handles[i]); // sweeps the list along the way
    expect(timers.pending()).toBe(1);
    await sleep(40);
    expect(fired).toEqual([199]);
  });

  it('fires a timer set from a callback with the same delay after its own delay, and an earlier one first', async () => {
    const timers = new TimerLists();
    const fired: Array<[string, number]> = [];
    const start = performance.now();
    timers.set(() => {
      fired.push(['first', performance.now() - start]);
      timers.set(() => fired.push(['again', performance.now() - start]), 10);
    }, 10);
    timers.set(() => fired.push(['second', performance.now() - start]), 12);
    await sleep(60);
    expect(fired.map(([name]) => name)).toEqual(['first', 'second', 'again']);
    expect(fired[2]![1]).toBeGreaterThanOrEqual(19);
  });

  it('treats a delay below 1 ms, or not finite, as 1 ms, as Node does', async () => {
    const timers = new TimerLists();
    const fired: string[] = [];
    timers.set(() => fired.push('zero'), 0);
    timers.set(() => fired.push('nan'), Number.NaN);
    expect(fired).toEqual([]);
    await sleep(15);
    expect(fired).toEqual(['zero', 'nan']);
  });

  it('lets a throwing callback reach the process, and the other timers still fire', async () => {
    const timers = new TimerLists();
    const fired: string[] = [];
    const errors: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (error) => errors.push(error));
    try {
      timers.set(() => {
        throw new Error('boom');
      }, 5);
      timers.set(() => fired.push('after'), 5);
      await sleep(30);
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
    expect(errors).toHaveLength(1);
    expect(fired).toEqual(['after']);
  });

  it('is what systemClock uses', async () => {
    let fired = false;
    const handle = systemClock.setTimeout(() => (fired = true), 5);
    const cancelled = systemClock.setTimeout(() => {
      throw new Error('cancelled timer fired');
    }, 5);
    systemClock.clearTimeout(cancelled);
    await sleep(25);
    expect(fired).toBe(true);
    systemClock.clearTimeout(handle);
  });
});
