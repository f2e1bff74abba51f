/**
 * Reads and checks one request as the BCSS would: the SOAP 1.1 envelope, the route (URL path
 * and SOAPAction), then the SOA request element or the SSDN `xmlString` with its `SSDNRequest`
 * and the service's own request, each against its content model.
 */
import { SOAP_ENVELOPE_NS, SSDN_CONNECTOR_NS, SSDN_SEND_XML_SOAP_ACTION, SSDN_SERVICE_NS } from '../bcss/contract.js';
import {
  SOA_BASE_REQUEST,
  SSDN_CONNECTOR_PATH,
  SSDN_REQUEST,
  type FakeBcssService,
  type FakeSoaService,
  type FakeSsdnService,
} from './fake-bcss-contract.js';
import { checkElement, childOf, parseXml, qname, textAt, type Violation, type XmlNode } from './fake-bcss-xml.js';

/** A request the service reads and answers by its outcome. */
export type AcceptedRequest =
  | {
      readonly family: 'soa';
      readonly service: FakeSoaService;
      readonly root: XmlNode;
      readonly ssin: string | undefined;
      readonly ticket: string | undefined;
      readonly sentAt: string | undefined;
      readonly legalContext: string;
      readonly customer: Readonly<Record<string, string>>;
    }
  | {
      readonly family: 'ssdn';
      readonly service: FakeSsdnService;
      readonly ssdn: XmlNode;
      /** The service's own request element. */
      readonly body: XmlNode;
      readonly ssin: string | undefined;
      readonly ticket: string | undefined;
      readonly sentAt: string | undefined;
      readonly customer: Readonly<Record<string, string>>;
    };

/** Why a request is refused, and in which form. */
export type Refusal =
  /** The SOA platform refuses the message: `SystemError` `SOA-03001` (HTTP 500). */
  | { readonly form: 'malformed'; readonly reason: string }
  /** No service at this path: HTTP 404. */
  | { readonly form: 'no-service'; readonly reason: string }
  /** The SSDN service refuses its request: an SSDNReply with ReturnCode 10000 and `31000007`. */
  | { readonly form: 'ssdn-argument'; readonly reason: string; readonly violation: Violation; readonly ssdn: XmlNode; readonly service: FakeSsdnService };

/** What the reader made of a request. */
export type ReadResult = { readonly accepted: AcceptedRequest } | { readonly refused: Refusal };

const malformed = (reason: string): ReadResult => ({ refused: { form: 'malformed', reason } });

/** The SOAPAction header without its quotes. */
function actionOf(headers: Readonly<Record<string, string>>): string | undefined {
  const raw = headers['soapaction'];
  return raw === undefined ? undefined : raw.trim().replace(/^"(.*)"$/, '$1');
}

function route(path: string, action: string | undefined, services: readonly FakeBcssService[]): FakeSoaService | 'ssdn' | undefined {
  const clean = path.replace(/\/+$/, '');
  const soa = services.find((s): s is FakeSoaService => s.family === 'soa' && (clean === `/${s.path}` || clean.endsWith(`/${s.path}`)));
  if (soa !== undefined) return soa;
  if (clean.endsWith(`/${SSDN_CONNECTOR_PATH}`) || action === SSDN_SEND_XML_SOAP_ACTION) return 'ssdn';
  return undefined;
}

/** Reads one exchange. */
export function readRequest(path: string, headers: Readonly<Record<string, string>>, body: string, services: readonly FakeBcssService[]): ReadResult {
  const action = actionOf(headers);
  const envelope = parseXml(body);
  const target = route(path, action, services);
  if (target === undefined) {
    // A body that is an SSDN call to the wrong place still reads as one (sendXML wrappers included).
    const element = envelope === undefined ? undefined : childOf(envelope, SOAP_ENVELOPE_NS, 'Body')?.children[0];
    if (element?.ns !== SSDN_CONNECTOR_NS) return { refused: { form: 'no-service', reason: `no BCSS service at ${path}` } };
  }
  if (envelope === undefined) return malformed('the request is not well-formed XML');
  if (envelope.local !== 'Envelope' || envelope.ns !== SOAP_ENVELOPE_NS) return malformed(`the root element is ${qname(envelope)}, not a SOAP 1.1 Envelope (${SOAP_ENVELOPE_NS})`);
  const soapBody = childOf(envelope, SOAP_ENVELOPE_NS, 'Body');
  if (soapBody === undefined) return malformed('the SOAP envelope has no Body');
  if (soapBody.children.length !== 1) return malformed(`the SOAP Body holds ${soapBody.children.length} elements; document/literal needs exactly one`);
  const element = soapBody.children[0]!;
  if (target === undefined || target === 'ssdn') return readSsdn(element, action, services);
  return readSoa(target, element, action);
}

