/**
 * Every request body the guide (docs/bcss-client.md) and the examples show is built by the
 * client and validated, as it goes on the wire (captured through a transport), against the
 * project's XML Schema fixtures with xmllint: the SOAP envelope, the SSDN xmlString and the
 * SSDNRequest it carries, and the service's own element, whose expanded name is checked so that
 * a body in the wrong namespace cannot pass a lax wildcard unvalidated.
 */
import { describe, expect, it } from 'vitest';
import { createBcssClient, type SoaRequest, type SsdnRequest } from '../../src/bcss/client.js';
import {
  IDENTIFY_PERSON_NS,
  MANAGE_ACCESS_NS,
  RETRIEVE_TI_GROUPS_V2_NS,
  RETRIEVE_TI_GROUPS_V2_SOAP_ACTION,
  SSDN_COMMON_NS,
  SSDN_SEND_XML_SOAP_ACTION,
} from '../../src/bcss/contract.js';
import { inNamespace, type XmlElement } from '../../src/bcss/soap.js';
import type { BcssHttpRequest, BcssTransport } from '../../src/bcss/transport.js';
import { readReply } from '../support/reply-fixtures.js';
import { el, expandedName, validateXml, xpathText } from '../support/xsd.js';

const SSIN = '85073003328';
const SSIN_2000 = '17073003384';

/** A client whose transport keeps every request and answers with `reply`. */
function capturing(reply: string) {
  const sent: BcssHttpRequest[] = [];
  const transport: BcssTransport = async (request) => {
    sent.push(request);
    return { status: 200, headers: { 'content-type': 'text/xml' }, body: reply };
  };
  const client = createBcssClient({
    transport,
    customer: { cbeNumber: '0212344876' },
    ssdnUser: { userId: SSIN, email: 'batch@example.be', orgUnit: '0212344876', matrixId: 17, matrixSubId: 1 },
  });
  return { client, sent };
}

const BODY = `/${el('Envelope')}/${el('Body')}`;

function expectValid(xml: string, what: string): void {
  const verdict = validateXml(xml, 'bcss-all');
  expect(verdict.errors, `${what}:\n${xml}`).toEqual([]);
  expect(verdict.valid).toBe(true);
}

async function soaEnvelope(request: SoaRequest): Promise<BcssHttpRequest> {
  const { client, sent } = capturing(readReply('soa-data-found.xml'));
  await client.soa(request);
  return sent[0]!;
}

async function ssdnEnvelope(request: SsdnRequest): Promise<{ http: BcssHttpRequest; ssdnRequest: string }> {
  const { client, sent } = capturing(readReply('ssdn-ok.xml'));
  await client.ssdn(request);
  const http = sent[0]!;
  return { http, ssdnRequest: xpathText(http.body, `${BODY}/${el('xmlString')}`) };
}

const rtg = (searchInformation: XmlElement): SoaRequest => ({
  path: 'RetrieveTIGroupsService/v2/retrieveTI',
  request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation } },
  legalContext: 'PCSA:SOCIAL_INQUIRY',
});

describe('SOA: RetrieveTIGroups v2', () => {
  it.each([
    ['the guide and examples/bcss-batch.ts: ssin and language', { ssin: SSIN, language: 'fr' }],
    ['with history', { ssin: SSIN_2000, language: 'nl', history: true }],
    ['ssin alone (language and history have defaults)', { ssin: '98472899765' }],
  ])('%s: the envelope validates, the request element is the v2 one, the WSDL SOAPAction is sent', async (_, searchInformation) => {
    const http = await soaEnvelope(rtg(searchInformation));
    expectValid(http.body, 'envelope');
    expect(expandedName(http.body, `${BODY}/*`)).toBe(`{${RETRIEVE_TI_GROUPS_V2_NS}}retrieveTIGroupsRequest`);
    expect(http.headers['soapaction']).toBe(`"${RETRIEVE_TI_GROUPS_V2_SOAP_ACTION}"`);
    expect(http.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(http.url).toBe('http://bcss.invalid/RetrieveTIGroupsService/v2/retrieveTI');
  });

  it('the old README body { ssin } does not validate (the schema wants searchInformation)', async () => {
    const http = await soaEnvelope({ ...rtg({}), request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { ssin: SSIN } } });
    expect(validateXml(http.body, 'bcss-all').valid).toBe(false);
  });

  it('a qualified body where the schema wants unqualified children does not validate', async () => {
    const request = rtg({ ssin: SSIN });
    const http = await soaEnvelope({ ...request, request: { ...request.request, elementForm: 'qualified' } });
    expect(validateXml(http.body, 'bcss-all').valid).toBe(false);
  });

  it('the SOAPAction can be overridden per call', async () => {
    const http = await soaEnvelope({ ...rtg({ ssin: SSIN }), soapAction: 'urn:other' });
    expect(http.headers['soapaction']).toBe('"urn:other"');
  });
});

