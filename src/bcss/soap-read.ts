/**
 * Reading BCSS replies as the schemas define them, namespace-prefix tolerant (`soapenv:`,
 * `soap:`, `S:` or none; elements are matched by local name).
 *
 * - SOA: the reply element holds `informationCustomer`, `informationCBSS`, `legalContext`, the
 *   service's data and a `status` (value, code, description, information).
 * - SSDN: `xmlString` directly in `soap:Body` (WebServiceConnector.wsdl), its text (escaped or
 *   CDATA) an `SSDNReply`. The status is the `ServiceReply/ResultSummary` (the service's own
 *   ReturnCode and every Detail); the `ReplyContext/ResultSummary` only when there is no
 *   ServiceReply (on an error it only says "at least one service request has generated an
 *   error", code 30000001).
 * - Faults: `CBSSFaultType` (`detail` list), the older v1 fault (`error` list), the SOA
 *   platform's `SystemError` (Id, Code, Message, Origin).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BcssReplyError, type BcssFault, type BcssInformation, type BcssMessage, type BcssSystemError } from './errors.js';
import { DEFAULT_MAX_REPLY_DEPTH, nestsDeeperThan } from './xml-depth.js';

export { DEFAULT_MAX_REPLY_DEPTH } from './xml-depth.js';

const parserOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false, // national numbers keep their leading zeros
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
} as const;

/** One parser per depth limit (the parser's own limit backs the pre-scan up). */
const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (parser === undefined) {
    parser = new XMLParser({ ...parserOptions, maxNestedTags: maxDepth + 1 });
    if (parsers.size < 16) parsers.set(maxDepth, parser);
  }
  return parser;
}

/** Limits of reading a reply. */
export interface ReadReplyOptions {
  /**
   * The deepest element nesting accepted, in the SOAP envelope and in an SSDN `xmlString` alike.
   * @defaultValue {@link DEFAULT_MAX_REPLY_DEPTH} (64)
   */
  readonly maxDepth?: number;
}

/** The status of a reply. */
export interface BcssStatus {
  /** SOA: `DATA_FOUND`, `NO_DATA_FOUND`, `NO_RESULT` (or `INCOMPLETE_DATA`); SSDN: `OK`, `WARNING`, `ERROR` (ReturnCode 0, 1, 10000). */
  readonly value: string;
  /**
   * SOA: e.g. `MSG00000`. SSDN: the reason code of the first detail of the status's severity
   * (`31009001` for an error, `21007001` for a warning), else of the first detail, else
   * `SSDN_<ReturnCode>`.
   */
  readonly code: string;
  readonly description?: string;
  /** Every information item of the status (SSDN: of every detail, in order). */
  readonly information: readonly BcssInformation[];
  /** SSDN: every detail of the result summary, each with its information (empty for SOA). */
  readonly details: readonly BcssMessage[];
  /** SSDN: the ReturnCode (0, 1, 10000). */
  readonly returnCode?: number;
  /** SSDN: which summary the status comes from: the service's (`ServiceReply`), or the `ReplyContext` when there is no ServiceReply. */
  readonly source?: 'ServiceReply' | 'ReplyContext';
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
  /**
   * The service's data, as parsed strings by local name: SOA, the reply element's children but
   * the common ones (e.g. `{ searchInformation, rrn_it_implicit }`); SSDN, the ServiceReply's
   * payload (e.g. `{ IdentifyPersonReply: { SearchResults: ... } }`).
   */
  readonly body: B;
}

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

/** The reason an error gives, on one line. */
function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);
}

/** Names that the parser refuses as elements or attributes (they would reach object prototypes). */
const RESERVED_NAME = /<\/?(?:[\w.-]+:)?(?:__proto__|constructor|prototype)[\s/>]|\s(?:[\w.-]+:)?(?:__proto__|constructor|prototype)\s*=/;

/**
 * Parses a reply's XML: DOCTYPE refused, depth pre-scanned, well-formedness validated; any
 * failure of the parser itself is a {@link BcssReplyError} with the parser's error as its cause.
 */
