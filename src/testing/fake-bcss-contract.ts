/**
 * The BCSS contract as the fake BCSS knows it, written from the facts of the BCSS's published
 * WSDL and XSD files (names, namespaces, order, cardinality, simple types): the SOAP and SSDN
 * envelopes, and one table entry per service. Adding a service is adding an entry.
 */
import {
  IDENTIFY_PERSON_NS,
  MANAGE_ACCESS_NS,
  RETRIEVE_TI_GROUPS_V2_NS,
  RETRIEVE_TI_GROUPS_V2_SOAP_ACTION,
  SSDN_COMMON_NS,
  SSDN_SERVICE_NS,
} from '../bcss/contract.js';
import type { ContentModel, ElementRule, SimpleType, XmlNode } from './fake-bcss-xml.js';

// The namespaces and SOAPActions are the contract's facts (src/bcss/contract.ts), shared with the
// client; the tests' schema fixtures check them independently of both.

/** Common v3 types of the SOA services. */
export const COMMON_V3_NAMESPACE = 'http://kszbcss.fgov.be/types/common/v3';
/** The SOA platform's `SystemError` fault detail (as the public page "SOA technical errors" writes it). */
export const SOA_ERRORS_NAMESPACE = 'https://socialsecurity.be/errors/v1';

// ── Simple types ─────────────────────────────────────────────────────────────

/** CommonV3 `SsinType` (national register, BIS and TER ranges). */
const ssinV3: SimpleType = {
  name: 'SsinType',
  pattern:
    /^(?:\d\d(?:0\d|1[0-2])(?:[0-2]\d|3[01])(?:\d\d[1-9]|\d[1-9]\d|[1-9]\d\d)(?:[0-8]\d|9[0-7])|\d\d(?:2\d|3[0-2])(?:[0-2]\d|3[01])\d{3}(?:[0-8]\d|9[0-7])|\d\d(?:4\d|5[0-2])(?:[0-2]\d|3[01])\d{3}(?:[0-8]\d|9[0-7]))$/,
};
const tSsin: SimpleType = { name: 't_SSIN', length: 11, pattern: /^\d{11}$/ };
const dateTime: SimpleType = { name: 'xs:dateTime', pattern: /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$/ };
const date: SimpleType = { name: 'xs:date', pattern: /^-?\d{4,}-\d\d-\d\d(?:Z|[+-]\d\d:\d\d)?$/ };
const integer: SimpleType = { name: 'xs:integer', pattern: /^[+-]?\d+$/ };
const boolean: SimpleType = { name: 'xs:boolean', values: ['true', 'false', '1', '0'] };
const upTo999: SimpleType = { name: 'unsignedShort ≤ 999', pattern: /^\+?0*\d{1,3}$/ };
const incompleteDate: SimpleType = { name: 't_IncompleteDate', length: 10, pattern: /^[12]\d{3}-[01]\d-[0-3]\d$/ };
const dateTimeUtc: SimpleType = { name: 't_DateTimeUTC (yyyyMMddTHHmmss)', pattern: /^[12]\d{3}[01]\d[0-3]\dT[0-2]\d[0-5]\d[0-5]\d$/ };
const sisCard: SimpleType = { name: 't_SISCardNumber', length: 10, pattern: /^\d{10}$/ };
const idCard: SimpleType = { name: 't_IdentityCardNumber', length: 12, pattern: /^\d{12}$/ };

const e = (name: string, ns: string, type?: ElementRule['type'], min = 1, max = 1): ElementRule => ({ name, ns, min, max, ...(type === undefined ? {} : { type }) });
const opt = (name: string, ns: string, type?: ElementRule['type']): ElementRule => e(name, ns, type, 0);

// ── SOA (new style) ──────────────────────────────────────────────────────────

