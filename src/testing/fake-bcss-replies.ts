/**
 * The fake BCSS's replies, in the shapes, namespaces and codes of the real service: SOA replies
 * (the service's response element, CommonV3 status), SSDN replies (`xmlString` directly in the
 * Body, its text an escaped `SSDNReply`), CBSS faults and the SOA platform's `SystemError`.
 */
import { formatInTimeZone } from 'date-fns-tz';
import { SOAP_ENVELOPE_NS, SSDN_COMMON_NS, SSDN_CONNECTOR_NS, SSDN_SERVICE_NS } from '../bcss/contract.js';
import { SOA_ERRORS_NAMESPACE, type FakeSoaService } from './fake-bcss-contract.js';
import { SOA_SYSTEM_ERRORS, SSDN_CONTEXT_ERROR, SSDN_CONTEXT_WARNING, type SoaStatus, type SsdnDetail } from './fake-bcss-outcomes.js';
import { childOf, el, esc, type XmlNode } from './fake-bcss-xml.js';

/** The BCSS's own identifiers and times of one reply. */
export interface ReplyStamp {
  /** A UUID (`ticketCBSS`, `SystemError/@Id`). */
  readonly uuid: string;
  /** The SSDN `Ticket` (15 characters, as the recorded replies show). */
  readonly ssdnTicket: string;
  /** When the request arrived and when the reply left, ms since the epoch. */
  readonly received: number;
  readonly replied: number;
}

/** A SOAP 1.1 envelope around a Body's content. */
export function soapEnvelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NS}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** Writes an element of the request again, unqualified, as the SOA reply echoes it. */
function echo(node: XmlNode): string {
  const inner = node.children.length > 0 ? node.children.map(echo).join('') : esc(node.text.trim());
  return `<${node.local}>${inner}</${node.local}>`;
}

function informationCbss(stamp: ReplyStamp): string {
  return `<informationCBSS><ticketCBSS>${stamp.uuid}</ticketCBSS><timestampReceive>${new Date(stamp.received).toISOString()}</timestampReceive><timestampReply>${new Date(stamp.replied).toISOString()}</timestampReply></informationCBSS>`;
}

function information(items: SoaStatus['information']): string {
  return (items ?? []).map((i) => `<information>${el('fieldName', i.fieldName)}${el('fieldValue', i.fieldValue)}</information>`).join('');
}

/** An SOA reply: informationCustomer (echoed), informationCBSS, legalContext, the criteria (echoed), status, then the data. */
export function soaReply(service: FakeSoaService, request: XmlNode, status: SoaStatus, data: string, stamp: ReplyStamp): string {
  const info = childOf(request, '', 'informationCustomer');
  const criteria = request.children.filter((c) => !['informationCustomer', 'informationCBSS', 'legalContext'].includes(c.local));
  const legalContext = childOf(request, '', 'legalContext')?.text.trim() ?? '';
  const statusXml = `<status>${el('value', status.value)}${el('code', status.code)}${el('description', status.description)}${information(status.information)}</status>`;
  return soapEnvelope(
    `<svc:${service.responseElement} xmlns:svc="${service.namespace}">${info === undefined ? '' : echo(info)}${informationCbss(stamp)}${el('legalContext', legalContext)}` +
      `${criteria.map(echo).join('')}${statusXml}${data}</svc:${service.responseElement}>`,
  );
}

/** A CBSS fault of an SOA service: its fault element with a CBSSFaultType detail (HTTP 500). */
export function cbssFault(service: FakeSoaService, request: XmlNode, fault: { code: string; faultCode: string; severity: string; diagnostic: string }, stamp: ReplyStamp): string {
  const info = childOf(request, '', 'informationCustomer');
  return soapEnvelope(
    `<soapenv:Fault><faultcode>soapenv:${fault.faultCode}</faultcode><faultstring>An error occurred while servicing your request.</faultstring><detail>` +
      `<svc:${service.faultElement} xmlns:svc="${service.namespace}">${info === undefined ? '' : echo(info)}${informationCbss(stamp)}` +
      `<detail>${el('severity', fault.severity)}${el('reasonCode', fault.code)}${el('diagnostic', fault.diagnostic)}<authorCode>http://www.bcss.fgov.be/en/international/home/index.html</authorCode></detail>` +
      `</svc:${service.faultElement}></detail></soapenv:Fault>`,
  );
}

/** A SOAP fault without a typed detail: what a service whose WSDL declares no fault (SSDN) gives. */
export function bareFault(faultCode: string, faultString: string): string {
  return soapEnvelope(`<soapenv:Fault><faultcode>soapenv:${faultCode}</faultcode><faultstring>${esc(faultString)}</faultstring></soapenv:Fault>`);
}

