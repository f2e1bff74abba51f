/**
 * The recorder measures where calls start and end: the peak per second carries calls that stay
 * in flight through minutes without any event, rejects and retries count per minute and code,
 * events keep their whole payload, and nothing is written after the run ended.
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/engine/recorder.js';
import type { RunEvents } from '../../src/engine/events.js';
import { TypedEmitter } from '../../src/util/emitter.js';
import { MemoryStore, type RunMeta } from '../../src/store/store.js';
import { parseRecords, type RecordsLine } from '../../src/store/records/index.js';
import { buildReport } from '../../src/report/index.js';

const T0 = Date.UTC(2026, 0, 5, 20, 0, 0);
const META: RunMeta = { startedAt: new Date(T0).toISOString(), sources: { rn: { kind: 'rn', cap: 4, policyCap: 4 } } };

function recorded() {
  const lines: RecordsLine[] = [];
  let closed = false;
  const emitter = new TypedEmitter<RunEvents>((error) => {
    throw error;
  });
  const failures: unknown[] = [];
  const recorder = new Recorder({ now: () => T0 } as never, { minPauseMs: 300_000, maxRejectRatio: 0.1, plan: undefined }, { on: (event, listener) => emitter.on(event, listener), fail: (error) => failures.push(error) });
  const store = Object.assign(new MemoryStore(), { openRecords: () => ({ append: (more: readonly object[]) => void lines.push(...(more as RecordsLine[])), close: () => void (closed = true) }) });
  recorder.open(store, META, T0);
  const text = () => `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
  return { recorder, emitter, lines, text, closed: () => closed, failures };
}

const progress = (at: number, state: string) => ({ at, state, totals: { finished: 2, succeeded: 1, rejected: 1, exhausted: 0, attempts: 3, retries: 1 } }) as never;

describe('recorder', () => {
  it('carries a long call through the minutes without events, and counts rejects and retries by code', () => {
    const { recorder, emitter, lines, text, closed } = recorded();
    emitter.emit('state', { from: 'idle', to: 'running', at: T0, reason: 'start' });
    recorder.started('rn', T0 + 10_000);
    recorder.started('rn', T0 + 20_000);
    recorder.ended('rn', T0 + 25_000);
    emitter.emit('retry', { key: '#1', position: 1, source: 'rn', attempt: 1, code: 'HTTP_503', reason: 'x', delayMs: 1000, at: T0 + 25_000 });
    recorder.started('rn', T0 + 26_000);
    recorder.ended('rn', T0 + 27_000);
    emitter.emit('reject', { position: 1, key: '#1', source: 'rn', outcome: 'reject', code: 'MSG00005', attempts: 2, firstAttemptAt: '', lastAttemptAt: '' });
    recorder.ended('rn', T0 + 160_000); // the first call: 150 s
    emitter.emit('state', { from: 'running', to: 'completed', at: T0 + 160_000, reason: 'completed' });
    emitter.emit('progress', progress(T0 + 160_000, 'completed'));
    expect(closed()).toBe(true);
    recorder.started('rn', T0 + 170_000); // after the end: nothing more
    expect(lines.filter((line) => line.k === 'min')).toEqual([
      { k: 'min', s: 'rn', m: T0, p: '0*0a1*0a2*08', c: '0*0a10*0910*051', e: 1, r: '1:1', t: '0:1' },
      { k: 'min', s: 'rn', m: T0 + 120_000, p: '1*15', c: '', e: 0 },
    ]);
    expect(lines.filter((line) => line.k === 'code')).toEqual([{ k: 'code', i: 0, c: 'HTTP_503' }, { k: 'code', i: 1, c: 'MSG00005' }]);

    const report = buildReport([parseRecords('dir', 'file', `${JSON.stringify({ k: 'meta', v: 1, pid: 1, host: 'h', meta: META, minPauseMs: 300000, maxRejectRatio: 0.1 })}\n${text()}`)]);
    const rn = report.sources[0]!;
    expect(rn.inFlightPerMinute).toEqual([[T0, 2], [T0 + 60_000, 1], [T0 + 120_000, 1]]);
    expect([rn.peakConcurrency, rn.peakAt, rn.calls]).toEqual([2, new Date(T0 + 20_000).toISOString(), 3]);
    expect([rn.rejects, rn.retries]).toEqual([{ MSG00005: 1 }, { HTTP_503: 1 }]);
    expect(report.rejectsPerMinute).toEqual([[new Date(T0).toISOString(), 'MSG00005', 1]]);
    expect(report.ended).toBe(true);
  });

  it('keeps the whole payload of a pause, its origin and message included', () => {
    const { emitter, lines } = recorded();
    emitter.emit('state', { from: 'running', to: 'paused', at: T0 + 5, reason: 'manual', message: 'maintenance of the source', origin: 'host-b' } as never);
    emitter.emit('source-paused', { source: 'rn', failureRatio: 0.6, until: T0 + 30_000, at: T0 + 6 });
    expect(lines.filter((line) => line.k === 'ev')).toEqual([
      { k: 'ev', e: 'state', from: 'running', to: 'paused', at: T0 + 5, reason: 'manual', message: 'maintenance of the source', origin: 'host-b' },
      { k: 'ev', e: 'source-paused', source: 'rn', failureRatio: 0.6, until: T0 + 30_000, at: T0 + 6 },
    ]);
  });

  it('fails the run when the records cannot be written, outside the hook', async () => {
    const emitter = new TypedEmitter<RunEvents>(() => undefined);
    const failures: Error[] = [];
    const recorder = new Recorder({ now: () => T0 } as never, { minPauseMs: 0, maxRejectRatio: false, plan: undefined }, { on: (event, listener) => emitter.on(event, listener), fail: (error) => failures.push(error) });
    let writes = 0;
    const store = Object.assign(new MemoryStore(), { openRecords: () => ({ append: () => { if (++writes > 1) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' }); }, close: () => undefined }) });
    recorder.open(store, META, T0);
    recorder.started('rn', T0);
    expect(() => recorder.started('rn', T0 + 61_000)).not.toThrow();
    expect(failures).toEqual([]);
    await Promise.resolve();
    expect(failures.map((error) => (error as { outcomeCode?: string }).outcomeCode)).toEqual(['STORE_FAILED']);
    expect(failures[0]!.message).toContain('The compliance records could not be written: ');
    expect(failures[0]!.message).toContain('no space left');
    expect(recorder.recording).toBe(false);
  });
});
