import { expect } from 'vitest';
import { createRun, isFinal, type RunOptions, type RunState } from '../src/index.js';
import { FakeClock, RecordingService } from '../src/testing.js';

/** The announcement of runs in tests: an override, since they call fake services. */
export const TEST_ANNOUNCEMENT = { override: { reason: 'unit test against a fake service, not a mass call' } } as const;

/** A valid national number of someone born on `yymmdd` in the 1900s, with counter `counter` (check digits computed). */
export function validInsz(counter: number, yymmdd = '850730'): string {
  const nine = `${yymmdd}${String(counter).padStart(3, '0')}`;
  return `${nine}${String(97 - (Number(nine) % 97)).padStart(2, '0')}`;
}

/**
 * A run over `count` numbered items on one `rn` source, with a fake clock (a new one, or the
 * `clock` given) that drives both the run and a recording service.
 */
export function numberedRun(
  count: number,
  overrides: Omit<Partial<RunOptions<number, number>>, 'clock'> & { clock?: FakeClock; respond?: (item: number, attempt: number) => number; latencyMs?: number } = {},
) {
  const { clock = new FakeClock(), respond, latencyMs, ...rest } = overrides;
  const service = new RecordingService<number, number>({
    clock,
    latencyMs: latencyMs ?? 100,
    respond: respond === undefined ? undefined : (item, context) => respond(item, context.attempt),
  });
  const items = Array.from({ length: count }, (_, i) => i);
  const run = createRun<number, number>({
    input: items,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    call: service.call,
    clock,
    random: () => 0.5,
    announcement: TEST_ANNOUNCEMENT,
    ...rest,
  });
  return { clock, service, run };
}

/** Drives the clock until the run reaches a final state; fails (instead of hanging) when it gets stuck. */
export async function driveToEnd(clock: FakeClock, run: { readonly state: string }): Promise<void> {
  await clock.runUntil(() => isFinal(run.state as RunState));
  expect(run.state, 'the run should have reached a final state').toMatch(/^(completed|failed|stopped)$/);
}

/** Starts a run and drives its fake clock until it reaches a final state; returns start()'s promise. */
export async function runToEnd<T>(clock: FakeClock, run: { state: string; start(): Promise<T> }): Promise<T> {
  const done = run.start();
  done.catch(() => undefined); // observed by the caller after the clock has run
  await clock.runUntil(() => isFinal(run.state as RunState));
  return done;
}
