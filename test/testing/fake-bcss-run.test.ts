/**
 * A batch as a consumer tests it: the engine, our client and the in-process fake BCSS, all on
 * one FakeClock. Calls of 5 s take exactly 5 s of fake time, the cap is measured at the fake,
 * SSDN calls built the documented way (service bodies in their namespaces, period dates in SSDN
 * Common) are accepted, and a body in the wrong namespace fails as it would against the BCSS.
 */
import { describe, expect, it } from 'vitest';
import { bcssClassifier, createBcssClient, createRun, inNamespace, MemoryStore, type BcssClient, type BcssReply, type RunOptions } from '../../src/index.js';
import { createFakeBcss, FakeClock, RETRIEVE_TI_GROUPS_V2 as RTG } from '../../src/testing.js';
import { TEST_ANNOUNCEMENT, validInsz } from '../helpers.js';

const SSDN_COMMON = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Common';
const IPR = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/IdentifyPerson';
const MAR = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/ManageAccess';

/** Valid national numbers: born 1985-07-30, counters 1.. */
const ssin = (counter: number): string => validInsz(counter);

function clientOf(transport: ReturnType<typeof createFakeBcss>['transport']): BcssClient {
  return createBcssClient({
    transport,
    customer: { cbeNumber: '0123456789' },
    ssdnUser: { userId: '00901234567', email: 'batch@example.be', orgUnit: '0123456789', matrixId: 17, matrixSubId: 1 },
  });
}

function run(client: BcssClient, clock: FakeClock, input: string[], call: RunOptions<string, BcssReply>['call'], store = new MemoryStore()) {
  return createRun<string, BcssReply>({
    announcement: TEST_ANNOUNCEMENT,
    input,
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    key: (person) => person,
    call,
    classify: bcssClassifier(),
    rejectBudget: false,
    overload: false,
    clock,
    store,
    calendar: { enforce: false, override: { reason: 'in-process fake BCSS in a unit test' } },
  });
}

describe('a run on a FakeClock against the in-process fake BCSS', () => {
  it('12 RetrieveTIGroups calls of 5 s at a cap of 4 take exactly 15 s of fake time; the fake saw a peak of 4', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 20, 0, 0));
    const bcss = createFakeBcss({ clock, latencyMs: 5_000, outcomes: { [ssin(3)]: 'not-found', [ssin(4)]: { replacedBy: '17073003384' } } });
    const client = clientOf(bcss.transport);
    const store = new MemoryStore();
    const lookup: RunOptions<string, BcssReply>['call'] = (person, { signal }) =>
      client.soa({ path: RTG.path, request: { name: RTG.requestElement, namespace: RTG.namespace, body: { searchInformation: { ssin: person, language: 'fr' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' }, { signal });
    const batch = run(client, clock, Array.from({ length: 12 }, (_, i) => ssin(i + 1)), lookup, store);
    const start = clock.now();
    const done = batch.start();
    await clock.runUntil(() => batch.state === 'completed');
    const summary = await done;
    expect(clock.now() - start).toBe(15_000);
    expect(summary.totals).toMatchObject({ read: 12, succeeded: 11, rejected: 1, attempts: 12 });
    expect(bcss.peak(`/${RTG.path}`)).toBe(4);
    expect(bcss.refusals).toEqual([]);
    expect(store.rejects().map((r) => r.code)).toEqual(['MSG00006']);
  });

  it('a Retry-After of 60 s waits 60 s of fake time before the next attempt', async () => {
    const clock = new FakeClock();
    const bcss = createFakeBcss({ clock, latencyMs: 1_000, outcomes: { [ssin(1)]: [{ httpStatus: 503, retryAfter: '60' }, 'found'] } });
    const client = clientOf(bcss.transport);
    const lookup: RunOptions<string, BcssReply>['call'] = (person, { signal }) =>
      client.soa({ path: RTG.path, request: { name: RTG.requestElement, namespace: RTG.namespace, body: { searchInformation: { ssin: person } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' }, { signal });
    const batch = run(client, clock, [ssin(1)], lookup);
    const start = clock.now();
    const done = batch.start();
    await clock.runUntil(() => batch.state === 'completed');
    expect((await done).totals).toMatchObject({ succeeded: 1, attempts: 2 });
    expect(clock.now() - start).toBe(1_000 + 60_000 + 1_000);
  });

  it('SSDN IdentifyPerson and ManageAccess built the documented way are accepted; a body in the wrong namespace is rejected', async () => {
    const clock = new FakeClock();
    const bcss = createFakeBcss({ clock, latencyMs: 2_000 });
    const client = clientOf(bcss.transport);
    const identify: RunOptions<string, BcssReply>['call'] = (person, { signal }) =>
      client.ssdn({ serviceId: 'OCMWCPASIdentifyPerson', version: '20050930', request: { name: 'IdentifyPersonRequest', namespace: IPR, body: { SearchCriteria: { SSIN: person } } } }, { signal });
    const register: RunOptions<string, BcssReply>['call'] = (person, { signal }) =>
      client.ssdn(
        {
          serviceId: 'OCMWCPASManageAccess',
          version: '20050930',
          request: {
            name: 'ManageAccessRequest',
            namespace: MAR,
            body: { SSIN: person, Purpose: 10, Period: { StartDate: inNamespace(SSDN_COMMON, '2026-01-01') }, Action: 'REGISTER', ProofOfAuthentication: { IdentityCardNumber: '591413288107' } },
          },
        },
        { signal },
      );
    const misplaced: RunOptions<string, BcssReply>['call'] = (person, { signal }) =>
      client.ssdn(
        {
          serviceId: 'OCMWCPASManageAccess',
          version: '20050930',
          // StartDate left in the ManageAccess namespace: the schema puts it in SSDN Common.
          request: { name: 'ManageAccessRequest', namespace: MAR, body: { SSIN: person, Purpose: 10, Period: { StartDate: '2026-01-01' }, Action: 'REGISTER', ProofOfAuthentication: { IdentityCardNumber: '591413288107' } } },
        },
        { signal },
      );
    for (const [call, expected] of [
      [identify, { succeeded: 2, rejected: 0 }],
      [register, { succeeded: 2, rejected: 0 }],
      [misplaced, { succeeded: 0, rejected: 2 }],
    ] as const) {
      const store = new MemoryStore();
      const batch = run(client, clock, [ssin(1), ssin(2)], call, store);
      const done = batch.start();
      await clock.runUntil(() => batch.state === 'completed');
      expect((await done).totals).toMatchObject(expected);
      if (expected.rejected > 0) expect(store.rejects().map((r) => r.code)).toEqual(['31000007', '31000007']);
    }
    expect(bcss.calls.map((c) => c.service)).toEqual(['IdentifyPerson', 'IdentifyPerson', 'ManageAccess', 'ManageAccess']);
    expect(bcss.refusals.map((r) => r.reason)).toEqual([expect.stringContaining('Period/StartDate'), expect.stringContaining('Period/StartDate')]);
  });
});
