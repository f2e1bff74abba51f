/**
 * The demo: a night batch of 2,000 national numbers against a fake service, in simulated time
 * (so it runs in a second, whatever the hour). It shows the BCSS caps held (4 for the National
 * Register, 2 for another authentic source), transient failures retried with backoff, business
 * rejects recorded without retry, an operator's pause with the minimum delay before resuming,
 * and the final summary.
 *
 * Run it: npm run demo
 */
import { createRun, HttpStatusError, MemoryStore } from '../src/index.js';
import { FakeClock, RecordingService } from '../src/testing/index.js';

interface Person {
  readonly ssin: string;
  readonly source: 'rn' | 'sigedis';
}

/** Makes a valid-looking national number from a counter (check digits: 97 − (9 digits mod 97)). */
function ssinFor(n: number): string {
  const nine = `8${String(n % 10)}0${String(1 + (n % 9))}${String(10 + (n % 18))}${String(100 + (n % 899)).padStart(3, '0')}`;
  const check = 97 - (Number(nine) % 97);
  return `${nine}${String(check).padStart(2, '0')}`;
}

function* persons(count: number): Generator<Person> {
  for (let i = 0; i < count; i++) yield { ssin: ssinFor(i), source: i % 5 === 0 ? 'sigedis' : 'rn' };
}

const clock = new FakeClock(new Date('2026-11-23T19:00:00Z')); // Monday 20:00 in Brussels
const time = () => new Date(clock.now()).toISOString().slice(11, 19);
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const service = new RecordingService<Person, string>({
  clock,
  latencyMs: () => 150 + Math.floor(random() * 100),
  respond: (person, { attempt }) => {
    const n = Number(person.ssin.slice(6, 9));
    if (n % 97 === 0) throw new HttpStatusError(404, { message: 'person unknown at the source' });
    if (n % 13 === 0 && attempt === 1) throw new HttpStatusError(503, { retryAfter: '2' });
    if (n % 17 === 0 && attempt < 3) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    return 'DATA_FOUND';
  },
});

const store = new MemoryStore();
const run = createRun<Person, string>({
  input: persons(2_000),
  source: (person) => person.source,
  sources: { rn: { kind: 'rn' }, sigedis: { kind: 'authentic' } },
  key: (person) => person.ssin,
  call: service.call,
  retry: { baseDelayMs: 500, maxDelayMs: 10_000, maxAttempts: 4 },
  minPauseMs: 2 * 60_000,
  progressIntervalMs: 15_000,
  clock,
  store,
  random,
});

run.on('state', (change) => console.log(`[${time()}] state ${change.from} → ${change.to} (${change.reason})${change.message ? `: ${change.message}` : ''}`));
run.on('resume-scheduled', (event) => console.log(`[${time()}] resume asked; the minimum pause holds it until ${new Date(event.at).toISOString().slice(11, 19)}`));
run.on('progress', (p) => {
  const per = Object.entries(p.sources)
    .map(([name, s]) => `${name} ${s.succeeded + s.rejected + s.exhausted} done, ${s.inFlight}/${s.cap} in flight`)
    .join(' | ');
  console.log(`[${time()}] ${p.totals.finished} finished, ${p.totals.retries} retries, ${p.ratePerSecond.toFixed(1)}/s — ${per}`);
});

console.log('bcss-bulk demo: 2,000 persons, National Register (cap 4) and Sigedis (cap 2), simulated time.\n');
const done = run.start();

await clock.advance(60_000);
console.log(`[${time()}] operator pauses the run`);
run.pause();
await clock.advance(30_000);
run.resume();
await clock.runUntil(() => run.state === 'completed' || run.state === 'failed');
const summary = await done;

console.log('\nSummary');
console.log(`  state: ${summary.state}; finished ${summary.totals.finished} of ${summary.totals.read} in ${((summary.endedAt - (summary.startedAt ?? 0)) / 60_000).toFixed(1)} simulated minutes`);
for (const [name, s] of Object.entries(summary.sources)) {
  console.log(`  ${name}: cap ${s.cap}, peak ${s.peakInFlight} simultaneous calls (service saw ${service.peak(name)}); ${s.succeeded} ok, ${s.rejected} rejected, ${s.exhausted} exhausted, ${s.retries} retries`);
}
console.log(`  rejects (national numbers masked):`);
for (const record of store.rejects().slice(0, 5)) {
  console.log(`    ${record.key}  ${record.source}  ${record.outcome}  ${record.code}  ${record.reason}`);
}
if (store.rejects().length > 5) console.log(`    … and ${store.rejects().length - 5} more`);