/** CommonV3 `InformationCustomerType` (children unqualified). */
const informationCustomer: ContentModel = {
  sequence: [
    opt('ticket', '', { name: 'TicketType', maxLength: 36 }),
    opt('timestampSent', '', dateTime),
    e('customerIdentification', '', {
      sequence: [{ choice: [[e('cbeNumber', '', { name: 'CbeNumberType', pattern: /^\d{10}$/ })], [e('sector', '', upTo999), e('institution', '', upTo999)]] }],
    }),
  ],
};

const informationCbss: ContentModel = {
  sequence: [e('ticketCBSS', '', { name: 'UUIDType', pattern: /^[\da-fA-F]{8}-[\da-fA-F]{4}-[\da-fA-F]{4}-[\da-fA-F]{4}-[\da-fA-F]{12}$/ }), e('timestampReceive', '', dateTime), e('timestampReply', '', dateTime)],
};

/** CommonV3 `BaseRequestType`: what every SOA request starts with. */
export const SOA_BASE_REQUEST: readonly ElementRule[] = [
  e('informationCustomer', '', informationCustomer),
  opt('informationCBSS', '', informationCbss),
  e('legalContext', '', { name: 'LegalContextType', maxLength: 64 }),
];

/** One SOA service of the fake. */
export interface FakeSoaService {
  readonly family: 'soa';
  /** Its name in messages, e.g. `RetrieveTIGroups v2`. */
  readonly name: string;
  /** The end of the URL path that serves it (any prefix is accepted, e.g. `/SOA4520/`). */
  readonly path: string;
  /** SOAPAction declared by the WSDL. */
  readonly soapAction: string;
  /** Namespace of the request, response and fault elements (the WSDL's target namespace). */
  readonly namespace: string;
  readonly requestElement: string;
  readonly responseElement: string;
  readonly faultElement: string;
  /** The service's criteria after `legalContext`, children unqualified as in CommonV3. */
  readonly criteria: readonly ElementRule[];
  /** Where the SSIN is, under the request element (local names). */
  readonly ssinPath: readonly string[];
  /** Whether its status type allows `INCOMPLETE_DATA` (CommonV3 `StatusType` does not). */
  readonly incompleteData: boolean;
  /** The reply body of a `found` person, as XML (children unqualified), after `status`. */
  readonly found: (ssin: string) => string;
}

/** RetrieveTIGroups v2 (`RetrieveTIGroupsV2.wsdl`, `RetrieveTIGroupsV2.xsd`). */
export const RETRIEVE_TI_GROUPS_V2: FakeSoaService = {
  family: 'soa',
  name: 'RetrieveTIGroups v2',
  path: 'RetrieveTIGroupsService/v2/retrieveTI',
  soapAction: RETRIEVE_TI_GROUPS_V2_SOAP_ACTION,
  namespace: RETRIEVE_TI_GROUPS_V2_NS,
  requestElement: 'retrieveTIGroupsRequest',
  responseElement: 'retrieveTIGroupsResponse',
  faultElement: 'retrieveTIGroupsFault',
  criteria: [
    e('searchInformation', '', {
      sequence: [e('ssin', '', ssinV3), opt('language', '', { name: 'LanguageType', values: ['nl', 'fr', 'de'] }), opt('history', '', boolean)],
    }),
  ],
  ssinPath: ['searchInformation', 'ssin'],
  incompleteData: false,
  // rrn_it_implicit (rn:FileInfoType) is optional: a found person without the register's
  // groups keeps the reply valid without the size of the xm25 schema.
  found: () => '',
};

// ── SSDN (older) ─────────────────────────────────────────────────────────────

const S = SSDN_SERVICE_NS;

