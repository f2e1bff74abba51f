/**
 * SOAP envelopes of the two BCSS request families, built and read with fast-xml-parser (never by
 * pasting caller values into strings: the builder escapes every text and attribute, and element
 * names given by the caller are checked against the XML name rule).
 *
 * - SOA (new style): SOAP 1.1 document/literal; the request element holds `informationCustomer`
 *   (ticket, timestampSent, customerIdentification), `legalContext`, then the service's body.
 *   The reply holds `informationCBSS` (ticketCBSS, timestamps) and a `status`.
 * - SSDN (older): one operation `sendXML` whose `xmlString` carries an `SSDNRequest` as escaped
 *   text; the reply's `xmlString` carries an `SSDNReply`.
 *
 * Replies are read namespace-prefix tolerant (`soapenv:`, `soap:`, `S:` or none).
 */
import { formatInTimeZone } from 'date-fns-tz';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { BcssReplyError, BcssRequestError, type BcssFault, type BcssInformation, type BcssMessage } from './errors.js';

/** SOAP 1.1 envelope namespace. */
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Namespace of `SSDNRequest` / `SSDNReply`. */
export const SSDN_SERVICE_NS = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Service';
/** Namespace of the `sendXML` operation of the SSDN web-service connector. */
export const SSDN_CONNECTOR_NS = 'http://ksz-bcss.fgov.be/connectors/WebServiceConnector';

/** A value of a request body: text, number, boolean, date (ISO 8601), nested element, or repeated elements. */
export type XmlValue = string | number | boolean | bigint | Date | null | undefined | XmlElement | readonly XmlValue[];
/**
 * An element's content: child elements by name, in order. A key `@_name` is an attribute and
 * `#text` the element's own text. `undefined` leaves the element out; `null` writes it empty.
 */
export interface XmlElement {
  readonly [name: string]: XmlValue;
}

/** Who calls: the enterprise number, or the sector and institution. */
export type CustomerIdentification = { readonly cbeNumber: string } | { readonly sector: number; readonly institution: number };

/** The SSDN `AuthorizedUser` block. */
export interface SsdnAuthorizedUser {
  readonly userId: string;
  readonly email: string;
  /** Usually the institution's 10-digit enterprise number. */
  readonly orgUnit: string;
  readonly matrixId: string | number;
  readonly matrixSubId: string | number;
}

/** The service's request element: its name and namespace, and the body inside it. */
export interface ServiceElement {
  readonly name: string;
  readonly namespace: string;
  readonly body: XmlElement;
}

/** Everything an SOA envelope needs. */
export interface SoaEnvelope {
  /** The service's request element, e.g. `{ name: 'retrieveTIGroupsRequest', namespace: '...', body: { ssin } }`. */
  readonly request: ServiceElement;
  readonly customer: CustomerIdentification;
  /** The caller's ticket (at most 36 characters). */
  readonly ticket: string;
  readonly timestampSent: Date;
  /** The legal context, e.g. `PCSA:SOCIAL_INQUIRY` (at most 64 characters). */
  readonly legalContext: string;
}

/** Everything an SSDN `sendXML` envelope needs. */
export interface SsdnEnvelope {
  readonly user: SsdnAuthorizedUser;
  /** The message reference. */
  readonly reference: string;
  readonly timeRequest: Date;
  readonly serviceId: string;
  readonly version: string;
  /** The service's request element, placed in `ServiceRequest` after `ServiceId` and `Version`. */
  readonly request: ServiceElement;
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', suppressEmptyNode: false });
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false, // national numbers keep their leading zeros
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

type Tree = { [name: string]: string | Tree | Tree[] | string[] };

/** Turns a caller's body into a tree of strings, checking names; throws {@link BcssRequestError}. */
function toTree(element: XmlElement, path: string): Tree {
  const tree: Tree = {};
  for (const [name, value] of Object.entries(element)) {
    const bare = name.startsWith('@_') ? name.slice(2) : name;
    if (name !== '#text' && !XML_NAME.test(bare)) throw new BcssRequestError(`'${path}.${name}' is not a valid XML name`);
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const items = (value as readonly XmlValue[]).filter((v) => v !== undefined);
      if (items.every((v) => !isElement(v))) tree[name] = items.map((v) => textOf(v, `${path}.${name}`));
      else tree[name] = items.map((v) => (isElement(v) ? toTree(v, `${path}.${name}`) : { '#text': textOf(v, `${path}.${name}`) }));
    } else {
      tree[name] = isElement(value) ? toTree(value, `${path}.${name}`) : textOf(value, `${path}.${name}`);
    }
  }
  return tree;
}