function readSoa(service: FakeSoaService, element: XmlNode, action: string | undefined): ReadResult {
  if (action !== service.soapAction) return malformed(`the SOAPAction is ${action === undefined ? 'missing' : `'${action}'`}; ${service.name} declares '${service.soapAction}'`);
  if (element.local !== service.requestElement || element.ns !== service.namespace) {
    return malformed(`the Body holds ${qname(element)}; ${service.name} takes {${service.namespace}}${service.requestElement}`);
  }
  const violation = checkElement(element, { name: service.requestElement, ns: service.namespace, type: { sequence: [...SOA_BASE_REQUEST, ...service.criteria] } }, service.requestElement);
  if (violation !== undefined) return malformed(violation.message);
  const info = childOf(element, '', 'informationCustomer');
  const identification = childOf(info, '', 'customerIdentification');
  const customer: Record<string, string> = {};
  for (const child of identification?.children ?? []) customer[child.local] = child.text.trim();
  return {
    accepted: {
      family: 'soa',
      service,
      root: element,
      ssin: textAt(element, '', service.ssinPath),
      ticket: textAt(info, '', ['ticket']),
      sentAt: textAt(info, '', ['timestampSent']),
      legalContext: textAt(element, '', ['legalContext']) ?? '',
      customer,
    },
  };
}

function readSsdn(element: XmlNode, action: string | undefined, services: readonly FakeBcssService[]): ReadResult {
  if (action !== SSDN_SEND_XML_SOAP_ACTION) return malformed(`the SOAPAction is ${action === undefined ? 'missing' : `'${action}'`}; sendXML declares '${SSDN_SEND_XML_SOAP_ACTION}'`);
  if (element.ns !== SSDN_CONNECTOR_NS || element.local !== 'xmlString') {
    return malformed(`the Body holds ${qname(element)}; sendXML takes the element {${SSDN_CONNECTOR_NS}}xmlString directly in the Body (document/literal, no wrapper)`);
  }
  if (element.children.length > 0) return malformed('xmlString holds elements; it takes the SSDNRequest as text (escaped, or CDATA)');
  const ssdn = parseXml(element.text.trim());
  if (ssdn === undefined) return malformed('the text of xmlString is not a well-formed XML document');
  if (ssdn.local !== 'SSDNRequest' || ssdn.ns !== SSDN_SERVICE_NS) return malformed(`xmlString holds ${qname(ssdn)}, not {${SSDN_SERVICE_NS}}SSDNRequest`);
  const violation = checkElement(ssdn, SSDN_REQUEST, 'SSDNRequest');
  if (violation !== undefined) return malformed(violation.message);
  const request = childOf(ssdn, SSDN_SERVICE_NS, 'ServiceRequest')!;
  const serviceId = textAt(request, SSDN_SERVICE_NS, ['ServiceId']) ?? '';
  const version = textAt(request, SSDN_SERVICE_NS, ['Version']) ?? '';
  const service = services.find((s): s is FakeSsdnService => s.family === 'ssdn' && s.serviceId === serviceId && s.version === version);
  if (service === undefined) return malformed(`no SSDN service '${serviceId}' version '${version}'`);
  const body = request.children[2]!;
  const refuse = (v: Violation): ReadResult => ({ refused: { form: 'ssdn-argument', reason: v.message, violation: v, ssdn, service } });
  if (body.local !== service.requestElement || body.ns !== service.namespace) {
    return refuse({ kind: 'wrong-namespace', path: service.requestElement, message: `the service request is ${qname(body)}; ${service.name} takes {${service.namespace}}${service.requestElement}` });
  }
  const bodyViolation = checkElement(body, { name: service.requestElement, ns: service.namespace, type: service.request }, service.requestElement);
  if (bodyViolation !== undefined) return refuse(bodyViolation);
  const context = childOf(ssdn, SSDN_SERVICE_NS, 'RequestContext');
  const user = childOf(context, SSDN_SERVICE_NS, 'AuthorizedUser');
  const customer: Record<string, string> = {};
  for (const child of user?.children ?? []) customer[child.local] = child.text.trim();
  return {
    accepted: {
      family: 'ssdn',
      service,
      ssdn,
      body,
      ssin: textAt(body, service.namespace, service.ssinPath),
      ticket: textAt(context, SSDN_SERVICE_NS, ['Message', 'Reference']),
      sentAt: textAt(context, SSDN_SERVICE_NS, ['Message', 'TimeRequest']),
      customer,
    },
  };
}
