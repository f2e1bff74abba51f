// A night batch: RetrieveTIGroups v2 for every national number of a CSV file, by the BCSS rules.
import { appendFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import {
  bcssClassifier, createBcssClient, createRun, FileStore, inputPrecheck, readCsv,
  RETRIEVE_TI_GROUPS_V2_NS, type BcssClient, type Clock, type RunLogger, type RunSummary,
} from 'bcss-bulk';

/** The production client: your endpoint, your certificate (nothing is built in). */
export function productionClient(): BcssClient {
  return createBcssClient({
    environment: 'production',
    endpoints: { production: process.env.BCSS_URL! },
    tls: { pfx: readFileSync(process.env.BCSS_P12!), passphrase: process.env.BCSS_P12_PASSPHRASE! },
    customer: { cbeNumber: '0123456789' },
    maxSockets: 4, // the National Register's cap
  });
}

export interface NightBatch {
  readonly inputCsv: string;   // a header line with an `ssin` column, `;`-separated
  readonly runDir: string;     // the run directory: records, reject ledger, checkpoint
  readonly outputFile: string; // one line per person found
  readonly client: BcssClient;
  readonly clock?: Clock;      // tests only: a FakeClock
  readonly logger?: RunLogger; // pino, console, ...
}

export async function runNightBatch(batch: NightBatch): Promise<RunSummary> {
  const store = await FileStore.open(batch.runDir); // resumes where a killed run stopped
  try {
    const run = createRun({
      name: 'ti-groups-monthly',
      input: readCsv(batch.inputCsv, { column: 'ssin', delimiter: ';', validate: 'insz' }),
      precheck: inputPrecheck,                     // an invalid number: a reject, never sent
      source: 'rn',
      sources: { rn: { kind: 'rn', timeoutMs: 10_000 } }, // at most 4 calls at once
      key: (line) => line.value,                   // masked in events, errors and the ledger
      classify: bcssClassifier(),                  // the BCSS status table
      retry: { maxRetryAfterMs: 24 * 3_600_000 },  // "busy until tomorrow": come back tomorrow
      call: (line, { signal }) =>
        batch.client.soa(
          {
            path: 'RetrieveTIGroupsService/v2/retrieveTI',
            request: {
              name: 'retrieveTIGroupsRequest',
              namespace: RETRIEVE_TI_GROUPS_V2_NS,
              body: { searchInformation: { ssin: line.value, language: 'fr', history: false } },
            },
            legalContext: 'PCSA:SOCIAL_INQUIRY',
          },
          { signal },
        ),
      onSuccess: (line, reply, info) => appendFile(batch.outputFile, `${info.key};${info.code};${reply.ticket}\n`),
      store,
      waitForWindow: true, // started in office hours: waits for 17:00; stops sending at 08:00
      announcement: { reference: 'SD-2026-004211', announcedOn: '2026-11-16' }, // a week ahead
      ...(batch.clock && { clock: batch.clock }),
      ...(batch.logger && { logger: batch.logger }),
    });
    return await run.start();
  } finally {
    await store.close();
  }
}
