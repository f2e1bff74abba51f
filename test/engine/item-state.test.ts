import { describe, expect, it } from 'vitest';
import { calling, cutCall, moveItem, QUEUED, SETTLED, type ItemState, type Leasing } from '../../src/engine/item-state.js';

describe('cutCall: who aborted an attempt', () => {
  it('aborts the call with the reason and creates the controller if the call never looked at its signal', () => {
    const attempt = calling(false, undefined);
    const reason = new Error('stalled');
    expect(cutCall(attempt, 'stalled', reason)).toBe(true);
    expect(attempt.cut).toBe('stalled');
    expect(attempt.controller?.signal.aborted).toBe(true);
    expect(attempt.controller?.signal.reason).toBe(reason);
  });

  it('lets a higher cut override a lower one (the window over the watchdog, the run over both)', () => {
    const attempt = calling(false, undefined);
    cutCall(attempt, 'stalled', new Error('stalled'));
    expect(cutCall(attempt, 'interrupted', new Error('window'))).toBe(true);
    expect(attempt.cut).toBe('interrupted');
    expect(cutCall(attempt, 'abandoned', new Error('stop'))).toBe(true);
    expect(attempt.cut).toBe('abandoned');
  });

  it('never lets a lower or equal cut replace a higher one, and keeps the first abort reason', () => {
    const attempt = calling(true, undefined);
    const first = new Error('window');
    cutCall(attempt, 'interrupted', first);
    expect(cutCall(attempt, 'stalled', new Error('stalled'))).toBe(false);
    expect(cutCall(attempt, 'interrupted', new Error('again'))).toBe(false);
    expect(attempt.cut).toBe('interrupted');
    expect(attempt.controller?.signal.reason).toBe(first);
  });

  it('cuts a wait for a shared slot through its controller', () => {
    const waiting: Leasing = { kind: 'leasing', controller: new AbortController(), cut: undefined };
    expect(cutCall(waiting, 'abandoned', new Error('stop'))).toBe(true);
    expect(waiting.controller.signal.aborted).toBe(true);
  });

  it('starts each attempt uncut, not timed out, with its probe role', () => {
    expect(calling(true, undefined)).toMatchObject({ kind: 'calling', probe: true, cut: undefined, timedOut: false, controller: undefined });
  });
});

describe('moveItem: the item state machine', () => {
  it('walks an item through a call, a retry and its finish', () => {
    const item: { state: ItemState } = { state: QUEUED };
    moveItem(item, calling(false, undefined));
    moveItem(item, { kind: 'retrying', timer: 0 as never });
    moveItem(item, QUEUED);
    moveItem(item, calling(false, undefined));
    moveItem(item, SETTLED);
    expect(item.state.kind).toBe('settled');
  });

  it('refuses a step the machine does not have, naming it', () => {
    const settled: { state: ItemState } = { state: SETTLED };
    expect(() => moveItem(settled, QUEUED)).toThrow('item step settled → queued is not allowed');
    const queued: { state: ItemState } = { state: QUEUED };
    expect(() => moveItem(queued, { kind: 'retrying', timer: 0 as never })).toThrow('item step queued → retrying is not allowed');
    expect(queued.state).toBe(QUEUED);
  });
});
