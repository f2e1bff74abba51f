import { describe, expect, it } from 'vitest';
import { createRun, type OutcomeRecord, type RunStore, type RetryEvent, type SuccessInfo } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { runToEnd, TEST_ANNOUNCEMENT } from '../helpers.js';

// Two people born the same day (30 July 1985): their masked keys are the same, `85.07.30-***.**`.
const ANNA = '85073003328';
const BERT = '85073003427';

describe('onSuccess info.key', () => {
  it('is the real key, so an upsert by it keeps two people born the same day apart', async () => {
    const clock = new FakeClock();
    const records: OutcomeRecord[] = [];
    const store: RunStore = { open: () => undefined, record: (record) => void records.push(record) };
    const table = new Map<string, { name: string; maskedKey: string }>();
    const retries: RetryEvent[] = [];
    const rejects: OutcomeRecord[] = [];
    const names: Record<string, string> = { [ANNA]: 'Anna', [BERT]: 'Bert' };
    const run = createRun<string, string>({
      input: [ANNA, BERT, '85073003526'],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      key: (ssin) => ssin,
      call: async (ssin, context) => {
        if (ssin === '85073003526') throw Object.assign(new Error('not found'), { status: 404 });
        if (context.attempt === 1) throw Object.assign(new Error(`reset for ${ssin}`), { code: 'ECONNRESET' });
        return names[ssin]!;
      },
      onSuccess: (_ssin, name, info: SuccessInfo) => {
        table.set(info.key, { name, maskedKey: info.maskedKey }); // the upsert the docs advise
      },
      store,
      clock,
      random: () => 0.5,
      announcement: TEST_ANNOUNCEMENT,
    });
    run.on('retry', (event) => retries.push(event));
    run.on('reject', (record) => rejects.push(record));
    const summary = await runToEnd(clock, run);

    expect(summary.totals.succeeded).toBe(2);
    expect([...table.entries()].sort()).toEqual([
      [ANNA, { name: 'Anna', maskedKey: '85.07.30-***.**' }],
      [BERT, { name: 'Bert', maskedKey: '85.07.30-***.**' }],
    ]);
    // Masking stays for everything else: events, the store's records.
    const shown = JSON.stringify({ retries, rejects, records });
    expect(records.map((r) => r.key).sort()).toEqual(['85.07.30-***.**', '85.07.30-***.**', '85.07.30-***.**']);
    expect(retries.map((r) => r.key)).toEqual(['85.07.30-***.**', '85.07.30-***.**']);
    for (const ssin of [ANNA, BERT, '85073003526']) expect(shown).not.toContain(ssin);
  });

  it('is #position without a key function, and the call context keeps the key masked', async () => {
    const clock = new FakeClock();
    const infos: SuccessInfo[] = [];
    const contextKeys: string[] = [];
    const recording = (key?: (ssin: string) => string) =>
      createRun<string, number>({
        input: [ANNA],
        source: 'rn',
        sources: { rn: { kind: 'rn' } },
        ...(key && { key }),
        call: (_ssin, context) => {
          contextKeys.push(context.key);
          return 1;
        },
        onSuccess: (_ssin, _value, info) => void infos.push(info),
        clock,
        announcement: TEST_ANNOUNCEMENT,
      });
    await runToEnd(clock, recording());
    expect(infos).toEqual([{ position: 0, key: '#0', maskedKey: '#0', source: 'rn', attempts: 1 }]);

    await runToEnd(clock, recording((ssin) => `person ${ssin}`));
    expect(infos[1]).toMatchObject({ key: `person ${ANNA}`, maskedKey: 'person 85.07.30-***.**' });
    expect(contextKeys).toEqual(['#0', 'person 85.07.30-***.**']);
  });
});
