/**
 * SOAP envelopes of the two BCSS request families, built with fast-xml-parser (never by pasting
 * caller values into strings: the builder escapes every text and attribute, and element names
 * given by the caller are checked against the XML name rule).
 *
 * - SOA (new style): SOAP 1.1 document/literal; the service's request element (in its own
 *   namespace) holds `informationCustomer` (ticket, timestampSent, customerIdentification) and
 *   `legalContext` (common v3 types: unqualified), then the service's body, whose children are
 *   unqualified by default (the rule of the BCSS SOA schemas, e.g. RetrieveTIGroups v2).
 * - SSDN (older): one element `xmlString` directly in `soap:Body` (WebServiceConnector.wsdl,
 *   document/literal, no `sendXML` wrapper), whose text is the `SSDNRequest`, escaped. The
 *   service's request element and its children are in the service's own namespace
 *   (`elementFormDefault="qualified"`, e.g. IdentifyPerson, ManageAccess).
 *
 * Replies are read by `soap-read.ts`.
 */
import { formatInTimeZone } from 'date-fns-tz';
import { XMLBuilder } from 'fast-xml-parser';
import { SOAP_ENVELOPE_NS, SSDN_CONNECTOR_NS, SSDN_SERVICE_NS } from './contract.js';
import { BcssRequestError } from './errors.js';
import { serviceElementTree, type ElementForm, type Tree, type XmlElement } from './xml-body.js';

export { SOAP_ENVELOPE_NS, SSDN_CONNECTOR_NS, SSDN_SERVICE_NS } from './contract.js';
export { inNamespace, XmlInNamespace, type ElementForm, type XmlElement, type XmlValue } from './xml-body.js';
export { readSoapReply, soapFaultOf, parseXmlNodes, type BcssReply, type BcssStatus } from './soap-read.js';
export { DEFAULT_MAX_REPLY_DEPTH, type ReadReplyOptions } from './soap-read.js';

/** Who calls: the enterprise number, or the sector and institution. */
export type CustomerIdentification = { readonly cbeNumber: string } | { readonly sector: number; readonly institution: number };

/** The SSDN `AuthorizedUser` block. */
export interface SsdnAuthorizedUser {
  /** The national number of the user (11 digits). */
  readonly userId: string;
  readonly email: string;
  /** Usually the institution's 10-digit enterprise number. */
  readonly orgUnit: string;
  readonly matrixId: string | number;
  readonly matrixSubId: string | number;
}

/** The service's request element: its name and namespace, and the body inside it. */
export interface ServiceElement {
  /** The element's name, e.g. `retrieveTIGroupsRequest`, `IdentifyPersonRequest`. */
  readonly name: string;
  /** The element's namespace, e.g. {@link RETRIEVE_TI_GROUPS_V2_NS}, {@link IDENTIFY_PERSON_NS}. */
  readonly namespace: string;
  /** The element's children, e.g. `{ searchInformation: { ssin, language: 'fr' } }`; see {@link inNamespace} for a child in another namespace. */
  readonly body: XmlElement;
  /**
   * Whether the children of the element are in its namespace (`qualified`) or in none
   * (`unqualified`), as the service's schema says (`elementFormDefault`).
   *
   * @defaultValue `'unqualified'` for `soa()` (the BCSS SOA schemas), `'qualified'` for `ssdn()` (the SSDN schemas)
   */
  readonly elementForm?: ElementForm;
}

/** Everything an SOA envelope needs. */
export interface SoaEnvelope {
  /** The service's request element, e.g. `{ name: 'retrieveTIGroupsRequest', namespace, body: { searchInformation: { ssin } } }`. */
  readonly request: ServiceElement;
  readonly customer: CustomerIdentification;
  /** The caller's ticket (at most 36 characters). */
  readonly ticket: string;
  readonly timestampSent: Date;
  /** The legal context, e.g. `PCSA:SOCIAL_INQUIRY` (at most 64 characters). */
  readonly legalContext: string;
}

/** Everything an SSDN envelope needs. */
export interface SsdnEnvelope {
  readonly user: SsdnAuthorizedUser;
  /** The message reference. */
  readonly reference: string;
  readonly timeRequest: Date;
  readonly serviceId: string;
  /** The service version: 8 characters, e.g. `20050930`. */
  readonly version: string;
  /** The service's request element, placed in `ServiceRequest` after `ServiceId` and `Version`. */
  readonly request: ServiceElement;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', suppressEmptyNode: false });

function customerTree(customer: CustomerIdentification): Tree {
  return 'cbeNumber' in customer ? { cbeNumber: customer.cbeNumber } : { sector: String(customer.sector), institution: String(customer.institution) };
}

/** Builds the SOAP envelope of an SOA (new style) request. */
export function buildSoaEnvelope(envelope: SoaEnvelope): string {
  if (envelope.ticket.length > 36) throw new BcssRequestError('the ticket is longer than 36 characters');
  if (envelope.legalContext.length === 0 || envelope.legalContext.length > 64) throw new BcssRequestError('the legal context must have 1 to 64 characters');
  const head: Tree = {
    informationCustomer: {
      ticket: envelope.ticket,
      timestampSent: envelope.timestampSent.toISOString(),
      customerIdentification: customerTree(envelope.customer),
    },
    legalContext: envelope.legalContext,
  };
  return soapEnvelope(serviceElementTree(envelope.request, { form: 'unqualified', defaultInScope: false, head }));
}

/** The `SSDNRequest` document that travels, escaped, in the `xmlString` element. */
export function buildSsdnRequest(envelope: SsdnEnvelope): string {
  const { user } = envelope;
  if (envelope.version.length !== 8) throw new BcssRequestError(`the SSDN service version must have 8 characters (e.g. 20050930), got ${envelope.version.length}`);
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
        ...serviceElementTree(envelope.request, { form: 'qualified', defaultInScope: true }),
      },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(document) as string}`;
}

/** Builds the SOAP envelope of an SSDN request: `xmlString` directly in `soap:Body`, the `SSDNRequest` as escaped text. */
export function buildSsdnEnvelope(envelope: SsdnEnvelope): string {
  return soapEnvelope({ 'wsc:xmlString': { '@_xmlns:wsc': SSDN_CONNECTOR_NS, '#text': buildSsdnRequest(envelope) } });
}

function soapEnvelope(body: Tree): string {
  const document: Tree = { 'soapenv:Envelope': { '@_xmlns:soapenv': SOAP_ENVELOPE_NS, 'soapenv:Header': '', 'soapenv:Body': body } };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(document) as string}`;
}

/** Builds XML from a tree of strings (used by the fake service to write replies). */
export function buildXml(tree: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(tree) as string}`;
}
