/**
 * The BCSS client inside a run: its own deadline (`timeoutMs`) never tears down a request before
 * the engine lets it (the source's hard deadline), since the BCSS would still count the request.
 */
import { describe, expect, it } from 'vitest';
import { createBcssClient } from '../../src/bcss/client.js';
import { RETRIEVE_TI_GROUPS_V2_NS } from '../../src/bcss/contract.js';
import { createRun } from '../../src/index.js';
import { FakeClock } from '../../src/testing.js';
import { readReply } from '../support/reply-fixtures.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const request = { path: 'RetrieveTIGroupsService/v2/retrieveTI', request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation: { ssin: '85073003328' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' };

describe("the client's deadline in a run", () => {
  it('is stretched to the engine hard deadline: a reply after the client timeoutMs still arrives; outside a run it does not', async () => {
    const transport = () => new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve) => setTimeout(() => resolve({ status: 200, headers: {}, body: readReply('soa-data-found.xml') }), 300));
    const client = createBcssClient({ transport, customer: { cbeNumber: '0212344876' }, timeoutMs: 100 });
    // Outside a run: the client's own deadline tears the exchange down at 100 ms.
    await expect(client.soa(request)).rejects.toMatchObject({ networkCode: 'ETIMEDOUT' });
    // In a run whose source has a hard deadline of 60 s: the request is not torn down before it.
    const codes: (string | undefined)[] = [];
    const run = createRun<number, string | undefined>({
      announcement: TEST_ANNOUNCEMENT,
      input: [1],
      source: 'rn',
      sources: { rn: { kind: 'rn', timeoutMs: 30_000, hardDeadlineMs: 60_000 } },
      clock: new FakeClock(), // the engine's clock stands still: only the client's real timers run
      call: async (_item, context) => {
        const reply = await client.soa(request, { signal: context.signal });
        codes.push(reply.status?.code);
        return reply.status?.code;
      },
    });
    const summary = await run.start();
    expect(summary.totals.succeeded).toBe(1);
    expect(codes).toEqual(['MSG00000']);
  });
});
