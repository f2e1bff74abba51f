/**
 * Facts of the BCSS contract the client relies on: namespaces and SOAP actions, as the BCSS's
 * published WSDL and XSD files declare them (`WebServiceConnector.wsdl`, the SSDN schemas,
 * `RetrieveTIGroupsV2.wsdl`, the common v3 types).
 */

/** SOAP 1.1 envelope namespace. */
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Namespace of the SSDN web-service connector: its one message part, `xmlString`, sits directly in `soap:Body`. */
export const SSDN_CONNECTOR_NS = 'http://ksz-bcss.fgov.be/connectors/WebServiceConnector';
/** Namespace of `SSDNRequest` / `SSDNReply`. */
export const SSDN_SERVICE_NS = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Service';
/** Namespace of the SSDN shared types: `ResultSummary`, and the `StartDate` / `EndDate` of a period. */
export const SSDN_COMMON_NS = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/Common';
/** Namespace of the SSDN service IdentifyPerson (OCMW/CPAS): `IdentifyPersonRequest` and its children. */
export const IDENTIFY_PERSON_NS = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/IdentifyPerson';
/** Namespace of the SSDN service ManageAccess (OCMW/CPAS): `ManageAccessRequest` and its children. */
export const MANAGE_ACCESS_NS = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/ManageAccess';
/** Namespace of the RetrieveTIGroups v2 messages (`retrieveTIGroupsRequest`; its children are unqualified). */
export const RETRIEVE_TI_GROUPS_V2_NS = 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2';

/** The SOAPAction `WebServiceConnector.wsdl` declares for `sendXML`: the default of every `ssdn()` call. */
export const SSDN_SEND_XML_SOAP_ACTION = 'http://ksz-bcss.fgov.be/connectors/WebServiceConnector/sendXML';
/** The SOAPAction `RetrieveTIGroups-v2.wsdl` declares for `retrieveTI`: the default of `soa()` calls with a `retrieveTIGroupsRequest` in {@link RETRIEVE_TI_GROUPS_V2_NS}. */
export const RETRIEVE_TI_GROUPS_V2_SOAP_ACTION = 'http://kszbcss.fgov.be/RetrieveTIGroupsService/retrieveTI';

/** SOAP actions of the new-style operations the client knows, by `{namespace}requestElement`. */
const KNOWN_SOA_ACTIONS: ReadonlyMap<string, string> = new Map([[`{${RETRIEVE_TI_GROUPS_V2_NS}}retrieveTIGroupsRequest`, RETRIEVE_TI_GROUPS_V2_SOAP_ACTION]]);

/** The SOAPAction a WSDL declares for an SOA request element, when the client knows it. */
export function knownSoaSoapAction(request: { readonly name: string; readonly namespace: string }): string | undefined {
  return KNOWN_SOA_ACTIONS.get(`{${request.namespace}}${request.name}`);
}