function parseXml(xml: string, httpStatus: number, what: string, maxDepth: number): Record<string, Node> {
  // SOAP messages carry no DTD; refusing one rules out entity-expansion attacks.
  if (/<!DOCTYPE/i.test(xml)) throw new BcssReplyError(httpStatus, `${what} contains a DOCTYPE, which SOAP does not allow`);
  if (nestsDeeperThan(xml, maxDepth)) throw new BcssReplyError(httpStatus, `${what} nests elements deeper than ${maxDepth} levels (maxReplyDepth)`);
  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(xml);
  } catch (error) {
    throw new BcssReplyError(httpStatus, `${what} could not be validated as XML (${reasonOf(error)})`, { cause: error });
  }
  if (verdict !== true) throw new BcssReplyError(httpStatus, `${what} is not well-formed XML (${verdict.err.msg}, line ${verdict.err.line})`);
  try {
    return parserFor(maxDepth).parse(xml) as Record<string, Node>;
  } catch (error) {
    const reserved = RESERVED_NAME.exec(xml);
    const detail = reserved === null ? reasonOf(error) : `it names an element or attribute '${reserved[0].replace(/[<>/=\s]/g, '')}', a name no BCSS schema uses and that is refused`;
    throw new BcssReplyError(httpStatus, `${what} could not be parsed: ${detail}`, { cause: error });
  }
}

/** Runs a step of reading a reply: every failure that is not already a {@link BcssReplyError} becomes one, with its cause. */
function guarded<T>(httpStatus: number, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof BcssReplyError) throw error;
    throw new BcssReplyError(httpStatus, `${what} could not be read (${reasonOf(error)})`, { cause: error });
  }
}

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