const identify = (body: Record<string, unknown>): SsdnRequest => ({
  path: 'connectors/webservice/KSZBCSSWebServiceConnectorPort',
  serviceId: 'OCMWCPASIdentifyPerson',
  version: '20050930',
  request: { name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: body as never },
});

const manageAccess = (body: Record<string, unknown>): SsdnRequest => ({
  serviceId: 'OCMWCPASManageAccess',
  version: '20050930',
  request: { name: 'ManageAccessRequest', namespace: MANAGE_ACCESS_NS, body: body as never },
});

const SSDN_BODIES: Array<[string, SsdnRequest, string]> = [
  ['IdentifyPerson by SSIN (the guide)', identify({ SearchCriteria: { SSIN } }), `{${IDENTIFY_PERSON_NS}}IdentifyPersonRequest`],
  [
    'IdentifyPerson by phonetic criteria, with verification data',
    identify({
      SearchCriteria: { PhoneticCriteria: { LastName: 'Peeters', FirstName: 'Jan', BirthDate: '1985-07-00', Gender: 1, Tolerance: 1, Maximum: 10 } },
      VerificationData: { PersonData: { LastName: 'Peeters', BirthDate: '1985-07-30' } },
    }),
    `{${IDENTIFY_PERSON_NS}}IdentifyPersonRequest`,
  ],
  [
    'ManageAccess REGISTER, the guide\'s body',
    manageAccess({
      SSIN,
      Purpose: 10,
      Period: { StartDate: inNamespace(SSDN_COMMON_NS, '2026-12-01'), EndDate: inNamespace(SSDN_COMMON_NS, '2026-12-31') },
      Action: 'REGISTER',
      ProofOfAuthentication: { PersonData: { LastName: 'Peeters', BirthDate: '1985-07-30' } },
    }),
    `{${MANAGE_ACCESS_NS}}ManageAccessRequest`,
  ],
  [
    'ManageAccess REGISTER with sector and register, dates in SSDN Common',
    manageAccess({
      SSIN: SSIN_2000,
      Purpose: 10,
      Period: { StartDate: inNamespace(SSDN_COMMON_NS, '2026-12-01'), EndDate: inNamespace(SSDN_COMMON_NS, '2026-12-31') },
      Action: 'REGISTER',
      Sector: 17,
      QueryRegister: 'SECONDARY',
      ProofOfAuthentication: { PersonData: { LastName: 'Peeters', BirthDate: '2017-07-30' } },
    }),
    `{${MANAGE_ACCESS_NS}}ManageAccessRequest`,
  ],
];

describe('SSDN: xmlString in soap:Body, the SSDNRequest inside, the service body in its namespace', () => {
  it.each(SSDN_BODIES)('%s validates', async (_, request, expected) => {
    const { http, ssdnRequest } = await ssdnEnvelope(request);
    expectValid(http.body, 'envelope');
    expect(expandedName(http.body, `${BODY}/*`)).toBe('{http://ksz-bcss.fgov.be/connectors/WebServiceConnector}xmlString');
    expect(http.headers['soapaction']).toBe(`"${SSDN_SEND_XML_SOAP_ACTION}"`);
    expectValid(ssdnRequest, 'SSDNRequest');
    expect(expandedName(ssdnRequest, '/*')).toBe('{http://www.ksz-bcss.fgov.be/XSD/SSDN/Service}SSDNRequest');
    expect(expandedName(ssdnRequest, `/*/${el('ServiceRequest')}/*[3]`)).toBe(expected);
  });

  it('ManageAccess dates left in the ManageAccess namespace do not validate', async () => {
    const { ssdnRequest } = await ssdnEnvelope(
      manageAccess({ SSIN, Purpose: 10, Period: { StartDate: '2026-12-01' }, Action: 'REGISTER', ProofOfAuthentication: { SISCardNumber: '1234567890' } }),
    );
    expect(validateXml(ssdnRequest, 'bcss-all').valid).toBe(false);
  });

  it('a service element given the SSDN namespace is not the IdentifyPerson element', async () => {
    const request = identify({ SearchCriteria: { SSIN } });
    const { ssdnRequest } = await ssdnEnvelope({ ...request, request: { ...request.request, namespace: 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Service' } });
    expect(expandedName(ssdnRequest, `/*/${el('ServiceRequest')}/*[3]`)).not.toBe(`{${IDENTIFY_PERSON_NS}}IdentifyPersonRequest`);
  });
});