/** `SSDNRequest` (SSDNRequest.xsd), the service's body left to its own entry. */
export const SSDN_REQUEST: ElementRule = e('SSDNRequest', S, {
  sequence: [
    e('RequestContext', S, {
      sequence: [
        e('AuthorizedUser', S, {
          sequence: [
            e('UserID', S, tSsin),
            e('Email', S, { name: 't_EmailAddress', maxLength: 100, pattern: /^.+@.+$/ }),
            opt('OrgUnit', S),
            e('MatrixID', S, integer),
            opt('MatrixSubID', S, integer),
          ],
        }),
        opt('Message', S, { sequence: [opt('Reference', S), opt('TimeRequest', S, dateTimeUtc)] }),
      ],
    }),
    e('ServiceRequest', S, { sequence: [e('ServiceId', S), e('Version', S, { name: 'Version', length: 8 }), e('*', '*', 'any')] }, 1, Number.POSITIVE_INFINITY),
  ],
});

/** One SSDN service of the fake. */
export interface FakeSsdnService {
  readonly family: 'ssdn';
  readonly name: string;
  readonly serviceId: string;
  /** The 8-character version, e.g. `20050930`. */
  readonly version: string;
  readonly namespace: string;
  readonly requestElement: string;
  readonly replyElement: string;
  /** The request's content model (qualified children). */
  readonly request: ContentModel;
  readonly ssinPath: readonly string[];
  /** The reply body for a found person or for none (`found = false`), as XML with prefix `svc`. */
  readonly reply: (ssin: string, found: boolean, request: XmlNode, deceased: boolean) => string;
}

const IPR = IDENTIFY_PERSON_NS;
const MAR = MANAGE_ACCESS_NS;
const C = SSDN_COMMON_NS;
const collapsed: SimpleType = {};

/** A birth date from a national number (YYMMDD; 19xx unless the 20xx check digits hold). */
function birthDate(ssin: string): string {
  const nine = ssin.slice(0, 9);
  const check = Number(ssin.slice(9, 11));
  const century = 97 - (Number(`2${nine}`) % 97) === check ? '20' : '19';
  const month = Number(ssin.slice(2, 4)) % 20;
  return `${century}${ssin.slice(0, 2)}-${String(month).padStart(2, '0')}-${ssin.slice(4, 6)}`;
}

/** OCMW/CPAS IdentifyPerson (IdentifyPersonRequest.xsd, IdentifyPersonReply.xsd). */
export const IDENTIFY_PERSON: FakeSsdnService = {
  family: 'ssdn',
  name: 'IdentifyPerson',
  serviceId: 'OCMWCPASIdentifyPerson',
  version: '20050930',
  namespace: IPR,
  requestElement: 'IdentifyPersonRequest',
  replyElement: 'IdentifyPersonReply',
  request: {
    sequence: [
      e('SearchCriteria', IPR, {
        sequence: [
          opt('SSIN', IPR, tSsin),
          opt('PhoneticCriteria', IPR, {
            sequence: [
              e('LastName', IPR, collapsed),
              opt('FirstName', IPR),
              opt('MiddleName', IPR),
              e('BirthDate', IPR, incompleteDate),
              opt('Gender', IPR, { name: 'GenderCodeType', values: ['0', '1', '2'] }),
              opt('Tolerance', IPR, integer),
              opt('Maximum', IPR, integer),
            ],
          }),
        ],
      }),
      opt('VerificationData', IPR, {
        sequence: [
          opt('SISCardNumber', IPR, sisCard),
          opt('IdentityCardNumber', IPR, idCard),
          opt('PersonData', IPR, { sequence: [e('LastName', IPR), opt('FirstName', IPR), opt('MiddleName', IPR), e('BirthDate', IPR, incompleteDate)] }),
        ],
      }),
    ],
  },
  ssinPath: ['SearchCriteria', 'SSIN'],
  reply: (ssin, found, _request, deceased) =>
    found
      ? `<svc:IdentifyPersonReply xmlns:svc="${IPR}"><svc:SearchResults><svc:LimitedLegalData origin="RN_RR"><svc:Basic>` +
        `<svc:SocialSecurityUser>${ssin}</svc:SocialSecurityUser><svc:LastName>FAKE</svc:LastName><svc:FirstName>PERSON</svc:FirstName>` +
        `<svc:BirthDate>${birthDate(ssin)}</svc:BirthDate></svc:Basic>` +
        (deceased ? `<svc:Extended><svc:DeceaseDate>2026-01-01</svc:DeceaseDate></svc:Extended>` : '') +
        `</svc:LimitedLegalData></svc:SearchResults></svc:IdentifyPersonReply>`
      : `<svc:IdentifyPersonReply xmlns:svc="${IPR}"/>`,
};

