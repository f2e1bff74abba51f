/**
 * The fake BCSS in process, on a FakeClock: latency in exact fake time, peaks of simultaneous
 * calls, the abort signal honoured; and the HTTP fake and the in-process fake answer byte for
 * byte the same (one core).
 */
import { describe, expect, it } from 'vitest';
import { createFakeBcss, startFakeBcss, type FakeBcssOutcome } from '../../src/testing.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { exchange, identifyPersonBody, RTG_ACTION, RTG_PATH, retrieveTiGroups, SEND_XML, sendXml, SSDN_PATH, ssdnRequest } from '../support/fake-bcss-requests.js';

const SSIN = '85073003328';

describe('createFakeBcss: the fake BCSS in process, on a clock', () => {
  it('a latency of 5 s takes exactly 5 s of fake time, and the reply carries the clock’s timestamps', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 21, 0, 0));
    const bcss = createFakeBcss({ clock, latencyMs: 5_000 });
    let settled = false;
    const pending = bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN))).finally(() => (settled = true));
    await clock.advance(4_999);
    expect(settled).toBe(false);
    expect(bcss.inFlight()).toBe(1);
    await clock.advance(1);
    expect(settled).toBe(true);
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<timestampReceive>2026-01-05T21:00:00.000Z</timestampReceive><timestampReply>2026-01-05T21:00:05.000Z</timestampReply>');
    expect(bcss.inFlight()).toBe(0);
  });

  it('per-call latency and delayMs outcomes add up in fake time', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const bcss = createFakeBcss({ clock, latencyMs: (call) => (call.attempt === 1 ? 1_000 : 200), outcomes: { [SSIN]: [{ delayMs: 60_000, then: 'not-found' }, 'found'] } });
    const first = bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN)));
    await clock.advance(60_999);
    expect(bcss.inFlight()).toBe(1);
    await clock.advance(1);
    expect((await first).body).toContain('<code>MSG00100</code>');
    const second = bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN)));
    await clock.advance(200);
    expect((await second).body).toContain('<code>MSG00000</code>');
    expect(clock.now() - start).toBe(61_200);
    expect(bcss.callsFor(SSIN)).toBe(2);
  });

  it('counts the peak of simultaneous calls, in all and per path, and reset() keeps those in flight', async () => {
    const clock = new FakeClock();
    const bcss = createFakeBcss({ clock, latencyMs: 1_000 });
    const ssdn = sendXml(ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN)));
    const all = [
      ...Array.from({ length: 4 }, () => bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN)))),
      ...Array.from({ length: 2 }, () => bcss.transport(exchange(SSDN_PATH, SEND_XML, ssdn))),
    ];
    await clock.advance(0);
    expect([bcss.peak(RTG_PATH), bcss.peak(SSDN_PATH), bcss.peak(), bcss.inFlight()]).toEqual([4, 2, 6, 6]);
    bcss.reset();
    expect([bcss.peak(), bcss.calls.length]).toEqual([6, 0]);
    await clock.advance(1_000);
    await Promise.all(all);
    expect(bcss.inFlight()).toBe(0);
    const later = bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN)));
    await clock.advance(1_000);
    await later;
    expect(bcss.calls.map((c) => [c.family, c.service, c.operation, c.ssin])).toEqual([['soa', 'RetrieveTIGroups v2', 'retrieveTIGroupsRequest', SSIN]]);
  });

  it('honours the abort signal: the exchange rejects with its reason, the timer is gone, the call leaves the in-flight count', async () => {
    const clock = new FakeClock();
    const bcss = createFakeBcss({ clock, latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN), controller.signal));
    await clock.advance(3_000);
    expect(bcss.inFlight()).toBe(1);
    const reason = new Error('timeout of the run');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(bcss.inFlight()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    const already = new AbortController();
    already.abort(reason);
    await expect(bcss.transport(exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN), already.signal))).rejects.toBe(reason);
  });

  it('checks HTTP Basic like the server does', async () => {
    const bcss = createFakeBcss({ clock: new FakeClock(), latencyMs: 0, basicAuth: { username: 'u', password: 'p' } });
    const request = exchange(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN));
    expect((await bcss.transport(request)).status).toBe(401);
    const good = await bcss.transport({ ...request, headers: { ...request.headers, authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
    expect(good.status).toBe(200);
    expect(bcss.calls.map((c) => c.authorized)).toEqual([true]);
  });
});

describe('one core: the HTTP fake and the in-process fake answer the same bytes', () => {
  const cases: Array<[string, string, string, FakeBcssOutcome]> = [
    ['SOA found', RTG_PATH, retrieveTiGroups(SSIN), 'found'],
    ['SOA replaced', RTG_PATH, retrieveTiGroups(SSIN), { replacedBy: '17073003384' }],
    ['SOA CBSS fault', RTG_PATH, retrieveTiGroups(SSIN), { fault: 'MSG00003' }],
    ['SOA SystemError', RTG_PATH, retrieveTiGroups(SSIN), { fault: 'SOA-02001' }],
    ['SSDN found', SSDN_PATH, sendXml(ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN))), 'found'],
    ['SSDN error', SSDN_PATH, sendXml(ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN))), 'unknown-ssin'],
    ['SSDN refused', SSDN_PATH, sendXml(ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN, 'urn:wrong'))), 'found'],
    ['sendXML wrapper', SSDN_PATH, sendXml(ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN)), 'wrapped'), 'found'],
  ];

  it.each(cases)('%s', async (_name, path, body, outcome) => {
    const at = Date.UTC(2026, 0, 5, 21, 30, 0);
    const options = { latencyMs: 0, defaultOutcome: outcome };
    const server = await startFakeBcss({ ...options, clock: new FakeClock(at) });
    const inProcess = createFakeBcss({ ...options, clock: new FakeClock(at) });
    try {
      const action = path === RTG_PATH ? RTG_ACTION : 'http://ksz-bcss.fgov.be/connectors/WebServiceConnector/sendXML';
      const overHttp = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }, body });
      const direct = await inProcess.transport(exchange(path, action, body));
      expect(overHttp.status).toBe(direct.status);
      expect(await overHttp.text()).toBe(direct.body);
      expect(overHttp.headers.get('content-type')).toBe(direct.headers['content-type']);
    } finally {
      await server.close();
    }
  });
});