function isElement(value: XmlValue): value is XmlElement {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

function textOf(value: XmlValue, path: string): string {
  if (value === null) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new BcssRequestError(`'${path}' is an invalid date`);
    return value.toISOString();
  }
  if (Array.isArray(value)) throw new BcssRequestError(`'${path}' nests a list directly in a list`);
  return String(value);
}

function checkName(name: string, what: string): void {
  if (!XML_NAME.test(name)) throw new BcssRequestError(`${what} '${name}' is not a valid XML name`);
}

function customerTree(customer: CustomerIdentification): Tree {
  return 'cbeNumber' in customer ? { cbeNumber: customer.cbeNumber } : { sector: String(customer.sector), institution: String(customer.institution) };
}

/** Builds the SOAP envelope of an SOA (new style) request. */
export function buildSoaEnvelope(envelope: SoaEnvelope): string {
  const { request } = envelope;
  checkName(request.name, 'the request element');
  if (envelope.ticket.length > 36) throw new BcssRequestError('the ticket is longer than 36 characters');
  if (envelope.legalContext.length === 0 || envelope.legalContext.length > 64) throw new BcssRequestError('the legal context must have 1 to 64 characters');
  const body = toTree(request.body, request.name);
  for (const reserved of ['informationCustomer', 'legalContext']) {
    if (reserved in body) throw new BcssRequestError(`the body must not contain '${reserved}': the client writes it`);
  }
  const content: Tree = {
    '@_xmlns:svc': request.namespace,
    informationCustomer: {
      ticket: envelope.ticket,
      timestampSent: envelope.timestampSent.toISOString(),
      customerIdentification: customerTree(envelope.customer),
    },
    legalContext: envelope.legalContext,
    ...body,
  };
  return soapEnvelope({ [`svc:${request.name}`]: content });
}

/** The `SSDNRequest` document that travels, escaped, inside `sendXML`. */
export function buildSsdnRequest(envelope: SsdnEnvelope): string {
  const { request, user } = envelope;
  checkName(request.name, 'the request element');
  const document: Tree = {
    SSDNRequest: {
      '@_xmlns': SSDN_SERVICE_NS,
      RequestContext: {
        AuthorizedUser: {
          UserID: user.userId,
          Email: user.email,
          OrgUnit: user.orgUnit,
          MatrixID: String(user.matrixId),
          MatrixSubID: String(user.matrixSubId),
        },
        Message: {
          Reference: envelope.reference,
          TimeRequest: formatInTimeZone(envelope.timeRequest, 'Europe/Brussels', "yyyyMMdd'T'HHmmss"),
        },
      },
      ServiceRequest: {
        ServiceId: envelope.serviceId,
        Version: envelope.version,
        [`svc:${request.name}`]: { '@_xmlns:svc': request.namespace, ...toTree(request.body, request.name) },
      },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(document) as string}`;
}

/** Builds the SOAP envelope of an SSDN request: `sendXML` with the `SSDNRequest` as escaped text. */
export function buildSsdnEnvelope(envelope: SsdnEnvelope): string {
  return soapEnvelope({ 'wsc:sendXML': { '@_xmlns:wsc': SSDN_CONNECTOR_NS, 'wsc:xmlString': buildSsdnRequest(envelope) } });
}

function soapEnvelope(body: Tree): string {
  const document: Tree = { 'soapenv:Envelope': { '@_xmlns:soapenv': SOAP_ENVELOPE_NS, 'soapenv:Header': '', 'soapenv:Body': body } };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(document) as string}`;
}

// ── Reading ────────────────────────────────────────────────────────────────

/** A parsed XML node: text, or an object of children and `@_` attributes. */
type Node = unknown;

function isRecord(node: Node): node is Record<string, Node> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function asArray(node: Node): Node[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? (node as Node[]) : [node];
}

/** The text of a node (`<a>t</a>`, or `<a x="1">t</a>` read as `{ '#text': 't' }`); `undefined` when absent. */
function text(node: Node): string | undefined {
  const first = asArray(node)[0];
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'string') return first;
  if (isRecord(first)) return typeof first['#text'] === 'string' ? first['#text'] : first['#text'] === undefined ? '' : String(first['#text']);
  return String(first);
}

function child(node: Node, name: string): Node {
  const first = asArray(node)[0];
  return isRecord(first) ? first[name] : undefined;
}

/** Children that are elements (not attributes), by name. */
function elements(node: Node): Array<[string, Node]> {
  const first = asArray(node)[0];
  return isRecord(first) ? Object.entries(first).filter(([name]) => !name.startsWith('@_') && name !== '#text') : [];
}

