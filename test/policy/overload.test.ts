import { describe, expect, it } from 'vitest';
import { SourceBreaker, type OverloadOptions } from '../../src/policy/overload.js';

const T0 = 1_767_643_200_000;

const options: OverloadOptions = {
  windowSize: 10,
  minSamples: 5,
  failureRatio: 0.5,
  cooldownMs: 1_000,
  maxCooldownMs: 3_000,
};

/** A breaker tripped at T0 by five transient failures. */
function tripped(opts: OverloadOptions = options): SourceBreaker {
  const breaker = new SourceBreaker(opts);
  for (let i = 0; i < opts.minSamples - 1; i++) breaker.record(true, false, T0);
  const change = breaker.record(true, false, T0);
  expect(change).toEqual({ to: 'cooling', until: T0 + opts.cooldownMs, failureRatio: 1 });
  return breaker;
}

describe('SourceBreaker', () => {
  it('starts healthy and lets calls through', () => {
    const breaker = new SourceBreaker(options);
    expect(breaker.state(T0)).toBe('healthy');
    expect(breaker.canDispatch(T0)).toBe(true);
    expect(breaker.dispatched(T0)).toBe(false);
  });

  it('does not trip before minSamples outcomes, even if all failed', () => {
    const breaker = new SourceBreaker(options);
    for (let i = 0; i < 4; i++) {
      expect(breaker.record(true, false, T0 + i)).toBeUndefined();
      expect(breaker.state(T0 + i)).toBe('healthy');
    }
    expect(breaker.canDispatch(T0 + 4)).toBe(true);
    expect(breaker.record(true, false, T0 + 10)).toEqual({ to: 'cooling', until: T0 + 10 + 1_000, failureRatio: 1 });
    expect(breaker.state(T0 + 10)).toBe('cooling');
  });

  it('does not trip while the share of failures stays below failureRatio', () => {
    const breaker = new SourceBreaker(options);
    // F S F S S: 2/5 = 0.4
    for (const failed of [true, false, true, false, false]) expect(breaker.record(failed, false, T0)).toBeUndefined();
    expect(breaker.state(T0)).toBe('healthy');
  });

  it('trips when the share of failures reaches failureRatio', () => {
    const breaker = new SourceBreaker(options);
    for (const failed of [true, false, true, false, false]) breaker.record(failed, false, T0);
    // F S F S S F: 3/6 = 0.5
    expect(breaker.record(true, false, T0 + 42)).toEqual({ to: 'cooling', until: T0 + 42 + 1_000, failureRatio: 0.5 });
    expect(breaker.cooldownEnds()).toBe(T0 + 1_042);
  });

  it('counts successes and rejects (failed = false) against the ratio', () => {
    const breaker = new SourceBreaker({ ...options, failureRatio: 0.8 });
    // 4 failures, 2 answers: 4/6 < 0.8
    for (const failed of [true, true, false, true, false, true]) expect(breaker.record(failed, false, T0)).toBeUndefined();
    expect(breaker.canDispatch(T0)).toBe(true);
  });

  it('refuses calls while cooling, until the cooldown ends', () => {
    const breaker = tripped();
    expect(breaker.state(T0)).toBe('cooling');
    expect(breaker.canDispatch(T0)).toBe(false);
    expect(breaker.canDispatch(T0 + 999)).toBe(false);
    expect(breaker.state(T0 + 999)).toBe('cooling');
    expect(breaker.dispatched(T0 + 999)).toBe(false);
  });

  it('lets exactly one probe through once the cooldown ends', () => {
    const breaker = tripped();
    expect(breaker.state(T0 + 1_000)).toBe('probing');
    expect(breaker.canDispatch(T0 + 1_000)).toBe(true);
    expect(breaker.dispatched(T0 + 1_000)).toBe(true);
    expect(breaker.canDispatch(T0 + 1_000)).toBe(false);
    expect(breaker.canDispatch(T0 + 50_000)).toBe(false);
    expect(breaker.state(T0 + 50_000)).toBe('probing');
  });

  it('goes back to healthy when the probe succeeds', () => {
    const breaker = tripped();
    expect(breaker.dispatched(T0 + 1_000)).toBe(true);
    expect(breaker.record(false, true, T0 + 1_200)).toEqual({ to: 'healthy' });
    expect(breaker.state(T0 + 1_200)).toBe('healthy');
    expect(breaker.canDispatch(T0 + 1_200)).toBe(true);
    expect(breaker.dispatched(T0 + 1_200)).toBe(false);
  });

  it('treats a reject answer of the probe as a success of the source', () => {
    const breaker = tripped();
    breaker.dispatched(T0 + 1_000);
    // failed = false means "the source answered"
    expect(breaker.record(false, true, T0 + 1_100)).toEqual({ to: 'healthy' });
  });

  it('starts a fresh window after a successful probe', () => {
    const breaker = tripped();
    breaker.dispatched(T0 + 1_000);
    breaker.record(false, true, T0 + 1_000);
    // the five failures that tripped it are forgotten: four new failures do not reach minSamples
    for (let i = 0; i < 4; i++) expect(breaker.record(true, false, T0 + 2_000)).toBeUndefined();
    expect(breaker.state(T0 + 2_000)).toBe('healthy');
    // the fifth does, with the base cooldown again
    expect(breaker.record(true, false, T0 + 2_000)).toEqual({ to: 'cooling', until: T0 + 3_000, failureRatio: 1 });
  });

  it('cools again with a doubled cooldown when the probe fails', () => {
    const breaker = tripped();
    breaker.dispatched(T0 + 1_000);
    expect(breaker.record(true, true, T0 + 1_500)).toEqual({ to: 'cooling', until: T0 + 3_500, failureRatio: 1 });
    expect(breaker.state(T0 + 1_500)).toBe('cooling');
    expect(breaker.canDispatch(T0 + 3_499)).toBe(false);
    expect(breaker.cooldownEnds()).toBe(T0 + 3_500);
    // a new probe after the longer cooldown
    expect(breaker.canDispatch(T0 + 3_500)).toBe(true);
    expect(breaker.dispatched(T0 + 3_500)).toBe(true);
  });

  it('caps the doubled cooldown at maxCooldownMs', () => {
    const breaker = tripped();
    let now = T0 + 1_000;
    const pauses: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(breaker.dispatched(now)).toBe(true);
      const change = breaker.record(true, true, now);
      if (change === undefined || change.to !== 'cooling') throw new Error('expected cooling');
      pauses.push(change.until - now);
      now = change.until;
    }
    // 1000 → 2000 → 3000 (cap, not 4000) → 3000
    expect(pauses).toEqual([2_000, 3_000, 3_000, 3_000]);
  });

  it('goes back to the base cooldown after a probe finally succeeds', () => {
    const breaker = tripped();
    breaker.dispatched(T0 + 1_000);
    breaker.record(true, true, T0 + 1_000); // cooldown 2000, until T0 + 3000
    breaker.dispatched(T0 + 3_000);
    expect(breaker.record(false, true, T0 + 3_000)).toEqual({ to: 'healthy' });
    for (let i = 0; i < 4; i++) breaker.record(true, false, T0 + 4_000);
    expect(breaker.record(true, false, T0 + 4_000)).toEqual({ to: 'cooling', until: T0 + 5_000, failureRatio: 1 });
  });

  it('ignores outcomes of non-probe calls while cooling', () => {
    const breaker = tripped();
    // calls dispatched before the trip finish during the cooldown
    expect(breaker.record(false, false, T0 + 100)).toBeUndefined();
    expect(breaker.record(true, false, T0 + 200)).toBeUndefined();
    expect(breaker.state(T0 + 200)).toBe('cooling');
    expect(breaker.cooldownEnds()).toBe(T0 + 1_000);
    expect(breaker.canDispatch(T0 + 999)).toBe(false);
  });

  it('ignores outcomes of non-probe calls while probing', () => {
    const breaker = tripped();
    expect(breaker.dispatched(T0 + 1_000)).toBe(true);
    expect(breaker.record(false, false, T0 + 1_100)).toBeUndefined();
    expect(breaker.state(T0 + 1_100)).toBe('probing');
    expect(breaker.canDispatch(T0 + 1_100)).toBe(false);
    expect(breaker.record(true, false, T0 + 1_200)).toBeUndefined();
    expect(breaker.state(T0 + 1_200)).toBe('probing');
    // the probe's own outcome still decides
    expect(breaker.record(false, true, T0 + 1_300)).toEqual({ to: 'healthy' });
  });

  it('forgets failures that slid out of the window', () => {
    const breaker = new SourceBreaker({ windowSize: 4, minSamples: 4, failureRatio: 0.75, cooldownMs: 1_000, maxCooldownMs: 8_000 });
    // F F S S → 2/4
    for (const failed of [true, true, false, false]) expect(breaker.record(failed, false, T0)).toBeUndefined();
    // S S push the two failures out: S S S S → 0/4
    expect(breaker.record(false, false, T0)).toBeUndefined();
    expect(breaker.record(false, false, T0)).toBeUndefined();
    // F → S S S F: 1/4 (would be 3/4 if the old failures still counted)
    expect(breaker.record(true, false, T0)).toBeUndefined();
    // F → S S F F: 2/4
    expect(breaker.record(true, false, T0)).toBeUndefined();
    expect(breaker.state(T0)).toBe('healthy');
    // F → S F F F: 3/4 = 0.75
    expect(breaker.record(true, false, T0 + 7)).toEqual({ to: 'cooling', until: T0 + 1_007, failureRatio: 0.75 });
  });

  it('keeps judging only the latest windowSize outcomes over a long run', () => {
    const breaker = new SourceBreaker({ windowSize: 5, minSamples: 5, failureRatio: 0.6, cooldownMs: 1_000, maxCooldownMs: 8_000 });
    // alternate F S for a long time: every window of 5 holds 2 or 3 failures
    let trippedAt = -1;
    for (let i = 0; i < 41 && trippedAt < 0; i++) {
      if (breaker.record(i % 2 === 0, false, T0) !== undefined) trippedAt = i;
    }
    // the first window F S F S F (indices 0..4) has 3/5 = 0.6 → trips at index 4
    expect(trippedAt).toBe(4);

    const calm = new SourceBreaker({ windowSize: 5, minSamples: 5, failureRatio: 0.6, cooldownMs: 1_000, maxCooldownMs: 8_000 });
    // F S S F S repeated: every window of 5 holds exactly 2 failures
    const pattern = [true, false, false, true, false];
    for (let i = 0; i < 100; i++) expect(calm.record(pattern[i % 5]!, false, T0)).toBeUndefined();
    expect(calm.state(T0)).toBe('healthy');
  });

  it('keeps separate sources independent', () => {
    const rn = tripped();
    const other = new SourceBreaker(options);
    expect(rn.canDispatch(T0 + 1)).toBe(false);
    expect(other.canDispatch(T0 + 1)).toBe(true);
    expect(other.state(T0 + 1)).toBe('healthy');
  });
});