/** A CBSS message (`severity`, `reasonCode`, ...) or an SSDN Detail (`Severity`, `ReasonCode`, ..., `AuthorCodeList`). */
function message(node: Node, upper: boolean): BcssMessage {
  const field = (name: string) => text(child(node, upper ? name[0]!.toUpperCase() + name.slice(1) : name));
  const authorCode = upper ? text(child(node, 'AuthorCodeList')) : field('authorCode');
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

function systemErrorOf(node: Node): BcssSystemError {
  const first = asArray(node)[0];
  const id = isRecord(first) && typeof first['@_Id'] === 'string' ? first['@_Id'] : '';
  const origin = text(child(node, 'Origin'));
  const environment = text(child(node, 'Environment'));
  return {
    id,
    code: text(child(node, 'Code')) ?? '',
    message: text(child(node, 'Message')) ?? '',
    ...(origin === undefined ? {} : { origin }),
    ...(environment === undefined ? {} : { environment }),
  };
}

const SOA_CODE = /^SOA-\d{5}$/;

/** The SOAP fault of a reply, or `undefined` when the reply is not a fault. */
function faultOf(body: Node): BcssFault | undefined {
  const fault = child(body, 'Fault');
  if (fault === undefined) return undefined;
  const details: BcssMessage[] = [];
  let ticket: string | undefined;
  let systemError: BcssSystemError | undefined;
  for (const [name, typed] of elements(child(fault, 'detail'))) {
    if (name === 'SystemError') {
      systemError ??= systemErrorOf(typed);
      continue;
    }
    // A CBSS fault sits in <detail> under a service-specific name (e.g. retrieveTIGroupsFault):
    // CBSSFaultType lists `detail`, the older v1 fault type lists `error`.
    for (const item of [...asArray(child(typed, 'detail')), ...asArray(child(typed, 'error'))]) details.push(message(item, false));
    ticket ??= text(child(child(typed, 'informationCBSS'), 'ticketCBSS'));
  }
  const faultString = text(child(fault, 'faultstring')) ?? '';
  // The SOA platform names its code in the faultstring too: keep it when the detail is missing.
  if (systemError === undefined && details.length === 0 && SOA_CODE.test(faultString)) systemError = { id: '', code: faultString, message: faultString };
  return {
    faultCode: stripPrefix(text(child(fault, 'faultcode')) ?? ''),
    faultString,
    details,
    ...(ticket === undefined ? {} : { ticket }),
    ...(systemError === undefined ? {} : { systemError }),
  };
}

/**
 * Reads a SOAP reply: returns the fault when it is one (whatever the HTTP status), the reply
 * otherwise. Throws {@link BcssReplyError} when the text is not a SOAP envelope of the family's shape.
 */
export function readSoapReply(xml: string, family: 'soa' | 'ssdn', httpStatus = 200, options: ReadReplyOptions = {}): { fault: BcssFault } | { reply: BcssReply } {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_REPLY_DEPTH;
  return guarded(httpStatus, 'the reply', () => {
    const body = soapBody(parseXml(xml, httpStatus, 'the reply', maxDepth), httpStatus);
    const fault = faultOf(body);
    if (fault !== undefined) return { fault };
    return { reply: family === 'soa' ? soaReply(body, httpStatus) : ssdnReply(body, httpStatus, maxDepth) };
  });
}

/**
 * The SOAP fault in a text, or `undefined` when it is no SOAP envelope with a `Fault` (used on
 * HTTP error statuses: an HTML error page is no fault). Throws {@link BcssReplyError} when the
 * text is well-formed XML that cannot be read (nested too deep, reserved names).
 */
export function soapFaultOf(xml: string, httpStatus = 500, options: ReadReplyOptions = {}): BcssFault | undefined {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_REPLY_DEPTH;
  return guarded(httpStatus, 'the fault', () => {
    if (/<!DOCTYPE/i.test(xml) || XMLValidator.validate(xml) !== true) return undefined;
    const document = parseXml(xml, httpStatus, 'the fault', maxDepth);
    return faultOf(child(document['Envelope'], 'Body'));
  });
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
  const description = text(child(status, 'description'));
  return {
    family: 'soa',
    ticket: text(child(cbss, 'ticketCBSS')),
    customerTicket: text(child(customer, 'ticket')),
    timestamps: timestampsOf(text(child(customer, 'timestampSent')), text(child(cbss, 'timestampReceive')), text(child(cbss, 'timestampReply'))),
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
const SEVERITY_OF: Readonly<Record<string, string>> = { ERROR: 'ERROR', WARNING: 'WARNING' };

function ssdnStatus(summary: Node, source: 'ServiceReply' | 'ReplyContext'): BcssStatus | undefined {
  if (summary === undefined) return undefined;
  const returnCode = text(child(summary, 'ReturnCode'))?.trim() ?? '';
  const details = asArray(child(summary, 'Detail')).map((d) => message(d, true));
  const value = SSDN_VALUES[returnCode] ?? `RETURN_CODE_${returnCode}`;
  const severity = SEVERITY_OF[value];
  const main = details.find((d) => d.severity === severity && d.reasonCode !== '') ?? details.find((d) => d.reasonCode !== '');
  const number = Number(returnCode);
  return {
    value,
    code: main?.reasonCode ?? `SSDN_${returnCode}`,
    ...(main?.diagnostic ? { description: main.diagnostic } : {}),
    information: details.flatMap((d) => d.information),
    details,
    ...(returnCode !== '' && Number.isInteger(number) ? { returnCode: number } : {}),
    source,
  };
}

function ssdnReply(body: Node, httpStatus: number, maxDepth: number): BcssReply {
  const parts = elements(body);
  const xmlString = parts.length === 1 && parts[0]![0] === 'xmlString' ? text(parts[0]![1]) : undefined;
  if (xmlString === undefined || xmlString === '') {
    const found = parts.map(([name]) => name).join(', ') || 'nothing';
    throw new BcssReplyError(httpStatus, `expected the SSDNReply in one xmlString element directly in soap:Body (WebServiceConnector.wsdl), found ${found}`);
  }
  const reply = parseXml(xmlString, httpStatus, 'the SSDNReply', maxDepth)['SSDNReply'];
  if (reply === undefined) throw new BcssReplyError(httpStatus, 'the xmlString holds no SSDNReply');
  const context = child(reply, 'ReplyContext');
  const messageNode = child(context, 'Message');
  // One ServiceRequest is sent, so one ServiceReply comes back: the first one is the service's.
  const serviceReply = asArray(child(reply, 'ServiceReply'))[0];
  const status = serviceReply === undefined ? ssdnStatus(child(context, 'ResultSummary'), 'ReplyContext') : ssdnStatus(child(serviceReply, 'ResultSummary'), 'ServiceReply');
  const payload: Record<string, unknown> = {};
  for (const [name, value] of elements(serviceReply)) if (!['ServiceId', 'Version', 'ResultSummary'].includes(name)) payload[name] = value;
  return {
    family: 'ssdn',
    ticket: text(child(messageNode, 'Ticket')),
    customerTicket: text(child(messageNode, 'Reference')),
    timestamps: timestampsOf(text(child(messageNode, 'TimeRequest')), text(child(messageNode, 'TimeReceive')), text(child(messageNode, 'TimeResponse'))),
    status,
    body: payload,
  };
}

/** Parses any XML text leniently into nodes (prefixes removed), or `undefined` when it is not well-formed. */
export function parseXmlNodes(xml: string): Record<string, unknown> | undefined {
  if (nestsDeeperThan(xml, DEFAULT_MAX_REPLY_DEPTH) || XMLValidator.validate(xml) !== true) return undefined;
  try {
    return parserFor(DEFAULT_MAX_REPLY_DEPTH).parse(xml) as Record<string, unknown>;
  } catch {
    return undefined; // reserved names: not readable, like text that is not well-formed
  }
}
