/**
 * A small batch of national numbers through the engine and the BCSS client, against the fake
 * BCSS service of `bcss-bulk/testing` on loopback: invalid numbers rejected before any call, the
 * BCSS status table applied (found, not found, deceased, replaced), a 503 with Retry-After
 * retried, and the National Register cap of 4 measured at the server.
 *
 * Run it: npx tsx examples/bcss-batch.ts
 */
import { bcssClassifier, createBcssClient, createRun, inszPrecheck } from 'bcss-bulk';
import { startFakeBcss } from 'bcss-bulk/testing';

const people = ['85073003328', '17073003384', '98472899765', '01490700185', '85073003427', '85073003526', '85073003625', '85.07.30-033.29'];

// The fake BCSS: one outcome per national number, 'found' for the others.
const bcss = await startFakeBcss({
  latencyMs: 20,
  outcomes: {
    '85073003427': 'not-found',
    '85073003526': 'deceased',
    '85073003625': { replacedBy: '17073003384' },
    '98472899765': [{ httpStatus: 503, retryAfter: '1' }, 'found'],
  },
});

// In production: environment + endpoints from your BCSS onboarding, and your certificate in tls.
const client = createBcssClient({ url: bcss.url, customer: { cbeNumber: '0123456789' }, maxSockets: 4 });

const run = createRun({
  input: Array.from({ length: 3 }, () => people).flat(),
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  key: (ssin) => ssin, // shown masked: 85.07.30-***.**
  precheck: inszPrecheck((ssin: string) => ssin),
  classify: bcssClassifier(),
  rejectBudget: false,
  // Against the real BCSS, leave the calendar on: office hours are refused. This fake service on
  // loopback is not the BCSS, so the example turns it off with a written reason, kept in the run's records.
  calendar: { enforce: false, override: { reason: 'example against the fake BCSS service on loopback' } },
  // A real batch carries its announcement to the BCSS service desk: { reference, announcedOn: 'YYYY-MM-DD' }
  // (start() refuses it sooner than 7 days later). This example calls nothing real: an override, with its reason.
  announcement: { override: { reason: 'example against the fake BCSS service on loopback, not a mass call' } },
  call: (ssin, { signal }) =>
    client.soa(
      {
        path: 'RetrieveTIGroupsService/v2/retrieveTI',
        request: { name: 'retrieveTIGroupsRequest', namespace: 'http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2', body: { searchInformation: { ssin, language: 'fr' } } },
        legalContext: 'PCSA:SOCIAL_INQUIRY',
      },
      { signal },
    ),
  onSuccess: (_ssin, reply, info) => {
    if (info.code !== 'MSG00000') console.log(`business ${info.maskedKey}: ${reply.status?.value} ${info.code}`);
  },
});

run.on('reject', (r) => console.log(`reject   ${r.key}: ${r.code} after ${r.attempts} calls: ${r.reason}`));
run.on('retry', (r) => console.log(`retry    ${r.key}: ${r.code}, again in ${r.delayMs} ms`));
try {
  const { totals } = await run.start();
  console.log(`done: read ${totals.read}, succeeded ${totals.succeeded}, rejected ${totals.rejected}, calls ${bcss.calls.length}, peak ${bcss.peak()} simultaneous calls`);
} finally {
  client.close();
  await bcss.close();
}
