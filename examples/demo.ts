/**
 * The demo: a night batch of 600 national numbers sent to a fake BCSS service on loopback
 * (real HTTP, real SOAP) through the BCSS client and the engine. It runs at any hour:
 *
 * - outside office hours it runs now, with time going at its real pace (the fake clock follows
 *   the wall clock, and jumps over the idle waits of retries so the demo stays short);
 * - during office hours (Mon–Fri 08:00–17:00 in Brussels) it first shows the refusal that a real
 *   run gets, then goes on in simulated time: the run waits for its window and starts at 17:00.
 *
 * It shows the caps held (4 for the National Register, 2 for another authentic source), invalid
 * national numbers rejected before any call, BCSS business outcomes, rejects by code, transient
 * errors retried with backoff and `Retry-After`, the preflight and the plan announced to the BCSS,
 * the library's progress display (rate, ETA, a bar per source), and the summary of the
 * durable ledger at the end (a `FileStore` in a temporary run directory: what the operator's
 * `npx bcss-bulk ledger summary DIR` prints). National numbers are always printed masked.
 *
 * Run it: npm run demo
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatInTimeZone } from 'date-fns-tz';
import {
  attach,
  bcssClassifier,
  createBcssClient,
  createRun,
  formatLocal,
  inszPrecheck,
  FileStore,
  isOfficeHours,
  OfficeHoursError,
  preflight,
  readLedger,
  renderProgress,
  progressTracker,
  summarizeLedger,
  type BcssReply,
  type RunStatus,
} from 'bcss-bulk';
import { FakeClock, RETRIEVE_TI_GROUPS_V2, startFakeBcss, type FakeBcssOutcome, type FakeSoaService } from 'bcss-bulk/testing';

const ZONE = 'Europe/Brussels';
const PERSONS = 600;

interface Person {
  readonly ssin: string;
  /** `rn`: the National Register (cap 4); `pensions`: another authentic source (cap 2). */
  readonly source: 'rn' | 'pensions';
}

/** A valid national number (born in the 1980s) from a counter: check digits 97 − (9 digits mod 97). */
function ssinFor(n: number): string {
  const nine = `8${n % 10}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(1 + (n % 997)).padStart(3, '0')}`;
  return `${nine}${String(97 - (Number(nine) % 97)).padStart(2, '0')}`;
}

function* persons(count: number): Generator<Person> {
  for (let i = 0; i < count; i++) {
    const valid = ssinFor(i);
    // One number in a hundred has a typo in its check digits: it never reaches the BCSS.
    const ssin = i % 100 === 42 ? `${valid.slice(0, 9)}${String((Number(valid.slice(9)) + 1) % 100).padStart(2, '0')}` : valid;
    yield { ssin, source: i % 4 === 3 ? 'pensions' : 'rn' };
  }
}

/** What the fake BCSS answers, by the person's position in the batch (its counter digits). */
function outcomeFor(ssin: string, attempt: number): FakeBcssOutcome {
  const n = Number(ssin.slice(6, 9)) - 1;
  if (n % 50 === 7) return 'not-found'; // a business answer: no data at the supplier
  if (n % 97 === 11) return { replacedBy: ssinFor(n + 500) }; // reject MSG00006, carries the new number
  if (n % 89 === 5) return 'not-integrated'; // reject MSG00012: register the person first
  if (n % 23 === 3 && attempt === 1) return { httpStatus: 503, retryAfter: '2' }; // transient, Retry-After 2 s
  if (n % 31 === 9 && attempt === 1) return 'incomplete'; // transient: some sources not consulted
  if (n % 37 === 1 && attempt === 1) return { fault: 'MSG00003' }; // transient SOAP fault
  return 'found';
}

/**
 * The pensions source is the demo's own SOA service: the fake BCSS knows only the BCSS's real
 * services (RetrieveTIGroups v2, IdentifyPerson, ManageAccess), so the demo adds its table entry,
 * shaped like RetrieveTIGroups v2 (CommonV3 request and status) with a status type that has INCOMPLETE_DATA.
 */
