/**
 * Every reply fixture (written from the shapes of recorded BCSS replies and of the documented
 * faults) is read by the client through a transport and classified as DOMAIN.md's table says,
 * the real codes kept.
 */
import { describe, expect, it } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { createBcssClient } from '../../src/bcss/client.js';
import { IDENTIFY_PERSON_NS, RETRIEVE_TI_GROUPS_V2_NS } from '../../src/bcss/contract.js';
import { BcssFaultError } from '../../src/bcss/errors.js';
import type { BcssReply } from '../../src/bcss/soap.js';
import { composeClassifiers, type AttemptResult } from '../../src/policy/classify.js';
import { REPLY_FIXTURES, readReply, type ReplyFixture } from '../support/reply-fixtures.js';

const classify = composeClassifiers(bcssClassifier());
const ctx = { now: Date.UTC(2026, 10, 25, 22), timedOut: false };

async function call(fixture: ReplyFixture): Promise<AttemptResult<BcssReply>> {
  const client = createBcssClient({
    transport: async () => ({ status: fixture.httpStatus, headers: { 'content-type': 'text/xml' }, body: readReply(fixture.file) }),
    customer: { cbeNumber: '0212344876' },
    ssdnUser: { userId: '85073003328', email: 'batch@example.be', orgUnit: '0212344876', matrixId: 17, matrixSubId: 1 },
  });
  const promise =
    fixture.family === 'soa'
      ? client.soa({ request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation: { ssin: '85073003328' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' })
      : client.ssdn({ serviceId: 'OCMWCPASIdentifyPerson', version: '20050930', request: { name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: { SearchCriteria: { SSIN: '85073003328' } } } });
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** DOMAIN.md's table, per fixture: the class and the code the run records. */
const TABLE: Record<string, { class: string; code: string; reason?: RegExp }> = {
  'ssdn-ok.xml': { class: 'success', code: 'SSDN_0' },
  'ssdn-ok-cdata.xml': { class: 'success', code: 'SSDN_0' },
  'ssdn-warning.xml': { class: 'success', code: '21007001' },
  'ssdn-error-31009001.xml': { class: 'reject', code: '31009001', reason: /31009001 .*birth date tolerance.*Phonetic Criteria: Birth Date=1985-07-00; Phonetic Criteria: Birth Date Tolerance/ },
  'ssdn-error-31000007.xml': { class: 'reject', code: '31000007', reason: /Phonetic Criteria: Last Name.*31000007 .*Phonetic Information: Last Name/ },
  'soa-data-found.xml': { class: 'success', code: 'MSG00000' },
  'soa-no-data-found-MSG00100.xml': { class: 'success', code: 'MSG00100' },
  'soa-no-data-found-MSG00009.xml': { class: 'success', code: 'MSG00009' },
  'soa-no-result-MSG00005.xml': { class: 'reject', code: 'MSG00005' },
  'soa-no-result-MSG00006.xml': { class: 'reject', code: 'MSG00006', reason: /newSSIN=17\.07\.30-\*\*\*\.\*\*/ },
  'soa-no-result-MSG00008.xml': { class: 'reject', code: 'MSG00008' },
  'soa-no-result-MSG00011.xml': { class: 'reject', code: 'MSG00011' },
  'soa-no-result-MSG00012.xml': { class: 'reject', code: 'MSG00012' },
  'soa-no-result-MSG00013.xml': { class: 'fatal', code: 'MSG00013' },
  'soa-incomplete-data-HAN20200.xml': { class: 'transient', code: 'HAN20200' },
  'fault-cbss-MSG00003.xml': { class: 'transient', code: 'MSG00003' },
  'fault-cbss-MSG00013.xml': { class: 'fatal', code: 'MSG00013' },
  'fault-v1-error-MSG00003.xml': { class: 'transient', code: 'MSG00003' },
  'fault-soa-SOA-01001.xml': { class: 'fatal', code: 'SOA-01001', reason: /error id c0ffee00-0001-/ },
  'fault-soa-SOA-01002.xml': { class: 'fatal', code: 'SOA-01002', reason: /error id c0ffee00-0002-/ },
  'fault-soa-SOA-02001.xml': { class: 'fatal', code: 'SOA-02001', reason: /error id c0ffee00-0003-/ },
  'fault-soa-SOA-02002.xml': { class: 'transient', code: 'SOA-02002', reason: /error id c0ffee00-0004-/ },
  'fault-soa-SOA-03001.xml': { class: 'reject', code: 'SOA-03001', reason: /error id c0ffee00-0005-/ },
};

describe('reply fixtures, read and classified by the table', () => {
  it('the table covers every fixture', () => {
    expect(Object.keys(TABLE).sort()).toEqual(REPLY_FIXTURES.map((f) => f.file).sort());
  });

  it.each(REPLY_FIXTURES)('$file', async (fixture) => {
    const expected = TABLE[fixture.file]!;
    const result = await call(fixture);
    const verdict = classify(result, ctx);
    expect(verdict).toMatchObject({ class: expected.class, code: expected.code });
    if (expected.reason !== undefined) expect((verdict as { reason?: string }).reason).toMatch(expected.reason);
    // Reasons go to the ledger and events: no whole national number in them.
    expect(JSON.stringify(verdict)).not.toMatch(/\d{11}/);
  });
});

describe('what the reply keeps', () => {
  it('SSDN OK: the service payload in the body, ticket, reference and timestamps', async () => {
    const result = await call({ file: 'ssdn-ok.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true });
    const reply = (result as { value: BcssReply }).value;
    expect(reply).toMatchObject({ family: 'ssdn', ticket: 'T4Q7ZK2M8WXN3PB', customerTicket: 'identify-0001', timestamps: { sent: '20261125T223000', received: '20261125T223001', replied: '20261125T223002' } });
    expect(reply.status).toMatchObject({ value: 'OK', returnCode: 0, source: 'ServiceReply', details: [] });
    expect(reply.body).toMatchObject({ IdentifyPersonReply: { SearchResults: { LimitedLegalData: { '@_origin': 'RN_RR', Basic: { SocialSecurityUser: '85073003328', LastName: 'PEETERS' } } } } });
  });

  it('SSDN WARNING: every detail, each with its Information', async () => {
    const result = await call({ file: 'ssdn-warning.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true });
    const status = (result as { value: BcssReply }).value.status!;
    expect(status.details.map((d) => [d.severity, d.reasonCode, d.information.length])).toEqual([
      ['WARNING', '21007001', 0],
      ['WARNING', '22007007', 3],
      ['INFORMATION', '12007001', 1],
    ]);
    expect(status.information).toHaveLength(4);
  });

  it('SSDN ERROR: the service codes, not the generic 30000001 of the ReplyContext', async () => {
    const result = await call({ file: 'ssdn-error-31009001.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true });
    const status = (result as { value: BcssReply }).value.status!;
    expect(status).toMatchObject({ value: 'ERROR', code: '31009001', returnCode: 10000, source: 'ServiceReply' });
    expect(JSON.stringify(status)).not.toContain('30000001');
    expect(status.details[0]!.information).toEqual([{ fieldName: 'Phonetic Criteria: Birth Date', fieldValue: '1985-07-00' }, { fieldName: 'Phonetic Criteria: Birth Date Tolerance' }]);
  });

  it('SOA SystemError: Id, Code, Message and Origin kept on the error, the Id in its message', async () => {
    const result = await call({ file: 'fault-soa-SOA-02002.xml', family: 'soa', httpStatus: 500, envelopeValid: true });
    const error = (result as { error: unknown }).error as BcssFaultError;
    expect(error).toBeInstanceOf(BcssFaultError);
    expect(error).toMatchObject({
      faultCode: 'Server',
      reasonCode: 'SOA-02002',
      errorId: 'c0ffee00-0004-4d2a-9b1e-5f6a7b8c9d0e',
      httpStatus: 500,
      systemError: { id: 'c0ffee00-0004-4d2a-9b1e-5f6a7b8c9d0e', code: 'SOA-02002', message: 'Service temporarily not available. Please try later.', origin: 'Provider', environment: 'Acceptance' },
    });
    expect(error.message).toBe('SOAP fault Server: SOA-02002 Service temporarily not available. Please try later. (origin Provider) [error id c0ffee00-0004-4d2a-9b1e-5f6a7b8c9d0e]');
  });

  it('CBSS fault: the details and the BCSS ticket', async () => {
    const result = await call({ file: 'fault-cbss-MSG00013.xml', family: 'soa', httpStatus: 500, envelopeValid: true });
    expect((result as { error: unknown }).error).toMatchObject({ faultCode: 'Client', reasonCode: 'MSG00013', severity: 'FATAL', ticket: '7a9e0c44-1b2d-4c3e-8f5a-000000000012', errorId: undefined });
  });
});
