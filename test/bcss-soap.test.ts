import { describe, expect, it } from 'vitest';
import { BcssReplyError, BcssRequestError } from '../src/bcss/errors.js';
import { buildSoaEnvelope, buildSsdnEnvelope, buildSsdnRequest, readSoapReply } from '../src/bcss/soap.js';

const AT = new Date(Date.UTC(2026, 10, 23, 20, 30, 5));

describe('building envelopes', () => {
  it('SOA: informationCustomer, legalContext, then the body, in that order, in the service namespace', () => {
    const xml = buildSoaEnvelope({
      request: { name: 'retrieveTIGroupsRequest', namespace: 'urn:rtg', body: { ssin: '85073003328', period: { beginDate: '2026-01-01', endDate: null }, group: ['A', 'B'], flag: true, skipped: undefined } },
      customer: { cbeNumber: '0123456789' },
      ticket: 't-1',
      timestampSent: AT,
      legalContext: 'PCSA:SOCIAL_INQUIRY',
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header></soapenv:Header><soapenv:Body>' +
        '<svc:retrieveTIGroupsRequest xmlns:svc="urn:rtg"><informationCustomer><ticket>t-1</ticket><timestampSent>2026-11-23T20:30:05.000Z</timestampSent>' +
        '<customerIdentification><cbeNumber>0123456789</cbeNumber></customerIdentification></informationCustomer><legalContext>PCSA:SOCIAL_INQUIRY</legalContext>' +
        '<ssin>85073003328</ssin><period><beginDate>2026-01-01</beginDate><endDate></endDate></period><group>A</group><group>B</group><flag>true</flag>' +
        '</svc:retrieveTIGroupsRequest></soapenv:Body></soapenv:Envelope>',
    );
  });

  it('SOA: sector and institution as the customer', () => {
    const xml = buildSoaEnvelope({ request: { name: 'r', namespace: 'urn:r', body: {} }, customer: { sector: 17, institution: 1 }, ticket: 't', timestampSent: AT, legalContext: 'A' });
    expect(xml).toContain('<customerIdentification><sector>17</sector><institution>1</institution></customerIdentification>');
  });

  it('escapes texts, attributes and the namespace', () => {
    const xml = buildSoaEnvelope({ request: { name: 'r', namespace: 'urn:"x"&<', body: { name: { '@_lang': '"fr"<', '#text': 'a<b>&c' } } }, customer: { cbeNumber: '0123456789' }, ticket: '<t>', timestampSent: AT, legalContext: 'A&B' });
    expect(xml).toContain('xmlns:svc="urn:&quot;x&quot;&amp;&lt;"');
    expect(xml).toContain('<name lang="&quot;fr&quot;&lt;">a&lt;b&gt;&amp;c</name>');
    expect(xml).toContain('<ticket>&lt;t&gt;</ticket>');
    expect(xml).toContain('<legalContext>A&amp;B</legalContext>');
  });

  it('refuses names that are not XML names, and a body that writes the header itself', () => {
    const base = { customer: { cbeNumber: '0123456789' }, ticket: 't', timestampSent: AT, legalContext: 'A' } as const;
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { 'x y': 1 } } })).toThrow(BcssRequestError);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { '@_a b': 1 } } })).toThrow(BcssRequestError);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { legalContext: 'X' } } })).toThrow(/must not contain 'legalContext'/);
    expect(() => buildSoaEnvelope({ ...base, request: { name: 'r', namespace: 'u', body: { d: new Date(Number.NaN) } } })).toThrow(/invalid date/);
  });

  it('SSDN: SSDNRequest with RequestContext, Message (Brussels time) and ServiceRequest, escaped inside sendXML', () => {
    const envelope = {
      user: { userId: '00000000097', email: 'a@b.be', orgUnit: '0123456789', matrixId: 17, matrixSubId: 1 },
      reference: 'ref & 1',
      timeRequest: AT,
      serviceId: 'OCMWCPASIdentifyPerson',
      version: '20050930',
      request: { name: 'IdentifyPersonRequest', namespace: 'urn:ipr', body: { SearchCriteria: { SSIN: '85073003328' } } },
    };
    expect(buildSsdnRequest(envelope)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><SSDNRequest xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/Service"><RequestContext><AuthorizedUser><UserID>00000000097</UserID><Email>a@b.be</Email>' +
        '<OrgUnit>0123456789</OrgUnit><MatrixID>17</MatrixID><MatrixSubID>1</MatrixSubID></AuthorizedUser><Message><Reference>ref &amp; 1</Reference><TimeRequest>20261123T213005</TimeRequest></Message></RequestContext>' +
        '<ServiceRequest><ServiceId>OCMWCPASIdentifyPerson</ServiceId><Version>20050930</Version><svc:IdentifyPersonRequest xmlns:svc="urn:ipr"><SearchCriteria><SSIN>85073003328</SSIN></SearchCriteria></svc:IdentifyPersonRequest></ServiceRequest></SSDNRequest>',
    );
    const outer = buildSsdnEnvelope(envelope);
    expect(outer).toContain('<wsc:sendXML xmlns:wsc="http://ksz-bcss.fgov.be/connectors/WebServiceConnector"><wsc:xmlString>&lt;?xml version=&quot;1.0&quot;');
    expect(outer).toContain('ref &amp;amp; 1'); // escaped twice: once in the inner document, once as text
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

  it('SSDN: an error of the SSDN itself (ReplyContext) outranks the service summary', () => {
    const inner = `<SSDNReply xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/Service"><ReplyContext><ResultSummary ok="NO"><ReturnCode>10000</ReturnCode>
      <Detail><Severity>FATAL</Severity><ReasonCode>MSG00013</ReasonCode><Diagnostic>not allowed</Diagnostic><AuthorCodeList>CBSS</AuthorCodeList></Detail></ResultSummary>
      <Message><Reference>r</Reference><Ticket>T1</Ticket></Message></ReplyContext></SSDNReply>`;
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><sendXMLResponse><xmlString>${inner.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</xmlString></sendXMLResponse></soap:Body></soap:Envelope>`;
    const read = readSoapReply(xml, 'ssdn');
    expect(read).toMatchObject({ reply: { family: 'ssdn', ticket: 'T1', customerTicket: 'r', status: { value: 'ERROR', code: 'MSG00013', description: 'not allowed' } } });
  });

  it('refuses what is not a SOAP reply, without quoting it', () => {
    expect(() => readSoapReply('<html>85073003328', 'soa', 200)).toThrow(BcssReplyError);
    expect(() => readSoapReply('<html>85073003328', 'soa', 200)).not.toThrow(/85073003328/);
    expect(() => readSoapReply('<a/>', 'soa')).toThrow(/no SOAP Envelope\/Body/);
    const laughs = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Envelope><Body><r><x>&b;</x></r></Body></Envelope>';
    expect(() => readSoapReply(laughs, 'soa')).toThrow(/DOCTYPE/);
    expect(() => readSoapReply('<Envelope><Body/></Envelope>', 'soa')).toThrow(BcssReplyError);
    expect(() => readSoapReply('<Envelope><Body><sendXMLResponse/></Body></Envelope>', 'ssdn')).toThrow(/no xmlString/);
  });
});