function stripPrefix(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

function parseXml(xml: string, httpStatus: number, what: string): Record<string, Node> {
  // SOAP messages carry no DTD; refusing one rules out entity-expansion attacks.
  if (/<!DOCTYPE/i.test(xml)) throw new BcssReplyError(httpStatus, `${what} contains a DOCTYPE, which SOAP does not allow`);
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new BcssReplyError(httpStatus, `${what} is not well-formed XML (${verdict.err.msg}, line ${verdict.err.line})`);
  return parser.parse(xml) as Record<string, Node>;
}

/** The status of a reply. */
export interface BcssStatus {
  /** SOA: `DATA_FOUND`, `NO_DATA_FOUND`, `NO_RESULT` (or `INCOMPLETE_DATA`); SSDN: `OK`, `WARNING`, `ERROR`. */
  readonly value: string;
  /** SOA: e.g. `MSG00000`; SSDN: the first detail's reason code, or `SSDN_<ReturnCode>`. */
  readonly code: string;
  readonly description?: string;
  readonly information: readonly BcssInformation[];
  /** SSDN: every detail of the result summary (empty for SOA). */
  readonly details: readonly BcssMessage[];
}

/** A BCSS reply, read. */
export interface BcssReply<B = Record<string, unknown>> {
  readonly family: 'soa' | 'ssdn';
  /** The BCSS ticket (`ticketCBSS`, or the SSDN `Message/Ticket`). */
  readonly ticket: string | undefined;
  /** The ticket the client sent (SOA) or the message reference (SSDN). */
  readonly customerTicket: string | undefined;
  readonly timestamps: { readonly sent?: string; readonly received?: string; readonly replied?: string };
  /** The status; `undefined` when the service's reply has none. */
  readonly status: BcssStatus | undefined;
  /** The rest of the reply element (SOA), or the `ServiceReply` payload (SSDN), as parsed strings. */
  readonly body: B;
}

/** The reply's timestamps, without the ones it lacks. */
function timestampsOf(sent: string | undefined, received: string | undefined, replied: string | undefined): BcssReply['timestamps'] {
  const timestamps: { sent?: string; received?: string; replied?: string } = {};
  if (sent !== undefined) timestamps.sent = sent;
  if (received !== undefined) timestamps.received = received;
  if (replied !== undefined) timestamps.replied = replied;
  return timestamps;
}

function information(node: Node): BcssInformation[] {
  return asArray(node).map((item) => {
    const fieldName = text(child(item, 'fieldName') ?? child(item, 'FieldName')) ?? '';
    const fieldValue = text(child(item, 'fieldValue') ?? child(item, 'FieldValue'));
    return fieldValue === undefined ? { fieldName } : { fieldName, fieldValue };
  });
}

function message(node: Node, upper: boolean): BcssMessage {
  const field = (name: string) => text(child(node, upper ? name[0]!.toUpperCase() + name.slice(1) : name));
  const authorCode = field('authorCode') ?? (upper ? text(child(node, 'AuthorCodeList')) : undefined);
  return {
    severity: field('severity') ?? '',
    reasonCode: field('reasonCode') ?? '',
    diagnostic: field('diagnostic') ?? '',
    ...(authorCode === undefined ? {} : { authorCode }),
    information: information(child(node, upper ? 'Information' : 'information')),
  };
}

function soapBody(document: Record<string, Node>, httpStatus: number): Node {
  const body = child(document['Envelope'], 'Body');
  if (body === undefined) throw new BcssReplyError(httpStatus, 'no SOAP Envelope/Body');
  return body;
}

/** The SOAP fault of a reply, or `undefined` when the reply is not a fault. */
function faultOf(body: Node): BcssFault | undefined {
  const fault = child(body, 'Fault');
  if (fault === undefined) return undefined;
  const details: BcssMessage[] = [];
  let ticket: string | undefined;
  // The CBSS fault sits in <detail> under a service-specific name (e.g. retrieveTIGroupsFault).
  for (const [, typed] of elements(child(fault, 'detail'))) {
    for (const item of asArray(child(typed, 'detail'))) details.push(message(item, false));
    ticket ??= text(child(child(typed, 'informationCBSS'), 'ticketCBSS'));
  }
  return {
    faultCode: stripPrefix(text(child(fault, 'faultcode')) ?? ''),
    faultString: text(child(fault, 'faultstring')) ?? '',
    details,
    ...(ticket === undefined ? {} : { ticket }),
  };
}

/**
 * Reads a SOAP reply: returns the fault when it is one (whatever the HTTP status), the reply
 * otherwise. Throws {@link BcssReplyError} when the text is not a SOAP envelope.
 */
export function readSoapReply(xml: string, family: 'soa' | 'ssdn', httpStatus = 200): { fault: BcssFault } | { reply: BcssReply } {
  const body = soapBody(parseXml(xml, httpStatus, 'the reply'), httpStatus);
  const fault = faultOf(body);
  if (fault !== undefined) return { fault };
  return { reply: family === 'soa' ? soaReply(body, httpStatus) : ssdnReply(body, httpStatus) };
}

/** The SOAP fault in a text, or `undefined` when it is no SOAP envelope with a `Fault` (used on HTTP error statuses). */
export function soapFaultOf(xml: string): BcssFault | undefined {
  if (/<!DOCTYPE/i.test(xml) || XMLValidator.validate(xml) !== true) return undefined;
  const document = parser.parse(xml) as Record<string, Node>;
  return faultOf(child(document['Envelope'], 'Body'));
}

const SOA_HEADER = new Set(['informationCustomer', 'informationCBSS', 'legalContext', 'status']);

function soaReply(body: Node, httpStatus: number): BcssReply {
  const [entry] = elements(body);
  if (entry === undefined) throw new BcssReplyError(httpStatus, 'the SOAP Body is empty');
  const response = entry[1];
  const cbss = child(response, 'informationCBSS');
  const customer = child(response, 'informationCustomer');
  const status = child(response, 'status');
  const rest: Record<string, unknown> = {};
  for (const [name, value] of elements(response)) if (!SOA_HEADER.has(name)) rest[name] = value;
  const sent = text(child(customer, 'timestampSent'));
  const received = text(child(cbss, 'timestampReceive'));
  const replied = text(child(cbss, 'timestampReply'));
  const description = text(child(status, 'description'));
  return {
    family: 'soa',
    ticket: text(child(cbss, 'ticketCBSS')),
    customerTicket: text(child(customer, 'ticket')),
    timestamps: timestampsOf(sent, received, replied),
    status:
      status === undefined
        ? undefined
        : {
            value: text(child(status, 'value')) ?? '',
            code: text(child(status, 'code')) ?? '',
            ...(description === undefined ? {} : { description }),
            information: information(child(status, 'information')),
            details: [],
          },
    body: rest,
  };
}

const SSDN_VALUES: Readonly<Record<string, string>> = { '0': 'OK', '1': 'WARNING', '10000': 'ERROR' };

function ssdnStatus(summary: Node): BcssStatus | undefined {
  if (summary === undefined) return undefined;
  const returnCode = text(child(summary, 'ReturnCode')) ?? '';
  const details = asArray(child(summary, 'Detail')).map((d) => message(d, true));
  const first = details[0];
  return {
    value: SSDN_VALUES[returnCode] ?? `RETURN_CODE_${returnCode}`,
    code: first?.reasonCode || `SSDN_${returnCode}`,
    ...(first?.diagnostic ? { description: first.diagnostic } : {}),
    information: details.flatMap((d) => d.information),
    details,
  };
}

function ssdnReply(body: Node, httpStatus: number): BcssReply {
  const [entry] = elements(body);
  const inner = entry === undefined ? undefined : text(child(entry[1], 'xmlString') ?? child(entry[1], 'return'));
  if (inner === undefined || inner === '') throw new BcssReplyError(httpStatus, 'no xmlString in the sendXML reply');
  const reply = parseXml(inner, httpStatus, 'the SSDNReply')['SSDNReply'];
  if (reply === undefined) throw new BcssReplyError(httpStatus, 'the xmlString holds no SSDNReply');
  const context = child(reply, 'ReplyContext');
  const messageNode = child(context, 'Message');
  const serviceReply = child(reply, 'ServiceReply');
  // An error of the SSDN itself (ReplyContext) outranks the service's own summary.
  const contextStatus = ssdnStatus(child(context, 'ResultSummary'));
  const status = contextStatus !== undefined && contextStatus.value === 'ERROR' ? contextStatus : (ssdnStatus(child(serviceReply, 'ResultSummary')) ?? contextStatus);
  const payload: Record<string, unknown> = {};
  for (const [name, value] of elements(serviceReply)) if (!['ServiceId', 'Version', 'ResultSummary'].includes(name)) payload[name] = value;
  const sent = text(child(messageNode, 'TimeRequest'));
  const received = text(child(messageNode, 'TimeReceive'));
  const replied = text(child(messageNode, 'TimeResponse'));
  return {
    family: 'ssdn',
    ticket: text(child(messageNode, 'Ticket')),
    customerTicket: text(child(messageNode, 'Reference')),
    timestamps: timestampsOf(sent, received, replied),
    status,
    body: payload,
  };
}

// ── For the fake service ─────────────────────────────────────────────────────

/** Parses any XML text leniently into nodes (used by the fake service to read requests). */
export function parseXmlNodes(xml: string): Record<string, unknown> | undefined {
  if (XMLValidator.validate(xml) !== true) return undefined;
  return parser.parse(xml) as Record<string, unknown>;
}

/** Builds XML from a tree of strings (used by the fake service to write replies). */
export function buildXml(tree: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(tree) as string}`;
}
