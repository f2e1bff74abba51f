/**
 * A nightly job as a user of bcss-bulk writes it (the code under test of
 * test/consumer-night*.test.ts): national numbers from a CSV file, a FileStore, the default
 * calendar (office hours on, wait for the window), the announcement, a progress display writing
 * plain lines to a log file, and `onSuccess` writing each answer to an output file. The service
 * is passed in, so a test gives a fake one on its clock.
 */
import { createReadStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { attachProgressBar, createRun, FileStore, inszPrecheck, type CallContext, type Clock, type RunSummary, type StateChange } from '../../src/index.js';

/** One line of the input CSV. */
export interface Person {
  readonly ssin: string;
  readonly name: string;
  /** Line number in the CSV file (1 = the header). */
  readonly line: number;
}

/** Reads `ssin;name` lines from a CSV file, with a header line, as a stream. */
export async function* readPeople(file: string): AsyncGenerator<Person> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (line === 1 || text.trim() === '') continue;
    const [ssin = '', name = ''] = text.split(';');
    yield { ssin: ssin.trim(), name: name.trim(), line };
  }
}

/** What the job needs from its environment. */
export interface NightlyJobOptions {
  readonly inputCsv: string;
  readonly storeDir: string;
  readonly outputFile: string;
  readonly logFile: string;
  /** The service: one call per person (the BCSS client in production). */
  readonly call: (person: Person, context: CallContext) => Promise<string>;
  /** The clock (the system clock in production; omitted under vi.useFakeTimers). */
  readonly clock?: Clock;
  /** State changes, as they happen. */
  readonly onState?: (change: StateChange) => void;
}

/** Runs the night's batch to its end; the store is closed and the log flushed when it resolves. */
export async function runNightlyJob(options: NightlyJobOptions): Promise<RunSummary> {
  const store = await FileStore.open(options.storeDir);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  try {
    const run = createRun<Person, string>({
      name: 'nightly identity check',
      input: readPeople(options.inputCsv),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      key: (person) => person.ssin,
      precheck: inszPrecheck((person: Person) => person.ssin),
      call: options.call,
      onSuccess: (person, answer) => appendFile(options.outputFile, `${person.ssin};${answer}\n`),
      store,
      waitForWindow: true,
      announcement: { reference: 'SD-2026-0042', announcedOn: '2026-11-10' },
      retry: { maxRetryAfterMs: 24 * 3_600_000 },
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    if (options.onState !== undefined) run.on('state', options.onState);
    attachProgressBar(run, { stream: log, plainIntervalMs: 3_600_000, timeZone: 'Europe/Brussels' });
    return await run.start();
  } finally {
    await store.close();
    log.end();
    await finished(log);
  }
}
