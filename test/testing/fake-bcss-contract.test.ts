/**
 * The fake BCSS against the BCSS's contract: every reply it gives, for every outcome and in both
 * families, validates against our schema fixtures (written from the BCSS's XSD files) with a
 * real validator (xmllint); requests the BCSS would refuse get the BCSS's refusal, never "found".
 * Requests are written by hand from the schemas, and checked against them first.
 */
import { describe, expect, it } from 'vitest';
import { createFakeBcss, type FakeBcssOutcome } from '../../src/testing.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { assertValidXml, el, expandedName, xpathText } from '../support/xsd.js';
import {
  COMMON,
  exchange,
  identifyPersonBody,
  IPR,
  MAR,
  manageAccessBody,
  RTG,
  RTG_ACTION,
  RTG_PATH,
  retrieveTiGroups,
  searchInformation,
  SEND_XML,
  sendXml,
  SSDN_PATH,
  ssdnRequest,
} from '../support/fake-bcss-requests.js';

const SSIN = '85073003328';
const OUTCOMES: FakeBcssOutcome[] = [
  'found',
  'not-found',
  'deceased',
  'incomplete',
  'unknown-ssin',
  'invalid-data',
  'invalid-ssin',
  'not-integrated',
  'not-authorised',
  { replacedBy: '17073003384' },
  { fault: 'MSG00003' },
  { fault: 'MSG00013' },
  { fault: 'SOA-01001' },
  { fault: 'SOA-01002' },
  { fault: 'SOA-02001' },
  { fault: 'SOA-02002' },
  { fault: 'SOA-03001' },
];

const BODY = `/${el('Envelope')}/${el('Body')}/*`;
const inner = (xml: string) => xpathText(xml, `/${el('Envelope')}/${el('Body')}/${el('xmlString')}`);

/** Answers one request with a given outcome, in process, at a fixed fake time. */
async function answer(path: string, action: string, request: string, outcome: FakeBcssOutcome = 'found') {
  const fake = createFakeBcss({ clock: new FakeClock(), latencyMs: 0, defaultOutcome: outcome });
  const reply = await fake.transport(exchange(path, action, request));
  return { reply, fake };
}

describe('the hand-written requests of these tests follow the schemas', () => {
  it('RetrieveTIGroups v2, IdentifyPerson and ManageAccess (escaped and CDATA) validate', () => {
    const rtg = retrieveTiGroups(SSIN);
    assertValidXml(rtg, 'bcss-all');
    expect(expandedName(rtg, BODY)).toBe(`{${RTG}}retrieveTIGroupsRequest`);
    for (const ssdn of [ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN)), ssdnRequest('OCMWCPASManageAccess', manageAccessBody(SSIN))]) {
      for (const form of ['escaped', 'cdata'] as const) {
        const xml = sendXml(ssdn, form);
        assertValidXml(xml, 'bcss-all');
        expect(inner(xml)).toBe(ssdn);
        assertValidXml(ssdn, 'bcss-all');
      }
    }
  });
});

