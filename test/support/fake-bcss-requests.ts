/**
 * Requests written by hand from the facts of the BCSS's WSDL and XSD files (not by our client),
 * for the fake BCSS's tests: a valid RetrieveTIGroups v2 call, SSDN IdentifyPerson and
 * ManageAccess calls (escaped or CDATA), and the broken forms a consumer writes by mistake.
 */
export const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
export const RTG = 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2';
export const RTG_PATH = '/RetrieveTIGroupsService/v2/retrieveTI';
export const RTG_ACTION = 'http://kszbcss.fgov.be/RetrieveTIGroupsService/retrieveTI';
export const WSC = 'http://ksz-bcss.fgov.be/connectors/WebServiceConnector';
export const SSDN_PATH = '/connectors/webservice/KSZBCSSWebServiceConnectorPort';
export const SEND_XML = 'http://ksz-bcss.fgov.be/connectors/WebServiceConnector/sendXML';
export const SSDN_NS = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Service';
export const IPR = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/IdentifyPerson';
export const MAR = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/ManageAccess';
export const COMMON = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Common';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP}"><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** The criteria of RetrieveTIGroups v2, or what replaces them. */
export function searchInformation(ssin: string): string {
  return `<searchInformation><ssin>${ssin}</ssin><language>fr</language><history>false</history></searchInformation>`;
}

/** A RetrieveTIGroups v2 request (children unqualified, as the schema's elementFormDefault says). */
export function retrieveTiGroups(ssin: string, options: { criteria?: string; namespace?: string; ticket?: string } = {}): string {
  const ns = options.namespace ?? RTG;
  return envelope(
    `<rtg:retrieveTIGroupsRequest xmlns:rtg="${ns}"><informationCustomer><ticket>${options.ticket ?? 'batch-0001'}</ticket><timestampSent>2026-01-05T21:00:00.000Z</timestampSent>` +
      `<customerIdentification><cbeNumber>0212344876</cbeNumber></customerIdentification></informationCustomer><legalContext>PCSA:SOCIAL_INQUIRY</legalContext>` +
      `${options.criteria ?? searchInformation(ssin)}</rtg:retrieveTIGroupsRequest>`,
  );
}

/** An SSDNRequest around a service request. */
export function ssdnRequest(serviceId: string, serviceRequest: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ssdn:SSDNRequest xmlns:ssdn="${SSDN_NS}"><ssdn:RequestContext><ssdn:AuthorizedUser><ssdn:UserID>00901234567</ssdn:UserID>` +
    `<ssdn:Email>batch@example.be</ssdn:Email><ssdn:OrgUnit>0212344876</ssdn:OrgUnit><ssdn:MatrixID>17</ssdn:MatrixID><ssdn:MatrixSubID>1</ssdn:MatrixSubID></ssdn:AuthorizedUser>` +
    `<ssdn:Message><ssdn:Reference>ref-0001</ssdn:Reference><ssdn:TimeRequest>20260105T220000</ssdn:TimeRequest></ssdn:Message></ssdn:RequestContext>` +
    `<ssdn:ServiceRequest><ssdn:ServiceId>${serviceId}</ssdn:ServiceId><ssdn:Version>20050930</ssdn:Version>${serviceRequest}</ssdn:ServiceRequest></ssdn:SSDNRequest>`
  );
}

/** The IdentifyPerson service request, in its own namespace (or another one). */
export function identifyPersonBody(ssin: string, namespace = IPR): string {
  return `<ipr:IdentifyPersonRequest xmlns:ipr="${namespace}"><ipr:SearchCriteria><ipr:SSIN>${ssin}</ipr:SSIN></ipr:SearchCriteria></ipr:IdentifyPersonRequest>`;
}

/** The ManageAccess service request; the period's dates in SSDN Common unless `dateNamespace` says otherwise. */
export function manageAccessBody(ssin: string, options: { dateNamespace?: string; withPeriod?: boolean } = {}): string {
  const period = options.withPeriod === false ? '' : `<mar:Period><d:StartDate xmlns:d="${options.dateNamespace ?? COMMON}">2026-01-01</d:StartDate></mar:Period>`;
  return (
    `<mar:ManageAccessRequest xmlns:mar="${MAR}"><mar:SSIN>${ssin}</mar:SSIN><mar:Purpose>10</mar:Purpose>${period}<mar:Action>REGISTER</mar:Action>` +
    `<mar:ProofOfAuthentication><mar:IdentityCardNumber>591413288107</mar:IdentityCardNumber></mar:ProofOfAuthentication></mar:ManageAccessRequest>`
  );
}

/** `xmlString` directly in the Body, the SSDNRequest escaped (or in a CDATA section). */
export function sendXml(ssdn: string, form: 'escaped' | 'cdata' | 'wrapped' = 'escaped'): string {
  if (form === 'cdata') return envelope(`<wsc:xmlString xmlns:wsc="${WSC}"><![CDATA[${ssdn}]]></wsc:xmlString>`);
  if (form === 'wrapped') return envelope(`<wsc:sendXML xmlns:wsc="${WSC}"><wsc:xmlString>${escape(ssdn)}</wsc:xmlString></wsc:sendXML>`);
  return envelope(`<wsc:xmlString xmlns:wsc="${WSC}">${escape(ssdn)}</wsc:xmlString>`);
}

/** An HTTP exchange for the in-process transport. */
export function exchange(path: string, action: string, body: string, signal?: AbortSignal) {
  return { url: `https://fake-bcss.invalid${path}`, method: 'POST' as const, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }, body, ...(signal === undefined ? {} : { signal }) };
}