const PENSIONS: FakeSoaService = {
  ...RETRIEVE_TI_GROUPS_V2,
  name: 'Pensions (demo)',
  path: 'PensionService/v1/consultPension',
  soapAction: 'urn:demo:pensions/consultPension',
  namespace: 'urn:demo:pensions',
  requestElement: 'consultPensionRequest',
  responseElement: 'consultPensionResponse',
  faultElement: 'consultPensionFault',
  incompleteData: true,
};

const bcss = await startFakeBcss({
  services: [PENSIONS],
  latencyMs: (call) => 4 + (call.ssin === undefined ? 0 : Number(call.ssin.slice(7, 9)) % 8),
  outcomes: (call) => (call.ssin === undefined ? undefined : outcomeFor(call.ssin, call.attempt)),
});
const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, maxSockets: 4 });
const services = {
  // The BCSS's RetrieveTIGroups v2 (its request element in the v2 namespace, children unqualified).
  rn: { path: RETRIEVE_TI_GROUPS_V2.path, request: RETRIEVE_TI_GROUPS_V2.requestElement, namespace: RETRIEVE_TI_GROUPS_V2.namespace, soapAction: RETRIEVE_TI_GROUPS_V2.soapAction },
  // A made-up second source of the same shape (the fake's table entry above), to show a cap of 2 next to the National Register's 4.
  pensions: { path: PENSIONS.path, request: PENSIONS.requestElement, namespace: PENSIONS.namespace, soapAction: PENSIONS.soapAction },
} as const;

/** The run's options, on a given clock: everything a batch job configures. */
function batch(clock: FakeClock, store: FileStore) {
  return createRun<Person, BcssReply>({
    input: persons(PERSONS),
    source: (person) => person.source,
    sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } },
    key: (person) => person.ssin, // printed masked: 85.07.30-***.**
    precheck: inszPrecheck((person: Person) => person.ssin),
    call: (person, { signal }) => {
      const service = services[person.source];
      return client.soa(
        {
          path: service.path,
          soapAction: service.soapAction,
          request: { name: service.request, namespace: service.namespace, body: { searchInformation: { ssin: person.ssin, language: 'fr' } } },
          legalContext: 'PCSA:SOCIAL_INQUIRY',
        },
        { signal },
      );
    },
    classify: bcssClassifier(),
    retry: { baseDelayMs: 500, maxDelayMs: 5_000, maxAttempts: 4 },
    waitForWindow: true,
    name: 'demo-night-lookup',
    announcement: ANNOUNCEMENT,
    progressIntervalMs: 500,
    store,
    clock,
  });
}

// The demo's "now": the wall clock, or BCSS_DEMO_NOW (an ISO instant) to try another hour.
const now = process.env['BCSS_DEMO_NOW'] === undefined ? new Date() : new Date(process.env['BCSS_DEMO_NOW']);
// The batch was announced to the BCSS service desk 8 days before its (simulated) start: start()
// refuses a batch announced fewer than 7 days ago, or not announced at all.
const ANNOUNCEMENT = { reference: 'SD-2026-004211', announcedOn: formatInTimeZone(now.getTime() - 8 * 86_400_000, ZONE, 'yyyy-MM-dd') };
console.log(`bcss-bulk demo: ${PERSONS} persons, National Register (cap 4) and a pensions source (cap 2), over real HTTP to a fake BCSS.`);
console.log(`It is ${formatLocal(ZONE, now.getTime())}.\n`);

// Preflight, as a week ahead: the plan that goes with the announcement (here in English; French
// and Dutch too), the announcement rule that start() applies, and the other checks.
const report = await preflight({
  name: 'demo-night-lookup',
  volumes: { rn: PERSONS * 0.75, pensions: PERSONS * 0.25 },
  sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } },
  latencyMs: 8,
  retryRatio: 0.1,
  start: now,
  announcement: ANNOUNCEMENT,
  now,
});
console.log(`Preflight: ${report.ok ? 'ok' : 'refused'}${report.problems.map((problem) => `; ${problem.severity} ${problem.code}`).join('')}`);
console.log(`The plan announced as ${ANNOUNCEMENT.reference} on ${ANNOUNCEMENT.announcedOn}:`);
console.log(`${report.text('en').replace(/^/gm, '  | ')}\n`);