describe('every reply validates against the schemas', () => {
  it.each(OUTCOMES.map((o) => [JSON.stringify(o), o] as const))('RetrieveTIGroups v2, outcome %s', async (_name, outcome) => {
    const { reply } = await answer(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN), outcome);
    assertValidXml(reply.body, 'bcss-all');
    const isFault = typeof outcome === 'object' && 'fault' in outcome;
    const systemError = (isFault && outcome.fault.startsWith('SOA-')) || outcome === 'incomplete';
    expect(reply.status).toBe(isFault || systemError ? 500 : 200);
    const element = expandedName(reply.body, isFault || systemError ? `${BODY}/${el('detail')}/*` : BODY);
    expect(element).toBe(systemError ? '{https://socialsecurity.be/errors/v1}SystemError' : isFault ? `{${RTG}}retrieveTIGroupsFault` : `{${RTG}}retrieveTIGroupsResponse`);
  });

  it('RetrieveTIGroups v2 statuses carry the CommonV3 values and codes, and the new SSIN', async () => {
    const status = async (outcome: FakeBcssOutcome) => {
      const { reply } = await answer(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN), outcome);
      const at = (name: string) => xpathText(reply.body, `//${el('status')}/${el(name)}`);
      return `${at('value')} ${at('code')} ${at('information')}`.trim();
    };
    expect(await status('found')).toBe('DATA_FOUND MSG00000');
    expect(await status('not-found')).toBe('NO_DATA_FOUND MSG00100');
    expect(await status('deceased')).toBe('NO_DATA_FOUND MSG00009');
    expect(await status('unknown-ssin')).toBe('NO_RESULT MSG00005');
    expect(await status({ replacedBy: '17073003384' })).toBe('NO_RESULT MSG00006 newSSIN17073003384');
    expect(await status('not-authorised')).toBe('NO_RESULT MSG00013');
  });

  const ssdnCases = [
    ['IdentifyPerson', ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN)), `{${IPR}}IdentifyPersonReply`],
    ['ManageAccess', ssdnRequest('OCMWCPASManageAccess', manageAccessBody(SSIN)), `{${MAR}}ManageAccessReply`],
  ] as const;
  for (const [name, ssdn, replyElement] of ssdnCases) {
    it.each(OUTCOMES.map((o) => [JSON.stringify(o), o] as const))(`${name}, outcome %s`, async (_name, outcome) => {
      const { reply } = await answer(SSDN_PATH, SEND_XML, sendXml(ssdn), outcome);
      assertValidXml(reply.body, 'bcss-all');
      if (reply.status === 500) {
        expect(xpathText(reply.body, `//${el('faultcode')}`)).toMatch(/^soapenv:(Client|Server)$/);
        return;
      }
      expect(expandedName(reply.body, BODY)).toBe('{http://ksz-bcss.fgov.be/connectors/WebServiceConnector}xmlString');
      const document = inner(reply.body);
      assertValidXml(document, 'bcss-all');
      const serviceReply = `/${el('SSDNReply')}/${el('ServiceReply')}`;
      const returnCode = xpathText(document, `${serviceReply}/${el('ResultSummary')}/${el('ReturnCode')}`);
      expect(xpathText(document, `/${el('SSDNReply')}/${el('ReplyContext')}/${el('ResultSummary')}/${el('ReturnCode')}`)).toBe(returnCode);
      expect(xpathText(document, `//${el('Message')}/${el('TimeReceive')}`)).toMatch(/^\d{8}T\d{6}$/);
      if (returnCode === '0') {
        expect(expandedName(document, `${serviceReply}/*[4]`)).toBe(replyElement);
      } else {
        expect(returnCode).toBe('10000');
        expect(xpathText(document, `//${el('ReplyContext')}//${el('ReasonCode')}`)).toBe('30000001');
        expect(xpathText(document, `${serviceReply}//${el('ReasonCode')}`)).toMatch(/^\d{8}$/);
      }
    });
  }

  it('SSDN replies keep the recorded shapes: 8-digit codes, the fake marks its own, the new SSIN kept', async () => {
    const ssdn = ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN));
    const { reply } = await answer(SSDN_PATH, SEND_XML, sendXml(ssdn), { replacedBy: '17073003384' });
    const document = inner(reply.body);
    const detail = `/${el('SSDNReply')}/${el('ServiceReply')}/${el('ResultSummary')}/${el('Detail')}`;
    expect(xpathText(document, `${detail}/${el('ReasonCode')}`)).toBe('39990006');
    expect(xpathText(document, `${detail}/${el('AuthorCodeList')}`)).toBe('bcss-bulk-fake');
    expect(xpathText(document, `${detail}/${el('Information')}/${el('FieldValue')}`)).toBe('17073003384');
    expect(xpathText(document, `//${el('Message')}/${el('Reference')}`)).toBe('ref-0001');
  });
});

