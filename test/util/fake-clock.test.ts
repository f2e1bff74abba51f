import { describe, expect, it } from 'vitest';
import { FakeClock, flushPromises } from '../../src/util/fake-clock.js';

const T0 = Date.UTC(2026, 0, 5, 20, 0, 0);

describe('FakeClock', () => {
  describe('now', () => {
    it('starts on Monday 2026-01-05 at 20:00 UTC by default', () => {
      const clock = new FakeClock();
      expect(clock.now()).toBe(1_767_643_200_000);
      expect(new Date(clock.now()).toISOString()).toBe('2026-01-05T20:00:00.000Z');
      expect(new Date(clock.now()).getUTCDay()).toBe(1);
    });

    it('starts at a given Date or number', () => {
      expect(new FakeClock(new Date('2026-03-29T00:30:00Z')).now()).toBe(Date.UTC(2026, 2, 29, 0, 30));
      expect(new FakeClock(12_345).now()).toBe(12_345);
      expect(new FakeClock(0).now()).toBe(0);
    });

    it('does not move by itself', async () => {
      const clock = new FakeClock(T0);
      await flushPromises();
      expect(clock.now()).toBe(T0);
    });
  });

  describe('timers', () => {
    it('fire in order of due time, each seeing its due time as now', async () => {
      const clock = new FakeClock(T0);
      const fired: Array<[string, number]> = [];
      clock.setTimeout(() => fired.push(['c', clock.now() - T0]), 300);
      clock.setTimeout(() => fired.push(['a', clock.now() - T0]), 100);
      clock.setTimeout(() => fired.push(['b', clock.now() - T0]), 200);
      await clock.advance(1_000);
      expect(fired).toEqual([
        ['a', 100],
        ['b', 200],
        ['c', 300],
      ]);
      expect(clock.now()).toBe(T0 + 1_000);
    });

    it('fire timers due at the same time in the order they were set', async () => {
      const clock = new FakeClock(T0);
      const fired: number[] = [];
      for (let i = 0; i < 12; i++) clock.setTimeout(() => fired.push(i), 50);
      await clock.advance(50);
      expect(fired).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });

    it('keep the order with many timers set in mixed order', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      const delays = [70, 10, 40, 10, 70, 0, 40, 25, 10, 0, 99, 25, 40, 70, 5];
      delays.forEach((ms, i) => clock.setTimeout(() => fired.push(`${ms}:${i}`), ms));
      await clock.advance(100);
      const expected = delays
        .map((ms, i) => ({ ms, i }))
        .sort((x, y) => x.ms - y.ms || x.i - y.i)
        .map(({ ms, i }) => `${ms}:${i}`);
      expect(fired).toEqual(expected);
      expect(fired.slice(0, 4)).toEqual(['0:5', '0:9', '5:14', '10:1']);
    });

    it('treat a negative or non-finite delay as 0', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('neg'), -5);
      clock.setTimeout(() => fired.push('nan'), Number.NaN);
      expect(clock.nextTimerAt()).toBe(T0);
      await clock.advance(0);
      expect(fired).toEqual(['neg', 'nan']);
      expect(clock.now()).toBe(T0);
    });

    it('run a 0 ms timer set from a callback in the same advance', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => {
        fired.push('outer');
        clock.setTimeout(() => fired.push(`inner@${clock.now() - T0}`), 0);
      }, 10);
      await clock.advance(10);
      expect(fired).toEqual(['outer', 'inner@10']);
    });
  });

  describe('clearTimeout', () => {
    it('cancels a pending timer', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('a'), 100);
      const b = clock.setTimeout(() => fired.push('b'), 200);
      clock.setTimeout(() => fired.push('c'), 300);
      clock.clearTimeout(b);
      expect(clock.pendingTimers()).toBe(2);
      await clock.advance(1_000);
      expect(fired).toEqual(['a', 'c']);
      expect(clock.pendingTimers()).toBe(0);
    });

    it('cancels the earliest timer', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      const a = clock.setTimeout(() => fired.push('a'), 100);
      clock.setTimeout(() => fired.push('b'), 200);
      clock.clearTimeout(a);
      expect(clock.nextTimerAt()).toBe(T0 + 200);
      await clock.advance(150);
      expect(fired).toEqual([]);
      await clock.advance(50);
      expect(fired).toEqual(['b']);
    });

    it('cancels, from a callback, a timer due at the same time', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      const handles: { second?: unknown } = {};
      clock.setTimeout(() => {
        fired.push('first');
        clock.clearTimeout(handles.second);
      }, 100);
      handles.second = clock.setTimeout(() => fired.push('second'), 100);
      await clock.advance(100);
      expect(fired).toEqual(['first']);
    });

    it('does nothing for a timer that already fired, nor for an unknown handle', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      const a = clock.setTimeout(() => fired.push('a'), 10);
      await clock.advance(10);
      clock.clearTimeout(a);
      clock.clearTimeout(undefined);
      clock.clearTimeout('nope');
      clock.clearTimeout(9_999);
      clock.setTimeout(() => fired.push('b'), 10);
      expect(clock.pendingTimers()).toBe(1);
      await clock.advance(10);
      expect(fired).toEqual(['a', 'b']);
    });

    it('gives each timer its own handle', () => {
      const clock = new FakeClock(T0);
      const a = clock.setTimeout(() => undefined, 10);
      const b = clock.setTimeout(() => undefined, 10);
      expect(a).not.toBe(b);
    });
  });

  describe('advance', () => {
    it('fires only the timers that fall due within the span, the boundary included', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('a'), 100);
      clock.setTimeout(() => fired.push('b'), 200);
      await clock.advance(150);
      expect(fired).toEqual(['a']);
      expect(clock.now()).toBe(T0 + 150);
      await clock.advance(49);
      expect(fired).toEqual(['a']);
      expect(clock.now()).toBe(T0 + 199);
      await clock.advance(1);
      expect(fired).toEqual(['a', 'b']);
      expect(clock.now()).toBe(T0 + 200);
    });

    it('moves time even when no timer is pending', async () => {
      const clock = new FakeClock(T0);
      await clock.advance(3_600_000);
      expect(clock.now()).toBe(T0 + 3_600_000);
    });

    it('settles promise callbacks of one timer before firing the next', async () => {
      const clock = new FakeClock(T0);
      const log: string[] = [];
      clock.setTimeout(() => {
        log.push('a');
        void Promise.resolve()
          .then(() => log.push('a.then1'))
          .then(() => log.push('a.then2'));
      }, 100);
      clock.setTimeout(() => log.push('b'), 100);
      clock.setTimeout(() => log.push('c'), 150);
      await clock.advance(200);
      expect(log).toEqual(['a', 'a.then1', 'a.then2', 'b', 'c']);
    });

    it('fires a timer set after awaits in an earlier callback when it falls within the span', async () => {
      const clock = new FakeClock(T0);
      const log: string[] = [];
      clock.setTimeout(() => {
        log.push(`a@${clock.now() - T0}`);
        void (async () => {
          await Promise.resolve();
          await Promise.resolve();
          await null;
          clock.setTimeout(() => log.push(`b@${clock.now() - T0}`), 50);
        })();
      }, 100);
      clock.setTimeout(() => log.push(`c@${clock.now() - T0}`), 180);
      await clock.advance(200);
      expect(log).toEqual(['a@100', 'b@150', 'c@180']);
      expect(clock.pendingTimers()).toBe(0);
    });

    it('runs a chain of sleeps within the span', async () => {
      const clock = new FakeClock(T0);
      const log: number[] = [];
      const done = (async () => {
        for (let i = 0; i < 5; i++) {
          await clock.sleep(100);
          log.push(clock.now() - T0);
        }
      })();
      await clock.advance(350);
      expect(log).toEqual([100, 200, 300]);
      await clock.advance(150);
      expect(log).toEqual([100, 200, 300, 400, 500]);
      await done;
    });

    it('settles pending promises before the first timer, so a timer they set fires too', async () => {
      const clock = new FakeClock(T0);
      const log: string[] = [];
      void Promise.resolve().then(() => clock.setTimeout(() => log.push('late'), 10));
      await clock.advance(20);
      expect(log).toEqual(['late']);
    });

    it('leaves a timer set from a callback beyond the span pending', async () => {
      const clock = new FakeClock(T0);
      const log: string[] = [];
      clock.setTimeout(() => {
        log.push('a');
        clock.setTimeout(() => log.push('b'), 100);
      }, 50);
      await clock.advance(100);
      expect(log).toEqual(['a']);
      expect(clock.nextTimerAt()).toBe(T0 + 150);
      await clock.advance(50);
      expect(log).toEqual(['a', 'b']);
    });
  });

  describe('advanceTo', () => {
    it('moves to an instant given as a number or a Date', async () => {
      const clock = new FakeClock(T0);
      const fired: number[] = [];
      clock.setTimeout(() => fired.push(clock.now()), 60_000);
      await clock.advanceTo(T0 + 30_000);
      expect(clock.now()).toBe(T0 + 30_000);
      expect(fired).toEqual([]);
      await clock.advanceTo(new Date('2026-01-05T20:01:00Z'));
      expect(fired).toEqual([T0 + 60_000]);
      expect(clock.now()).toBe(T0 + 60_000);
    });

    it('never moves time backwards', async () => {
      const clock = new FakeClock(T0);
      await clock.advanceTo(T0 - 10_000);
      expect(clock.now()).toBe(T0);
    });
  });

  describe('runUntil', () => {
    it('fires timers one after the other until the predicate holds', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('a'), 100);
      clock.setTimeout(() => fired.push('b'), 2_000);
      clock.setTimeout(() => fired.push('c'), 90_000);
      await clock.runUntil(() => fired.length === 2);
      expect(fired).toEqual(['a', 'b']);
      expect(clock.now()).toBe(T0 + 2_000);
      expect(clock.pendingTimers()).toBe(1);
    });

    it('does nothing when the predicate already holds', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('a'), 100);
      await clock.runUntil(() => true);
      expect(fired).toEqual([]);
      expect(clock.now()).toBe(T0);
    });

    it('runs every timer, skipping cancelled ones, when no predicate is given', async () => {
      const clock = new FakeClock(T0);
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('a'), 100);
      const b = clock.setTimeout(() => fired.push('b'), 200);
      clock.setTimeout(() => {
        fired.push('c');
        clock.setTimeout(() => fired.push('d'), 5_000);
      }, 300);
      clock.clearTimeout(b);
      await clock.runUntil();
      expect(fired).toEqual(['a', 'c', 'd']);
      expect(clock.now()).toBe(T0 + 5_300);
      expect(clock.pendingTimers()).toBe(0);
    });

    it('settles promises between timers, so timers set after awaits run too', async () => {
      const clock = new FakeClock(T0);
      let finished = false;
      void (async () => {
        await clock.sleep(1_000);
        await Promise.resolve();
        await clock.sleep(2_000);
        finished = true;
      })();
      await clock.runUntil(() => finished);
      expect(finished).toBe(true);
      expect(clock.now()).toBe(T0 + 3_000);
    });

    it('throws after maxTimers timers when the schedule never ends', async () => {
      const clock = new FakeClock(T0);
      let count = 0;
      const tick = (): void => {
        count++;
        clock.setTimeout(tick, 1_000);
      };
      clock.setTimeout(tick, 1_000);
      await expect(clock.runUntil(() => false, 50)).rejects.toThrow('FakeClock.runUntil: still running after 50 timers');
      expect(count).toBe(50);
      expect(clock.now()).toBe(T0 + 50_000);
    });
  });

  describe('sleep', () => {
    it('resolves after the given fake time, not before', async () => {
      const clock = new FakeClock(T0);
      let resolved = false;
      void clock.sleep(1_000).then(() => {
        resolved = true;
      });
      expect(clock.pendingTimers()).toBe(1);
      await clock.advance(999);
      expect(resolved).toBe(false);
      await clock.advance(1);
      expect(resolved).toBe(true);
    });
  });

  describe('pendingTimers and nextTimerAt', () => {
    it('report the timers not yet fired nor cancelled', async () => {
      const clock = new FakeClock(T0);
      expect(clock.pendingTimers()).toBe(0);
      expect(clock.nextTimerAt()).toBeUndefined();
      const a = clock.setTimeout(() => undefined, 500);
      clock.setTimeout(() => undefined, 300);
      const c = clock.setTimeout(() => undefined, 900);
      expect(clock.pendingTimers()).toBe(3);
      expect(clock.nextTimerAt()).toBe(T0 + 300);
      await clock.advance(300);
      expect(clock.pendingTimers()).toBe(2);
      expect(clock.nextTimerAt()).toBe(T0 + 500);
      clock.clearTimeout(a);
      expect(clock.pendingTimers()).toBe(1);
      expect(clock.nextTimerAt()).toBe(T0 + 900);
      clock.clearTimeout(c);
      expect(clock.pendingTimers()).toBe(0);
      expect(clock.nextTimerAt()).toBeUndefined();
    });

    it('count a cancelled timer that is not the next one as gone', () => {
      const clock = new FakeClock(T0);
      clock.setTimeout(() => undefined, 100);
      const b = clock.setTimeout(() => undefined, 200);
      clock.clearTimeout(b);
      expect(clock.pendingTimers()).toBe(1);
      expect(clock.nextTimerAt()).toBe(T0 + 100);
    });
  });
});