if (isOfficeHours(now)) {
  // A run is refused during office hours: nothing is read, nothing is sent.
  const refused = createRun({ input: [], source: 'rn', sources: { rn: { kind: 'rn' } }, call: () => undefined, clock: new FakeClock(now), announcement: ANNOUNCEMENT });
  try {
    await refused.start();
  } catch (error) {
    if (!(error instanceof OfficeHoursError)) throw error;
    console.log(`start() refused: ${error.message}`);
    console.log('The demo goes on in simulated time: the run waits for its window (waitForWindow: true).\n');
  }
}

const clock = new FakeClock(now);
const runDir = await mkdtemp(path.join(tmpdir(), 'bcss-bulk-demo-'));
const store = await FileStore.open(runDir);
const run = batch(clock, store);
const local = () => formatLocal(ZONE, clock.now()).slice(15, 23);

run.on('state', (change) => console.log(`[${local()}] ${change.from} → ${change.to} (${change.reason})${change.message === undefined ? '' : `: ${change.message}`}`));
// The library's progress tracker and renderer: a bar per source, the rate and the ETA through the windows.
const progress = progressTracker({ total: PERSONS, sourceTotals: { rn: PERSONS * 0.75, pensions: PERSONS * 0.25 } });
attach(run, progress);
run.on('progress', () => console.log(`[${local()}] ${renderProgress(progress.snapshot(), { width: 80 })}`));

const done = run.start();
let ended = false;
void done.then(
  () => (ended = true),
  () => (ended = true),
);
await followTheWallClock(clock, () => ended, () => run.status());
const summary = await done.finally(() => store.close());
client.close();
await bcss.close();

console.log('\nSummary');
const minutes = ((summary.endedAt - (summary.startedAt ?? 0)) / 60_000).toFixed(1);
console.log(`  state ${summary.state}: ${summary.totals.finished} of ${summary.totals.read} finished, ${summary.unfinished} unfinished, in ${minutes} min of run time (started ${formatLocal(ZONE, summary.startedAt ?? 0).slice(4, 23)})`);
for (const [name, s] of Object.entries(summary.sources)) {
  console.log(`  ${name}: cap ${s.cap}, peak ${s.peakInFlight} simultaneous calls (the fake BCSS saw ${bcss.peak(`/${services[name as Person['source']].path}`)}); ${s.succeeded} ok, ${s.rejected} rejected, ${s.exhausted} exhausted, ${s.retries} retries`);
}
console.log(`  calls received by the fake BCSS: ${bcss.calls.length} for ${summary.totals.read} persons`);

// What the operator reads at 7 a.m. (npx bcss-bulk ledger summary DIR), from the run directory.
const ledger = await summarizeLedger(runDir);
const line = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .sort()
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
console.log(`\nLedger of the run directory (finished ${ledger.finished}, ${ledger.rejects} rejects)`);
console.log(`  by ledger: ${line(ledger.byLedger)}`);
console.log(`  by code:   ${line(ledger.byCode)}`);
console.log(`  by source: ${line(ledger.bySource)}`);
const records = await readLedger(runDir);
console.log('  first records (national numbers masked):');
for (const record of records.slice(0, 4)) console.log(`    ${record.ledger.padEnd(15)} ${record.key}  ${record.source.padEnd(8)} ${record.code}  ${record.reason}`);
await rm(runDir, { recursive: true, force: true });
/**
 * Drives the fake clock with the wall clock while calls are under way, and jumps to the next
 * timer when the run only waits (for its window, or for retries), so that waiting costs nothing.
 */
async function followTheWallClock(clock: FakeClock, finished: () => boolean, status: () => RunStatus): Promise<void> {
  let last = performance.now();
  while (!finished()) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    const elapsed = performance.now() - last;
    last += elapsed;
    const { state, totals } = status();
    // Idle: nothing in flight or being stored, and nothing may start (only retries wait, or the window).
    const busy = totals.read - totals.finished - totals.retrying;
    const idle = state === 'waiting' ? totals.inFlight === 0 : busy === 0;
    const next = clock.nextTimerAt();
    if (idle && next !== undefined) await clock.advanceTo(next);
    else await clock.advance(Math.round(elapsed));
  }
}
