/**
 * The fake BCSS over real HTTP on loopback, called by our client: outcomes per attempt and per
 * call, the peak of simultaneous calls per service path, HTTP Basic, a consumer's own service
 * as a table entry, and the refusal a request in the wrong namespace gets.
 */
import { describe, expect, it } from 'vitest';
import { createBcssClient } from '../../src/bcss/client.js';
import { RETRIEVE_TI_GROUPS_V2, startFakeBcss, type FakeSoaService } from '../../src/testing.js';

const RTG = RETRIEVE_TI_GROUPS_V2;
/** A consumer's own SOA service, added to the fake as a table entry. */
const PENSIONS: FakeSoaService = {
  ...RTG,
  name: 'Pensions (test)',
  path: 'PensionService/v1/consultPension',
  soapAction: 'urn:test:pensions/consultPension',
  namespace: 'urn:test:pensions',
  requestElement: 'consultPensionRequest',
  responseElement: 'consultPensionResponse',
  faultElement: 'consultPensionFault',
};
const customer = { cbeNumber: '0123456789' };

/** A valid call of a service of the table: `searchInformation` with the ssin. */
function call(ssin: string, service: FakeSoaService = RTG, namespace = service.namespace) {
  return {
    path: service.path,
    soapAction: service.soapAction,
    request: { name: service.requestElement, namespace, body: { searchInformation: { ssin, language: 'fr' } } },
    legalContext: 'PCSA:SOCIAL_INQUIRY',
  };
}

describe('startFakeBcss', () => {
  it('answers a list of outcomes one per attempt, the last repeated, and counts calls per number', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0, outcomes: { '85073003328': ['not-integrated', 'not-found'] } });
    const client = createBcssClient({ url: bcss.url, customer });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) codes.push((await client.soa(call('85073003328'))).status!.code);
    expect(codes).toEqual(['MSG00012', 'MSG00100', 'MSG00100']);
    expect(bcss.callsFor('85073003328')).toBe(3);
    expect(bcss.calls.map((c) => [c.attempt, c.service, c.legalContext, c.customer['cbeNumber']])).toEqual([
      [1, 'RetrieveTIGroups v2', 'PCSA:SOCIAL_INQUIRY', '0123456789'],
      [2, 'RetrieveTIGroups v2', 'PCSA:SOCIAL_INQUIRY', '0123456789'],
      [3, 'RetrieveTIGroups v2', 'PCSA:SOCIAL_INQUIRY', '0123456789'],
    ]);
    client.close();
    await bcss.close();
  });

  it('takes a function of the call, falling back to defaultOutcome; a consumer adds a service as a table entry', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0, services: [PENSIONS], defaultOutcome: 'deceased', outcomes: (c) => (c.service === PENSIONS.name ? 'not-integrated' : undefined) });
    const client = createBcssClient({ url: bcss.url, customer });
    expect((await client.soa(call('85073003328', PENSIONS))).status?.code).toBe('MSG00012');
    expect((await client.soa(call('85073003328'))).status?.code).toBe('MSG00009');
    client.close();
    await bcss.close();
  });

  it('records the peak of simultaneous calls in all and per path, and reset() forgets them', async () => {
    const bcss = await startFakeBcss({ latencyMs: 200, services: [PENSIONS] });
    const client = createBcssClient({ url: bcss.url, customer, maxSockets: 8 });
    await Promise.all([...Array.from({ length: 3 }, () => client.soa(call('85073003328'))), ...Array.from({ length: 2 }, () => client.soa(call('85073003328', PENSIONS)))]);
    expect(bcss.peak(`/${RTG.path}`)).toBe(3);
    expect(bcss.peak(`/${PENSIONS.path}`)).toBe(2);
    expect(bcss.peak()).toBe(5);
    expect(bcss.inFlight()).toBe(0);
    bcss.reset();
    expect([bcss.peak(), bcss.calls.length, bcss.callsFor('85073003328')]).toEqual([0, 0, 0]);
    client.close();
    await bcss.close();
  });

  it('the client keeps at most maxSockets connections: extra calls wait for a socket', async () => {
    const bcss = await startFakeBcss({ latencyMs: 200 });
    const client = createBcssClient({ url: bcss.url, customer, maxSockets: 2 });
    await Promise.all(Array.from({ length: 6 }, () => client.soa(call('85073003328'))));
    expect(bcss.peak()).toBe(2);
    client.close();
    await bcss.close();
  });

  it('requires HTTP Basic when configured', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0, basicAuth: { username: 'u', password: 'p' } });
    const good = createBcssClient({ url: bcss.url, customer, basicAuth: { username: 'u', password: 'p' } });
    const none = createBcssClient({ url: bcss.url, customer });
    expect((await good.soa(call('85073003328'))).status?.value).toBe('DATA_FOUND');
    await expect(none.soa(call('85073003328'))).rejects.toMatchObject({ status: 401 });
    expect(bcss.calls.map((c) => c.authorized)).toEqual([true]);
    good.close();
    none.close();
    await bcss.close();
  });

  it('refuses what the BCSS refuses: not SOAP, a request element in the wrong namespace (SOA-03001), no service at the path (404)', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0 });
    const raw = await fetch(`${bcss.url}/${RTG.path}`, { method: 'POST', headers: { soapaction: `"${RTG.soapAction}"` }, body: 'hello' });
    expect(raw.status).toBe(500);
    expect(await raw.text()).toContain('<Code>SOA-03001</Code>');
    const client = createBcssClient({ url: bcss.url, customer });
    await expect(client.soa(call('85073003328', RTG, 'urn:demo'))).rejects.toMatchObject({ httpStatus: 500 });
    await expect(client.soa({ ...call('85073003328'), path: 'PersonService/v1/consultPerson' })).rejects.toMatchObject({ status: 404 });
    expect(bcss.calls).toHaveLength(0);
    expect(bcss.refusals.map((r) => r.code)).toEqual(['SOA-03001', 'SOA-03001', 'HTTP_404']);
    expect(bcss.refusals[1]?.reason).toContain('{urn:demo}retrieveTIGroupsRequest');
    client.close();
    await bcss.close();
  });
});
