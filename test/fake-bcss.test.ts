import { describe, expect, it } from 'vitest';
import { createBcssClient } from '../src/bcss/client.js';
import { startFakeBcss } from '../src/testing/fake-bcss.js';

const request = (ssin: string, path?: string) => ({ ...(path === undefined ? {} : { path }), request: { name: 'r', namespace: 'urn:r', body: { ssin } }, legalContext: 'A:B' });

describe('startFakeBcss', () => {
  it('answers a list of outcomes one per attempt, the last repeated, and counts calls per number', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0, outcomes: { '85073003328': ['incomplete', 'not-found'] } });
    const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' } });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) codes.push((await client.soa(request('85073003328'))).status!.code);
    expect(codes).toEqual(['HAN20200', 'MSG00100', 'MSG00100']);
    expect(bcss.callsFor('85073003328')).toBe(3);
    expect(bcss.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    client.close();
    await bcss.close();
  });

  it('takes a function of the call, falling back to defaultOutcome', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0, defaultOutcome: 'deceased', outcomes: (call) => (call.path === '/a' ? 'not-integrated' : undefined) });
    const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' } });
    expect((await client.soa(request('1', 'a'))).status?.code).toBe('MSG00012');
    expect((await client.soa(request('1', 'b'))).status?.code).toBe('MSG00009');
    client.close();
    await bcss.close();
  });

  it('records the peak of simultaneous calls in all and per path, and reset() forgets them', async () => {
    const bcss = await startFakeBcss({ latencyMs: 200 });
    const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, maxSockets: 8 });
    await Promise.all([...Array.from({ length: 3 }, () => client.soa(request('1', 'a'))), ...Array.from({ length: 2 }, () => client.soa(request('2', 'b')))]);
    expect(bcss.peak('/a')).toBe(3);
    expect(bcss.peak('/b')).toBe(2);
    expect(bcss.peak()).toBe(5);
    expect(bcss.inFlight()).toBe(0);
    bcss.reset();
    expect([bcss.peak(), bcss.calls.length, bcss.callsFor('1')]).toEqual([0, 0, 0]);
    client.close();
    await bcss.close();
  });

  it('the client keeps at most maxSockets connections: extra calls wait for a socket', async () => {
    const bcss = await startFakeBcss({ latencyMs: 200 });
    const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, maxSockets: 2 });
    await Promise.all(Array.from({ length: 6 }, () => client.soa(request('1'))));
    expect(bcss.peak()).toBe(2);
    client.close();
    await bcss.close();
  });

  it('requires HTTP Basic when configured', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0, basicAuth: { username: 'u', password: 'p' } });
    const good = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, basicAuth: { username: 'u', password: 'p' } });
    const none = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' } });
    expect((await good.soa(request('1'))).status?.value).toBe('DATA_FOUND');
    await expect(none.soa(request('1'))).rejects.toMatchObject({ status: 401 });
    expect(bcss.calls.map((c) => c.authorized)).toEqual([true]);
    good.close();
    none.close();
    await bcss.close();
  });

  it('answers a request without SOAP envelope or legal context with a Client fault', async () => {
    const bcss = await startFakeBcss({ latencyMs: 0 });
    const raw = await fetch(bcss.url, { method: 'POST', body: 'hello' });
    expect(raw.status).toBe(500);
    expect(await raw.text()).toContain('<faultcode>soapenv:Client</faultcode>');
    const noContext = `<Envelope><Body><r><informationCustomer><customerIdentification><cbeNumber>0123456789</cbeNumber></customerIdentification></informationCustomer></r></Body></Envelope>`;
    expect(await (await fetch(bcss.url, { method: 'POST', body: noContext })).text()).toContain('legalContext are mandatory');
    expect(bcss.calls).toHaveLength(0);
    await bcss.close();
  });
});