/** The SOA platform's `SystemError` fault (public page "SOA technical errors"). */
export function systemError(code: string, stamp: ReplyStamp, faultCode?: string): string {
  const known = SOA_SYSTEM_ERRORS[code] ?? { message: 'Service error', origin: 'Provider' as const };
  const soapCode = faultCode ?? (known.origin === 'Consumer' ? 'Client' : 'Server');
  return soapEnvelope(
    `<soapenv:Fault><faultcode>soapenv:${soapCode}</faultcode><faultstring>${esc(code)}</faultstring><detail>` +
      `<SystemError xmlns="${SOA_ERRORS_NAMESPACE}" Id="${stamp.uuid}"><Origin>${known.origin}</Origin><Code>${esc(code)}</Code>` +
      `<Message xml:lang="en">${esc(known.message)}</Message><Environment>Simulation</Environment></SystemError></detail></soapenv:Fault>`,
  );
}

/** SSDN times: `yyyyMMddTHHmmss`, Belgian time as the recorded replies write them. */
export function ssdnTime(ms: number): string {
  return formatInTimeZone(ms, 'Europe/Brussels', "yyyyMMdd'T'HHmmss");
}

function resultSummary(prefix: string, returnCode: 0 | 1 | 10000, details: readonly SsdnDetail[]): string {
  const ok = returnCode === 0 ? 'YES' : returnCode === 1 ? 'WARNING' : 'NO';
  const detailXml = details
    .map(
      (d) =>
        `<${prefix}:Detail>${el(`${prefix}:Severity`, d.severity)}${el(`${prefix}:ReasonCode`, d.reasonCode)}${el(`${prefix}:Diagnostic`, d.diagnostic)}${el(`${prefix}:AuthorCodeList`, d.authorCodeList)}` +
        (d.information ?? []).map((i) => `<${prefix}:Information>${el(`${prefix}:FieldName`, i.fieldName)}${el(`${prefix}:FieldValue`, i.fieldValue)}</${prefix}:Information>`).join('') +
        `</${prefix}:Detail>`,
    )
    .join('');
  return `<${prefix}:ResultSummary xmlns:${prefix}="${SSDN_COMMON_NS}" ok="${ok}"><${prefix}:ReturnCode>${returnCode}</${prefix}:ReturnCode>${detailXml}</${prefix}:ResultSummary>`;
}

/** What one SSDN service answered. */
export interface SsdnServiceResult {
  readonly serviceId: string;
  readonly version: string;
  readonly returnCode: 0 | 1 | 10000;
  readonly details: readonly SsdnDetail[];
  /** The service's reply element, or '' (none on an error). */
  readonly body: string;
}

/** An SSDN reply: `xmlString` directly in the Body, its text the escaped `SSDNReply`. */
export function ssdnReply(ssdn: XmlNode, result: SsdnServiceResult, stamp: ReplyStamp): string {
  const S = SSDN_SERVICE_NS;
  const context = childOf(ssdn, S, 'RequestContext');
  const user = childOf(context, S, 'AuthorizedUser');
  const message = childOf(context, S, 'Message');
  const reference = childOf(message, S, 'Reference')?.text.trim();
  const timeRequest = childOf(message, S, 'TimeRequest')?.text.trim();
  const contextDetails = result.returnCode === 10000 ? [SSDN_CONTEXT_ERROR] : result.returnCode === 1 ? [SSDN_CONTEXT_WARNING] : [];
  const userXml = user === undefined ? '' : `<AuthorizedUser>${user.children.map((c) => el(c.local, c.text.trim())).join('')}</AuthorizedUser>`;
  const document =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><SSDNReply xmlns="${S}"><ReplyContext>${resultSummary('ns1', result.returnCode, contextDetails)}${userXml}` +
    `<Message>${el('Reference', reference)}${el('Ticket', stamp.ssdnTicket)}${el('TimeRequest', timeRequest)}${el('TimeReceive', ssdnTime(stamp.received))}${el('TimeResponse', ssdnTime(stamp.replied))}</Message></ReplyContext>` +
    `<ServiceReply>${resultSummary('ns2', result.returnCode, result.details)}${el('ServiceId', result.serviceId)}${el('Version', result.version)}${result.body}</ServiceReply></SSDNReply>`;
  return soapEnvelope(`<wsc:xmlString xmlns:wsc="${SSDN_CONNECTOR_NS}">${esc(document)}</wsc:xmlString>`);
}
