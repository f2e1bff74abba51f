import { describe, expect, it } from 'vitest';
import { BcssReplyError, BcssRequestError } from '../../src/bcss/errors.js';
import { IDENTIFY_PERSON_NS } from '../../src/bcss/contract.js';
import { buildSoaEnvelope, buildSsdnEnvelope, buildSsdnRequest, inNamespace, readSoapReply } from '../../src/bcss/soap.js';

const AT = new Date(Date.UTC(2026, 10, 23, 20, 30, 5));

describe('building envelopes', () => {
  it('SOA: the request element in its namespace; informationCustomer, legalContext, then the unqualified body, in that order', () => {
    const xml = buildSoaEnvelope({
      request: { name: 'retrieveTIGroupsRequest', namespace: 'urn:rtg', body: { ssin: '85073003328', period: { beginDate: '2026-01-01', endDate: null }, group: ['A', 'B'], flag: true, skipped: undefined } },
      customer: { cbeNumber: '0123456789' },
      ticket: 't-1',
      timestampSent: AT,
      legalContext: 'PCSA:SOCIAL_INQUIRY',
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header></soapenv:Header><soapenv:Body>' +
        '<ns1:retrieveTIGroupsRequest xmlns:ns1="urn:rtg"><informationCustomer><ticket>t-1</ticket><timestampSent>2026-11-23T20:30:05.000Z</timestampSent>' +
        '<customerIdentification><cbeNumber>0123456789</cbeNumber></customerIdentification></informationCustomer><legalContext>PCSA:SOCIAL_INQUIRY</legalContext>' +
        '<ssin>85073003328</ssin><period><beginDate>2026-01-01</beginDate><endDate></endDate></period><group>A</group><group>B</group><flag>true</flag>' +
        '</ns1:retrieveTIGroupsRequest></soapenv:Body></soapenv:Envelope>',
    );
  });

  it('SOA: a qualified service puts the body (not the common header) in its namespace; inNamespace moves one element', () => {
    const xml = buildSoaEnvelope({
      request: { name: 'r', namespace: 'urn:r', elementForm: 'qualified', body: { criteria: { ssin: '85073003328', period: inNamespace('urn:common', { begin: '2026-01-01' }) } } },
      customer: { sector: 17, institution: 1 },
      ticket: 't',
      timestampSent: AT,
      legalContext: 'A',
    });
    expect(xml).toContain('<ns1:r xmlns:ns1="urn:r" xmlns:ns2="urn:common"><informationCustomer>');
    expect(xml).toContain('<customerIdentification><sector>17</sector><institution>1</institution></customerIdentification>');
    expect(xml).toContain('<legalContext>A</legalContext><ns1:criteria><ns1:ssin>85073003328</ns1:ssin><ns2:period><ns2:begin>2026-01-01</ns2:begin></ns2:period></ns1:criteria></ns1:r>');
  });

  it('escapes texts, attributes and the namespace', () => {
    const xml = buildSoaEnvelope({ request: { name: 'r', namespace: 'urn:"x"&<', body: { name: { '@_lang': '"fr"<', '#text': 'a<b>&c' } } }, customer: { cbeNumber: '0123456789' }, ticket: '<t>', timestampSent: AT, legalContext: 'A&B' });
    expect(xml).toContain('xmlns:ns1="urn:&quot;x&quot;&amp;&lt;"');
    expect(xml).toContain('<name lang="&quot;fr&quot;&lt;">a&lt;b&gt;&amp;c</name>');
    expect(xml).toContain('<ticket>&lt;t&gt;</ticket>');
    expect(xml).toContain('<legalContext>A&amp;B</legalContext>');
  });

  it('refuses names that are not XML names, prefixes and xmlns attributes, and a body that writes the header itself', () => {
    const base = { customer: { cbeNumber: '0123456789' }, ticket: 't', timestampSent: AT, legalContext: 'A' } as const;
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { 'x y': 1 } } })).toThrow(BcssRequestError);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { '@_a b': 1 } } })).toThrow(BcssRequestError);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { 'p:x': 1 } } })).toThrow(/prefixed names are refused.*inNamespace/);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { x: { '@_xmlns': 'urn:y', a: 1 } } } })).toThrow(/not written as attributes/);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { '@_xmlns:q': 'urn:y' } } })).toThrow(/not written as attributes/);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: '', body: {} } })).toThrow(/needs its namespace/);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { legalContext: 'X' } } })).toThrow(/must not contain 'legalContext'/);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { d: new Date(Number.NaN) } } })).toThrow(/invalid date/);
    expect(() => inNamespace('', 'x')).toThrow(BcssRequestError);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { d: ['a', inNamespace('urn:y', 'b')] } } })).toThrow(/wrap the whole list/);
  });

  const ssdnEnvelope = {
    user: { userId: '00000000097', email: 'a@b.be', orgUnit: '0123456789', matrixId: 17, matrixSubId: 1 },
    reference: 'ref & 1',
    timeRequest: AT,
    serviceId: 'OCMWCPASIdentifyPerson',
    version: '20050930',
    request: { name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: { SearchCriteria: { SSIN: '85073003328' } } },
  };

  it('SSDN: SSDNRequest with RequestContext, Message (Brussels time) and ServiceRequest; the service element and its children in the service namespace', () => {
    expect(buildSsdnRequest(ssdnEnvelope)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><SSDNRequest xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/Service"><RequestContext><AuthorizedUser><UserID>00000000097</UserID><Email>a@b.be</Email>' +
        '<OrgUnit>0123456789</OrgUnit><MatrixID>17</MatrixID><MatrixSubID>1</MatrixSubID></AuthorizedUser><Message><Reference>ref &amp; 1</Reference><TimeRequest>20261123T213005</TimeRequest></Message></RequestContext>' +
        `<ServiceRequest><ServiceId>OCMWCPASIdentifyPerson</ServiceId><Version>20050930</Version><ns1:IdentifyPersonRequest xmlns:ns1="${IDENTIFY_PERSON_NS}"><ns1:SearchCriteria><ns1:SSIN>85073003328</ns1:SSIN></ns1:SearchCriteria></ns1:IdentifyPersonRequest></ServiceRequest></SSDNRequest>`,
    );
  });

  it('SSDN: xmlString directly in soap:Body (no sendXML wrapper), the SSDNRequest as escaped text', () => {
    const outer = buildSsdnEnvelope(ssdnEnvelope);
    expect(outer).toMatch(/<soapenv:Body><wsc:xmlString xmlns:wsc="http:\/\/ksz-bcss.fgov.be\/connectors\/WebServiceConnector">&lt;\?xml version=&quot;1.0&quot;/);
    expect(outer).toContain('</wsc:xmlString></soapenv:Body>');
    expect(outer).not.toContain('sendXML');
    expect(outer).toContain('ref &amp;amp; 1'); // escaped twice: once in the inner document, once as text
  });

  it('SSDN: an unqualified child under the SSDN default namespace is taken out of it (xmlns="")', () => {
    const xml = buildSsdnRequest({ ...ssdnEnvelope, request: { name: 'X', namespace: 'urn:x', elementForm: 'unqualified', body: { a: '1', b: { c: '2' } } } });
    expect(xml).toContain('<ns1:X xmlns:ns1="urn:x"><a xmlns="">1</a><b xmlns=""><c>2</c></b></ns1:X>');
  });

  it('SSDN: the service version has 8 characters', () => {
    expect(() => buildSsdnRequest({ ...ssdnEnvelope, version: '1' })).toThrow(/8 characters/);
  });
});

