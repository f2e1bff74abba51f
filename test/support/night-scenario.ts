/**
 * The night both consumer tests run: the input CSV, the fake service's answers (5 s each, on the
 * test's clock), and the checks of what the job left behind. One test drives it with a
 * FakeClock, the other under vi.useFakeTimers().
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { FileStore, readLedger, type CallContext, type Clock, type StateChange } from '../../src/index.js';
import { RecordingService } from '../../src/testing.js';
import { validInsz } from '../helpers.js';
import type { Person } from './nightly-job.js';

/** Tuesday 24 November 2026, 16:00 in Brussels (CET, UTC+1): an hour before the window opens. */
export const TUESDAY_16H = Date.UTC(2026, 10, 24, 15, 0, 0);
const HOUR = 3_600_000;
export const TUESDAY_17H = TUESDAY_16H + HOUR;
export const WEDNESDAY_08H = TUESDAY_16H + 16 * HOUR;
export const WEDNESDAY_17H = TUESDAY_16H + 25 * HOUR;
export const LATENCY_MS = 5_000;

/** 40 people with valid national numbers (two of them born on the same day as others), and two invalid lines. */
export const PEOPLE = Array.from({ length: 40 }, (_, i) => validInsz(101 + 2 * i, `8${i % 10}0${1 + (i % 9)}1${i % 10}`));
export const INVALID = ['85073003329', '1234'];
/** Answers 404: a business reject. */
export const NOT_FOUND = PEOPLE[7]!;
/** Its record is locked for maintenance until Wednesday 10:00 Brussels: 503 with Retry-After. */
export const LOCKED = PEOPLE[12]!;
const LOCKED_UNTIL = 'Wed, 25 Nov 2026 09:00:00 GMT';

/** One call as the service saw it, in fake time. */
export interface SeenCall {
  readonly ssin: string;
  readonly startedAt: number;
  endedAt?: number;
}

/** A temp directory with the input CSV; paths of the job's files. */
export async function prepareNight(): Promise<{ dir: string; inputCsv: string; storeDir: string; outputFile: string; logFile: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bcss-night-'));
  const inputCsv = path.join(dir, 'people.csv');
  const lines = ['ssin;name', ...PEOPLE.map((ssin, i) => `${ssin};Person ${i}`), ...INVALID.map((ssin) => `${ssin};Typo`)];
  lines.splice(20, 0, ''); // a blank line in the middle, as exports have
  await writeFile(inputCsv, `${lines.join('\n')}\n`);
  return {
    dir,
    inputCsv,
    storeDir: path.join(dir, 'run'),
    outputFile: path.join(dir, 'answers.csv'),
    logFile: path.join(dir, 'progress.log'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * The fake service: 5 s per call on `clock`, 404 for NOT_FOUND, 503 + Retry-After for LOCKED on
 * Tuesday, the person's name otherwise. The in-process fake BCSS replaces it in one line.
 */
export function fakeService(clock: Clock): { call: (person: Person, context: CallContext) => Promise<string>; seen: SeenCall[]; service: RecordingService<Person, string> } {
  const service = new RecordingService<Person, string>({
    clock,
    latencyMs: LATENCY_MS,
    respond: (person) => {
      if (person.ssin === NOT_FOUND) throw Object.assign(new Error('person unknown'), { status: 404 });
      if (person.ssin === LOCKED && clock.now() < WEDNESDAY_08H) throw Object.assign(new Error('record locked for maintenance'), { status: 503, headers: { 'retry-after': LOCKED_UNTIL } });
      return person.name;
    },
  });
  const seen: SeenCall[] = [];
  const call = async (person: Person, context: CallContext): Promise<string> => {
    const entry: SeenCall = { ssin: person.ssin, startedAt: clock.now() };
    seen.push(entry);
    try {
      return await service.call(person, context);
    } finally {
      entry.endedAt = clock.now();
    }
  };
  return { call, seen, service };
}

/** The checks of a night, the same whichever way time was driven. */
export async function checkNight(night: { storeDir: string; outputFile: string; logFile: string }, states: readonly StateChange[], seen: readonly SeenCall[], service: RecordingService<Person, string>): Promise<void> {
  // The schedule, in fake time, to the millisecond.
  expect(states.map((s) => [s.from, s.to, new Date(s.at).toISOString()])).toEqual([
    ['idle', 'waiting', '2026-11-24T15:00:00.000Z'],
    ['waiting', 'running', '2026-11-24T16:00:00.000Z'],
    ['running', 'draining', '2026-11-25T07:00:00.000Z'],
    ['draining', 'waiting', '2026-11-25T07:00:00.000Z'],
    ['waiting', 'running', '2026-11-25T16:00:00.000Z'],
    ['running', 'completed', '2026-11-25T16:00:05.000Z'],
  ]);
  expect(Math.min(...seen.map((c) => c.startedAt))).toBe(TUESDAY_17H);
  expect(seen.filter((c) => c.startedAt === TUESDAY_17H)).toHaveLength(4); // the cap of the National Register, at once
  for (const c of seen) expect(c.endedAt! - c.startedAt).toBe(LATENCY_MS);
  expect(seen.filter((c) => c.startedAt >= WEDNESDAY_08H && c.startedAt < WEDNESDAY_17H)).toEqual([]);
  // 40 people at 4 at a time, 5 s each: the first night's calls end at 17:00:50.
  expect(Math.max(...seen.filter((c) => c.startedAt < WEDNESDAY_08H).map((c) => c.endedAt!))).toBe(TUESDAY_17H + 50_000);
  expect(seen.filter((c) => c.ssin === LOCKED).map((c) => c.startedAt)).toEqual([expect.any(Number), WEDNESDAY_17H]);
  expect(seen).toHaveLength(PEOPLE.length + 1);
  expect(service.peak('rn')).toBe(4);

  // The store: every line finished once; rejects in the ledger, national numbers masked.
  const store = await FileStore.open(night.storeDir);
  try {
    expect(store.status()).toMatchObject({ completed: 42, counts: { rn: { success: 39, reject: 3, exhausted: 0 } } });
  } finally {
    await store.close();
  }
  const rejects = await readLedger(night.storeDir);
  expect(rejects.map((r) => r.code).sort()).toEqual(['HTTP_404', 'INSZ_CHECK_DIGITS', 'INSZ_FORMAT'].sort());
  expect(JSON.stringify(rejects)).not.toContain(NOT_FOUND);

  // The output: one line per success, with the whole national number (the caller's own file).
  const answers = (await readFile(night.outputFile, 'utf8')).trim().split('\n').sort();
  expect(answers).toEqual(PEOPLE.filter((ssin) => ssin !== NOT_FOUND).map((ssin) => `${ssin};Person ${PEOPLE.indexOf(ssin)}`).sort());

  // The progress display wrote plain lines, the last one at the end.
  const log = (await readFile(night.logFile, 'utf8')).trim().split('\n');
  expect(log.length).toBeGreaterThanOrEqual(2);
  expect(log.at(-1)).toMatch(/completed/i);
}