/** OCMW/CPAS ManageAccess (ManageAccessRequest.xsd, ManageAccessReply.xsd); period dates in SSDN Common. */
export const MANAGE_ACCESS: FakeSsdnService = {
  family: 'ssdn',
  name: 'ManageAccess',
  serviceId: 'OCMWCPASManageAccess',
  version: '20050930',
  namespace: MAR,
  requestElement: 'ManageAccessRequest',
  replyElement: 'ManageAccessReply',
  request: {
    sequence: [
      e('SSIN', MAR, tSsin),
      opt('Purpose', MAR, integer),
      e('Period', MAR, { sequence: [e('StartDate', C, date), opt('EndDate', C, date)] }),
      e('Action', MAR, { name: 'ActionType', values: ['REGISTER', 'UNREGISTER', 'LIST'] }),
      opt('Sector', MAR, integer),
      opt('QueryRegister', MAR, { name: 'RegisterType', values: ['PRIMARY', 'SECONDARY', 'ALL'] }),
      e('ProofOfAuthentication', MAR, {
        sequence: [
          opt('SISCardNumber', MAR, sisCard),
          opt('IdentityCardNumber', MAR, idCard),
          opt('PersonData', MAR, { sequence: [e('LastName', MAR), opt('FirstName', MAR), e('BirthDate', MAR, incompleteDate)] }),
        ],
      }),
    ],
  },
  ssinPath: ['SSIN'],
  reply: (ssin, found, request) => {
    const text = (...path: string[]) => {
      let node: XmlNode | undefined = request;
      for (const step of path) node = node?.children.find((c) => c.local === step);
      return node?.text.trim();
    };
    const start = text('Period', 'StartDate') ?? '';
    const end = text('Period', 'EndDate');
    const period = `<svc:Period><c:StartDate>${start}</c:StartDate>${end === undefined ? '' : `<c:EndDate>${end}</c:EndDate>`}</svc:Period>`;
    const purpose = text('Purpose') ?? '0';
    const register = text('QueryRegister');
    return (
      `<svc:ManageAccessReply xmlns:svc="${MAR}" xmlns:c="${C}"><svc:OriginalRequest><svc:SSIN>${ssin}</svc:SSIN><svc:Purpose>${purpose}</svc:Purpose>${period}` +
      `<svc:Action>${text('Action') ?? ''}</svc:Action>${register === undefined ? '' : `<svc:Register>${register}</svc:Register>`}</svc:OriginalRequest>` +
      (found ? `<svc:Registrations><svc:Purpose>${purpose}</svc:Purpose>${period}<svc:OrgUnit>0123456789</svc:OrgUnit><svc:Register>PRIMARY</svc:Register></svc:Registrations>` : '') +
      `</svc:ManageAccessReply>`
    );
  },
};

/** The SSDN connector's URL path end (the WSDL's port address). */
export const SSDN_CONNECTOR_PATH = 'connectors/webservice/KSZBCSSWebServiceConnectorPort';

/** A service of the fake BCSS. */
export type FakeBcssService = FakeSoaService | FakeSsdnService;

/** The services the fake knows by default. */
export const FAKE_BCSS_SERVICES: readonly FakeBcssService[] = [RETRIEVE_TI_GROUPS_V2, IDENTIFY_PERSON, MANAGE_ACCESS];
