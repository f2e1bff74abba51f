/**
 * The records of a 5-million-call batch stay small: a simulated weekend (Fri 17:00 to Mon 08:00
 * in Brussels) of two sources at their caps (rn: 4 at ~250 ms, pensions: 2 at ~300 ms), with
 * 1 % rejects and 2 % retries under three codes each, written by the recorder into a real
 * records file, then read back: the report counts every call and the peaks.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Recorder } from '../../src/engine/recorder.js';
import type { RunEvents } from '../../src/engine/events.js';
import { TypedEmitter } from '../../src/util/emitter.js';
import { RecordsFile } from '../../src/store/records/writer.js';
import { MemoryStore, type RunMeta } from '../../src/store/store.js';
import { readReport } from '../../src/report/index.js';
import { seededRandom } from '../../src/util/seeded-random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bcss-records-size-'));
afterAll(() => (process.env.KEEP_RECORDS ? undefined : rmSync(dir, { recursive: true, force: true })));

const START = Date.UTC(2026, 0, 9, 16, 0, 0); // Fri 17:00 in Brussels
const CALLS = 5_000_000;

describe('records of a 5-million-call batch', () => {
  it('stay around a megabyte, and give back every call and the peaks', { timeout: 120_000 }, () => {
    const emitter = new TypedEmitter<RunEvents>((error) => {
      throw error;
    });
    const recorder = new Recorder({ now: () => 0, setTimeout: () => 0 as never, clearTimeout: () => undefined } as never, { minPauseMs: 300_000, maxRejectRatio: 0.1, plan: undefined }, { on: (event, listener) => emitter.on(event, listener), fail: (error) => { throw error; } });
    const meta: RunMeta = { startedAt: new Date(START).toISOString(), sources: { rn: { kind: 'rn', cap: 4, policyCap: 4 }, pensions: { kind: 'authentic', cap: 2, policyCap: 2 } }, announcement: { reference: 'SD-1', announcedOn: '2025-12-01', leadDays: 7 } };
    const store = Object.assign(new MemoryStore(), { openRecords: (at: number) => new RecordsFile(dir, at) });
    recorder.open(store, meta, START);
    emitter.emit('state', { from: 'idle', to: 'running', at: START, reason: 'start' });

    const random = seededRandom(19);
    // Slots: each calls back to back; the next event is the earliest slot's.
    const slots = [...Array.from({ length: 4 }, () => ({ source: 'rn', latency: 250 })), ...Array.from({ length: 2 }, () => ({ source: 'pensions', latency: 300 }))].map((slot) => ({ ...slot, endsAt: START + slot.latency }));
    let started = 0;
    let nextProgress = START + 1000;
    let finished = 0;
    let rejected = 0;
    const codes = ['MSG00005', 'MSG00006', 'HTTP_404'];
    const transient = ['HTTP_503', 'NET_ECONNRESET', 'CALL_TIMEOUT'];
    for (const slot of slots) recorder.started(slot.source, START);
    started += slots.length;
    while (started < CALLS) {
      let slot = slots[0]!;
      for (const other of slots) if (other.endsAt < slot.endsAt) slot = other;
      const now = slot.endsAt;
      while (nextProgress <= now) {
        emitter.emit('progress', { at: nextProgress, state: 'running', totals: { finished, succeeded: finished - rejected, rejected, exhausted: 0, attempts: started, retries: 0 } } as never);
        nextProgress += 1000;
      }
      recorder.ended(slot.source, now);
      const draw = random();
      if (draw < 0.01) {
        rejected++;
        emitter.emit('reject', { position: 0, key: '#0', source: slot.source, outcome: 'reject', code: codes[Math.floor(draw * 300) % 3]!, attempts: 1, firstAttemptAt: '', lastAttemptAt: '' });
      } else if (draw < 0.03) emitter.emit('retry', { key: '#0', position: 0, source: slot.source, attempt: 1, code: transient[Math.floor(draw * 300) % 3]!, reason: '', delayMs: 1000, at: now });
      finished++;
      recorder.started(slot.source, now);
      started++;
      slot.endsAt = now + Math.round(slot.latency * (0.8 + 0.4 * random()));
    }
    const end = Math.max(...slots.map((slot) => slot.endsAt));
    for (const slot of slots) recorder.ended(slot.source, slot.endsAt);
    emitter.emit('state', { from: 'running', to: 'completed', at: end, reason: 'completed' });
    emitter.emit('progress', { at: end, state: 'completed', totals: { finished: CALLS, succeeded: CALLS - rejected, rejected, exhausted: 0, attempts: CALLS, retries: 0 } } as never);

    const [file] = readdirSync(dir);
    const bytes = statSync(path.join(dir, file!)).size;
    const hours = (end - START) / 3_600_000;
    console.log(`records of ${CALLS} calls over ${hours.toFixed(1)} h: ${bytes} bytes (${(bytes / 1_048_576).toFixed(2)} MiB)`);
    expect(hours).toBeLessThan(63); // the weekend's window
    expect(bytes).toBeLessThan(1.3 * 1_048_576);
    return readReport([dir]).then((report) => {
      expect(report.totalCalls).toBe(CALLS);
      expect(report.peakConcurrency).toEqual({ rn: 4, pensions: 2 });
      expect(report.callsStartedInOfficeHours).toBe(0);
      expect(report.totals.rejected).toBe(rejected);
      expect(Object.values(report.rejectsByCode).reduce((a, b) => a + b, 0)).toBe(rejected);
    });
  });
});