describe('reading replies, whatever the namespace prefixes', () => {
  const soaReply = (prefix: string) => {
    const p = prefix === '' ? '' : `${prefix}:`;
    const ns = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    return `<?xml version="1.0"?><${p}Envelope ${ns}="http://schemas.xmlsoap.org/soap/envelope/"><${p}Body><ns2:retrieveTIGroupsResponse xmlns:ns2="urn:rtg">
      <informationCustomer><ticket>t-1</ticket><timestampSent>2026-11-23T20:30:05Z</timestampSent><customerIdentification><cbeNumber>0123456789</cbeNumber></customerIdentification></informationCustomer>
      <informationCBSS><ticketCBSS>0b6f7a38-2f0e-4f5e-9a4b-7d2d1c1e0f00</ticketCBSS><timestampReceive>2026-11-23T20:30:06Z</timestampReceive><timestampReply>2026-11-23T20:30:07Z</timestampReply></informationCBSS>
      <legalContext>PCSA:SOCIAL_INQUIRY</legalContext>
      <status><value>NO_RESULT</value><code>MSG00006</code><description>replaced</description><information><fieldName>newSSIN</fieldName><fieldValue>01490700185</fieldValue></information><information><fieldName>x</fieldName></information></status>
      <result><ssin>01490700185</ssin><count>007</count></result>
    </ns2:retrieveTIGroupsResponse></${p}Body></${p}Envelope>`;
  };

  for (const prefix of ['soapenv', 'S', 'soap', '']) {
    it(`SOA reply with prefix '${prefix}'`, () => {
      expect(readSoapReply(soaReply(prefix), 'soa')).toEqual({
        reply: {
          family: 'soa',
          ticket: '0b6f7a38-2f0e-4f5e-9a4b-7d2d1c1e0f00',
          customerTicket: 't-1',
          timestamps: { sent: '2026-11-23T20:30:05Z', received: '2026-11-23T20:30:06Z', replied: '2026-11-23T20:30:07Z' },
          status: { value: 'NO_RESULT', code: 'MSG00006', description: 'replaced', information: [{ fieldName: 'newSSIN', fieldValue: '01490700185' }, { fieldName: 'x' }], details: [] },
          body: { result: { ssin: '01490700185', count: '007' } }, // leading zeros kept
        },
      });
    });
  }

  it('a fault with several CBSS details, and one without any', () => {
    const fault = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring><detail>
      <c:retrieveTIGroupsFault xmlns:c="urn:c"><informationCBSS><ticketCBSS>tk</ticketCBSS></informationCBSS>
      <detail><severity>FATAL</severity><reasonCode>MSG00003</reasonCode><diagnostic>Unexpected internal error</diagnostic><authorCode>CBSS</authorCode></detail>
      <detail><severity>WARNING</severity><reasonCode>X1</reasonCode><diagnostic>d2</diagnostic><authorCode>A</authorCode><information><fieldName>f</fieldName><fieldValue>v</fieldValue></information></detail>
      </c:retrieveTIGroupsFault></detail></s:Fault></s:Body></s:Envelope>`;
    expect(readSoapReply(fault, 'soa')).toEqual({
      fault: {
        faultCode: 'Server',
        faultString: 'boom',
        ticket: 'tk',
        details: [
          { severity: 'FATAL', reasonCode: 'MSG00003', diagnostic: 'Unexpected internal error', authorCode: 'CBSS', information: [] },
          { severity: 'WARNING', reasonCode: 'X1', diagnostic: 'd2', authorCode: 'A', information: [{ fieldName: 'f', fieldValue: 'v' }] },
        ],
      },
    });
    const bare = '<Envelope><Body><Fault><faultcode>Client</faultcode><faultstring>bad</faultstring></Fault></Body></Envelope>';
    expect(readSoapReply(bare, 'soa')).toEqual({ fault: { faultCode: 'Client', faultString: 'bad', details: [] } });
  });

  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const ssdnSoap = (inner: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><xmlString xmlns="http://ksz-bcss.fgov.be/connectors/WebServiceConnector">${inner}</xmlString></soap:Body></soap:Envelope>`;
  const summary = (rc: string, details: string) => `<c:ResultSummary xmlns:c="http://www.ksz-bcss.fgov.be/XSD/SSDN/Common" ok="NO"><c:ReturnCode>${rc}</c:ReturnCode>${details}</c:ResultSummary>`;
  const detail = (code: string, diagnostic: string) => `<c:Detail><c:Severity>ERROR</c:Severity><c:ReasonCode>${code}</c:ReasonCode><c:Diagnostic>${diagnostic}</c:Diagnostic><c:AuthorCodeList>CBSS</c:AuthorCodeList></c:Detail>`;

  it('SSDN: without a ServiceReply, the status is the ReplyContext summary', () => {
    // Our own values: an SSDN-level refusal that reached no service.
    const inner = `<SSDNReply xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/Service"><ReplyContext>${summary('10000', detail('30000099', 'refused'))}<Message><Reference>r</Reference><Ticket>T1</Ticket><TimeReceive>20261123T213005</TimeReceive><TimeResponse>20261123T213006</TimeResponse></Message></ReplyContext></SSDNReply>`;
    expect(readSoapReply(ssdnSoap(escape(inner)), 'ssdn')).toMatchObject({
      reply: { family: 'ssdn', ticket: 'T1', customerTicket: 'r', status: { value: 'ERROR', code: '30000099', description: 'refused', returnCode: 10000, source: 'ReplyContext' }, body: {} },
    });
  });

  it('SSDN: with a ServiceReply, its summary is the status (not the generic 30000001 of the ReplyContext); CDATA is read too', () => {
    const inner = `<SSDNReply xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/Service"><ReplyContext>${summary('10000', detail('30000001', 'At least one service request has generated an error.'))}</ReplyContext>` +
      `<ServiceReply>${summary('10000', detail('31000007', 'mandatory argument'))}<ServiceId>S</ServiceId><Version>20050930</Version></ServiceReply></SSDNReply>`;
    for (const text of [escape(inner), `<![CDATA[${inner}]]>`]) {
      const read = readSoapReply(ssdnSoap(text), 'ssdn');
      expect(read).toMatchObject({ reply: { status: { value: 'ERROR', code: '31000007', source: 'ServiceReply', details: [{ reasonCode: '31000007', authorCode: 'CBSS' }] } } });
    }
  });

  it('SSDN: a reply wrapped in sendXMLResponse is not what the WSDL defines: refused', () => {
    const xml = '<Envelope><Body><sendXMLResponse><xmlString>&lt;SSDNReply/&gt;</xmlString></sendXMLResponse></Body></Envelope>';
    expect(() => readSoapReply(xml, 'ssdn')).toThrow(/xmlString element directly in soap:Body.*found sendXMLResponse/);
  });

  it('faults: the older v1 form lists `error`; the SOA platform sends a SystemError with its Id', () => {
    const v1 = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring><detail><f:retrieveTIGroupsFault xmlns:f="urn:v1"><informationCBSS><ticketCBSS>tk</ticketCBSS></informationCBSS>
      <error><severity>FATAL</severity><reasonCode>MSG00003</reasonCode><diagnostic>Unexpected internal error</diagnostic><authorCode>CBSS</authorCode></error></f:retrieveTIGroupsFault></detail></s:Fault></s:Body></s:Envelope>`;
    expect(readSoapReply(v1, 'soa')).toMatchObject({ fault: { faultCode: 'Server', ticket: 'tk', details: [{ reasonCode: 'MSG00003', severity: 'FATAL' }] } });
    const system = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>SOA-01001</faultstring><detail>
      <SystemError xmlns="https://socialsecurity.be/errors/v1" Id="id-1"><Origin>Consumer</Origin><Code>SOA-01001</Code><Message xml:lang="en">Service call not authenticated.</Message><Environment>Test</Environment></SystemError></detail></s:Fault></s:Body></s:Envelope>`;
    expect(readSoapReply(system, 'soa')).toEqual({
      fault: { faultCode: 'Client', faultString: 'SOA-01001', details: [], systemError: { id: 'id-1', code: 'SOA-01001', message: 'Service call not authenticated.', origin: 'Consumer', environment: 'Test' } },
    });
    const bare = '<Envelope><Body><Fault><faultcode>Server</faultcode><faultstring>SOA-02002</faultstring></Fault></Body></Envelope>';
    expect(readSoapReply(bare, 'soa')).toMatchObject({ fault: { systemError: { id: '', code: 'SOA-02002' } } });
  });

  it('refuses what is not a SOAP reply, without quoting it', () => {
    expect(() => readSoapReply('<html>85073003328', 'soa', 200)).toThrow(BcssReplyError);
    expect(() => readSoapReply('<html>85073003328', 'soa', 200)).not.toThrow(/85073003328/);
    expect(() => readSoapReply('<a/>', 'soa')).toThrow(/no SOAP Envelope\/Body/);
    const laughs = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Envelope><Body><r><x>&b;</x></r></Body></Envelope>';
    expect(() => readSoapReply(laughs, 'soa')).toThrow(/DOCTYPE/);
    expect(() => readSoapReply('<Envelope><Body/></Envelope>', 'soa')).toThrow(BcssReplyError);
    expect(() => readSoapReply('<Envelope><Body><xmlString/></Body></Envelope>', 'ssdn')).toThrow(/expected the SSDNReply in one xmlString/);
  });
});
