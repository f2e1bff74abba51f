/**
 * The reply fixtures of `test/fixtures/replies/`: written by us from the SHAPES of replies
 * recorded from the real BCSS (SSDN IdentifyPerson replies, a RetrieveTIGroups reply) and of
 * the documented faults (CBSSFaultType, the older v1 `<error>` fault, the SOA platform's
 * SystemError), with our own values; national numbers are DOMAIN.md's test vectors.
 *
 * Each entry says which schema fixture checks it: `envelope` for the SOAP envelope (with every
 * declared element inside), `ssdn` for the SSDNReply carried in the SSDN `xmlString`. A reply
 * whose status the common v3 schema does not allow (INCOMPLETE_DATA) has only the envelope.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the reply fixtures. */
export const REPLIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'replies');

/** One reply fixture. */
export interface ReplyFixture {
  readonly file: string;
  readonly family: 'soa' | 'ssdn';
  /** The HTTP status the BCSS answers it with (faults: 500). */
  readonly httpStatus: number;
  /** `true` when the whole envelope validates against `bcss-all` (every declared element inside checked). */
  readonly envelopeValid: boolean;
  /** SSDN: the SSDNReply in `xmlString` validates against `bcss-all`. */
  readonly ssdnValid?: boolean;
}

/** Every reply fixture. */
export const REPLY_FIXTURES: readonly ReplyFixture[] = [
  { file: 'ssdn-ok.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true, ssdnValid: true },
  { file: 'ssdn-ok-cdata.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true, ssdnValid: true },
  { file: 'ssdn-warning.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true, ssdnValid: true },
  { file: 'ssdn-error-31009001.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true, ssdnValid: true },
  { file: 'ssdn-error-31000007.xml', family: 'ssdn', httpStatus: 200, envelopeValid: true, ssdnValid: true },
  { file: 'soa-data-found.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-data-found-MSG00100.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-data-found-MSG00009.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-result-MSG00005.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-result-MSG00006.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-result-MSG00008.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-result-MSG00011.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-result-MSG00012.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  { file: 'soa-no-result-MSG00013.xml', family: 'soa', httpStatus: 200, envelopeValid: true },
  // INCOMPLETE_DATA is no value of the common v3 StatusType: only services whose own schema has it use it.
  { file: 'soa-incomplete-data-HAN20200.xml', family: 'soa', httpStatus: 200, envelopeValid: false },
  { file: 'fault-cbss-MSG00003.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  { file: 'fault-cbss-MSG00013.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  // The v1 fault type (an `error` list) is not among the schema fixtures: the envelope is checked, its detail laxly.
  { file: 'fault-v1-error-MSG00003.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  { file: 'fault-soa-SOA-01001.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  { file: 'fault-soa-SOA-01002.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  { file: 'fault-soa-SOA-02001.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  { file: 'fault-soa-SOA-02002.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
  { file: 'fault-soa-SOA-03001.xml', family: 'soa', httpStatus: 500, envelopeValid: true },
];

/** The text of a reply fixture. */
export function readReply(file: string): string {
  return readFileSync(join(REPLIES_DIR, file), 'utf8');
}
