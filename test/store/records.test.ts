/**
 * The records' format: seconds and code counts in their compact forms and back, a torn last line
 * skipped (a live run may be writing it), a damaged line named, a directory without records.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCounts, decodeSeconds, encodeCounts, encodeSeconds, parseRecords, readRecordsDir, RecordsFile } from '../../src/store/records/index.js';
import { RecordsError } from '../../src/store/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bcss-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const META = { k: 'meta', v: 1, pid: 1, host: 'h', meta: { startedAt: '2026-01-05T20:00:00.000Z', sources: {} }, minPauseMs: 300000, maxRejectRatio: 0.1 };

describe('records format', () => {
  it('writes seconds as base-36 digits with runs, and falls back to the numbers above 35', () => {
    expect(encodeSeconds(Array(60).fill(4))).toBe('4*1o');
    expect(encodeSeconds([1, 2, 2, 0, 0, 0, 0, 0, 16, 35])).toBe('1220*05gz');
    expect(decodeSeconds('1220*05gz')).toEqual([1, 2, 2, 0, 0, 0, 0, 0, 16, 35]);
    expect(encodeSeconds([3, 36, 1])).toEqual([3, 36, 1]);
    expect(decodeSeconds([3, 36, 1])).toEqual([3, 36, 1]);
    const values = Array.from({ length: 60 }, (_, i) => (i * 7) % 13);
    expect(decodeSeconds(encodeSeconds(values))).toEqual(values);
  });

  it('writes counts by code number and reads them back by name', () => {
    const text = encodeCounts(new Map([[0, 3], [2, 1]]));
    expect(text).toBe('0:3,2:1');
    expect(decodeCounts(text, ['MSG00005', 'HTTP_503', 'HTTP_404'])).toEqual({ MSG00005: 3, HTTP_404: 1 });
  });

  it('skips a torn last line and names a damaged one', () => {
    const text = `${JSON.stringify(META)}\n{"k":"totals","at":1,"t":{}}\n{"k":"min","s":"rn","m":0,"p":"4*1o`;
    expect(parseRecords(dir, 'f', text).lines).toEqual([{ k: 'totals', at: 1, t: {} }]);
    const damaged = `${JSON.stringify(META)}\n{"k":"tot\n{"k":"totals","at":1,"t":{}}\n`;
    expect(() => parseRecords(dir, 'f', damaged)).toThrow(/f: line 2 is not a record/);
    expect(() => parseRecords(dir, 'f', '{"k":"totals","at":1,"t":{}}\n')).toThrow(/the first line is not the run's metadata/);
  });

  it('reads the files of a directory written line by line, and says when there are none', async () => {
    await expect(readRecordsDir(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'NO_RECORDS' });
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    writeFileSync(path.join(empty, 'checkpoint'), '{}');
    await expect(readRecordsDir(empty)).rejects.toBeInstanceOf(RecordsError);
    const file = new RecordsFile(dir, Date.UTC(2026, 0, 5, 20), 4242);
    file.append([META as never, { k: 'code', i: 0, c: 'HTTP_404' }]);
    const live = await readRecordsDir(dir); // readable before the file is closed
    expect(live).toHaveLength(1);
    expect(live[0]!.lines).toEqual([{ k: 'code', i: 0, c: 'HTTP_404' }]);
    expect(path.basename(live[0]!.file)).toBe('records-2026-01-05T200000000Z-4242.jsonl');
    file.close();
  });
});
