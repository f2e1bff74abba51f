/**
 * The schema and reply fixtures hold: every reply fixture validates against its schemas, and the
 * schemas refuse what the real ones refuse (a body in the wrong namespace, a missing mandatory
 * element, an SSDN reply element the ServiceReply does not know).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPLIES_DIR, REPLY_FIXTURES, readReply } from '../support/reply-fixtures.js';
import { el, expandedName, validateXml, xpathText, xsdNames } from '../support/xsd.js';

const XMLSTRING = `/${el('Envelope')}/${el('Body')}/${el('xmlString')}`;

describe('schema fixtures', () => {
  it('every schema fixture compiles (xmllint loads it and its imports)', () => {
    expect(xsdNames().length).toBeGreaterThanOrEqual(12);
    for (const name of xsdNames()) {
      const verdict = validateXml('<nothing/>', name as never);
      expect(verdict.valid, name).toBe(false);
      // The only complaint is the undeclared root, not a broken schema.
      expect(verdict.errors.join('\n'), name).toMatch(/No matching global declaration/);
    }
  });

  const ip = 'http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/IdentifyPerson';
  it('IdentifyPerson: a request in its own namespace validates; its children in another namespace do not', () => {
    expect(validateXml(`<IdentifyPersonRequest xmlns="${ip}"><SearchCriteria><SSIN>85073003328</SSIN></SearchCriteria></IdentifyPersonRequest>`, 'identify-person').valid).toBe(true);
    const wrong = `<p:IdentifyPersonRequest xmlns:p="${ip}" xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/Service"><SearchCriteria><SSIN>85073003328</SSIN></SearchCriteria></p:IdentifyPersonRequest>`;
    expect(validateXml(wrong, 'identify-person').valid).toBe(false);
  });

  it('ManageAccess: the Period dates must be in the SSDN Common namespace', () => {
    const body = (dates: string) =>
      `<ManageAccessRequest xmlns="http://www.ksz-bcss.fgov.be/XSD/SSDN/OCMW_CPAS/ManageAccess" xmlns:c="http://www.ksz-bcss.fgov.be/XSD/SSDN/Common">` +
      `<SSIN>85073003328</SSIN><Purpose>10</Purpose><Period>${dates}</Period><Action>REGISTER</Action><ProofOfAuthentication><SISCardNumber>1234567890</SISCardNumber></ProofOfAuthentication></ManageAccessRequest>`;
    expect(validateXml(body('<c:StartDate>2026-11-26</c:StartDate>'), 'manage-access').valid).toBe(true);
    expect(validateXml(body('<StartDate>2026-11-26</StartDate>'), 'manage-access').valid).toBe(false);
  });

  it('RetrieveTIGroups v2: searchInformation is mandatory; a bare ssin is refused', () => {
    const request = (criteria: string) =>
      `<r:retrieveTIGroupsRequest xmlns:r="http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2"><informationCustomer><customerIdentification><cbeNumber>0212344876</cbeNumber></customerIdentification></informationCustomer><legalContext>PCSA:SOCIAL_INQUIRY</legalContext>${criteria}</r:retrieveTIGroupsRequest>`;
    expect(validateXml(request('<searchInformation><ssin>85073003328</ssin><language>fr</language></searchInformation>'), 'retrieve-ti-groups-v2').valid).toBe(true);
    expect(validateXml(request('<ssin>85073003328</ssin>'), 'retrieve-ti-groups-v2').valid).toBe(false);
  });

  it('SSDN: a ServiceReply payload that no loaded schema declares is refused (strict wildcard)', () => {
    const reply = readReply('ssdn-ok.xml');
    const ssdn = xpathText(reply, XMLSTRING).replace(/OCMW_CPAS\/IdentifyPerson/g, 'OCMW_CPAS/Unknown');
    expect(validateXml(ssdn, 'bcss-all').valid).toBe(false);
  });
});

describe('reply fixtures', () => {
  it('the manifest lists every file of the folder', () => {
    expect(REPLY_FIXTURES.map((f) => f.file).sort()).toEqual(readdirSync(REPLIES_DIR).sort());
  });

  it.each(REPLY_FIXTURES)('$file validates against its schemas', (fixture) => {
    const xml = readReply(fixture.file);
    expect(validateXml(xml, 'soap-envelope').valid).toBe(true);
    const verdict = validateXml(xml, 'bcss-all');
    expect(verdict.valid, verdict.errors.join('\n')).toBe(fixture.envelopeValid);
    if (fixture.family === 'ssdn') {
      const ssdn = xpathText(xml, XMLSTRING);
      expect(expandedName(ssdn, '/*')).toBe('{http://www.ksz-bcss.fgov.be/XSD/SSDN/Service}SSDNReply');
      const inner = validateXml(ssdn, 'bcss-all');
      expect(inner.valid, inner.errors.join('\n')).toBe(fixture.ssdnValid);
    }
  });
});