describe('a request the BCSS would refuse gets the BCSS refusal, never "found"', () => {
  const systemErrorCode = (xml: string) => xpathText(xml, `//${el('SystemError')}/${el('Code')}`);

  it('RetrieveTIGroups v2: the request element in the wrong namespace is a malformed message (SOA-03001)', async () => {
    const { reply, fake } = await answer(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN, { namespace: 'urn:demo' }));
    expect(reply.status).toBe(500);
    expect(systemErrorCode(reply.body)).toBe('SOA-03001');
    assertValidXml(reply.body, 'bcss-all');
    expect(fake.calls).toHaveLength(0);
    expect(fake.refusals).toEqual([expect.objectContaining({ code: 'SOA-03001', reason: expect.stringContaining(`{${RTG}}retrieveTIGroupsRequest`) })]);
  });

  it('RetrieveTIGroups v2: a bare ssin instead of searchInformation is refused (SOA-03001), naming the element', async () => {
    const { reply, fake } = await answer(RTG_PATH, RTG_ACTION, retrieveTiGroups(SSIN, { criteria: `<ssin>${SSIN}</ssin>` }));
    expect(systemErrorCode(reply.body)).toBe('SOA-03001');
    expect(fake.refusals[0]?.reason).toContain('searchInformation');
  });

  it('RetrieveTIGroups v2: no legalContext, a ticket over 36 characters, an ssin the SsinType refuses, a wrong SOAPAction', async () => {
    const noContext = retrieveTiGroups(SSIN).replace('<legalContext>PCSA:SOCIAL_INQUIRY</legalContext>', '');
    for (const request of [noContext, retrieveTiGroups(SSIN, { ticket: 'x'.repeat(37) }), retrieveTiGroups('12345678901', { criteria: searchInformation('12345678901') })]) {
      const { reply } = await answer(RTG_PATH, RTG_ACTION, request);
      expect(systemErrorCode(reply.body)).toBe('SOA-03001');
    }
    const { reply, fake } = await answer(RTG_PATH, 'urn:wrong', retrieveTiGroups(SSIN));
    expect(systemErrorCode(reply.body)).toBe('SOA-03001');
    expect(fake.refusals[0]?.reason).toContain('SOAPAction');
  });

  it('SSDN: a sendXML wrapper around xmlString is a malformed message (SOA-03001)', async () => {
    const { reply, fake } = await answer(SSDN_PATH, SEND_XML, sendXml(ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN)), 'wrapped'));
    expect(reply.status).toBe(500);
    expect(systemErrorCode(reply.body)).toBe('SOA-03001');
    expect(fake.refusals[0]?.reason).toContain('directly in the Body');
  });

  it('SSDN: a service request in the wrong namespace gets ReturnCode 10000, 30000001 and 31000007', async () => {
    const ssdn = ssdnRequest('OCMWCPASIdentifyPerson', identifyPersonBody(SSIN, 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Service'));
    const { reply, fake } = await answer(SSDN_PATH, SEND_XML, sendXml(ssdn));
    expect(reply.status).toBe(200);
    const document = inner(reply.body);
    assertValidXml(document, 'bcss-all');
    expect(xpathText(document, `/${el('SSDNReply')}/${el('ReplyContext')}/${el('ResultSummary')}/@ok`)).toBe('NO');
    expect(xpathText(document, `//${el('ReplyContext')}//${el('ReasonCode')}`)).toBe('30000001');
    expect(xpathText(document, `//${el('ServiceReply')}//${el('ReasonCode')}`)).toBe('31000007');
    expect(fake.calls).toHaveLength(0);
    expect(fake.refusals[0]).toMatchObject({ code: '31000007' });
  });

  it('SSDN ManageAccess: a missing Period, or its dates outside SSDN Common, get 31000007 naming the field', async () => {
    for (const [request, field] of [
      [manageAccessBody(SSIN, { withPeriod: false }), 'ManageAccessRequest/Period'],
      [manageAccessBody(SSIN, { dateNamespace: MAR }), 'ManageAccessRequest/Period/StartDate'],
    ] as const) {
      const { reply } = await answer(SSDN_PATH, SEND_XML, sendXml(ssdnRequest('OCMWCPASManageAccess', request)));
      const document = inner(reply.body);
      expect(xpathText(document, `//${el('ServiceReply')}//${el('ReasonCode')}`)).toBe('31000007');
      expect(xpathText(document, `//${el('ServiceReply')}//${el('FieldName')}`)).toBe(field);
    }
    const { reply } = await answer(SSDN_PATH, SEND_XML, sendXml(ssdnRequest('OCMWCPASManageAccess', manageAccessBody(SSIN))));
    expect(xpathText(inner(reply.body), `//${el('ServiceReply')}/${el('ResultSummary')}/${el('ReturnCode')}`)).toBe('0');
    expect(COMMON).toContain('SSDN/Common');
  });

  it('a path where no service is gets HTTP 404', async () => {
    const { reply, fake } = await answer('/PersonService/v1/consultPerson', 'urn:x', retrieveTiGroups(SSIN));
    expect(reply.status).toBe(404);
    expect(fake.refusals[0]).toMatchObject({ code: 'HTTP_404' });
  });
});
