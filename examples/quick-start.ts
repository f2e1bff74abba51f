/**
 * The quick start of docs/how-a-run-works.md, runnable as is: national numbers read line by line from a file,
 * looked up with fetch against a small HTTP server on loopback (standing in for the BCSS), under
 * the National Register cap of 4.
 *
 * Run it: npx tsx examples/quick-start.ts
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRun, HttpStatusError } from 'bcss-bulk';

// A stand-in service: 404 for one person, a 503 with Retry-After for another's first call.
let busyOnce = true;
let inFlight = 0;
let peak = 0;
const server = createServer((request, response) => {
  inFlight++;
  peak = Math.max(peak, inFlight);
  setTimeout(() => {
    inFlight--;
    const ssin = request.url?.split('/').pop() ?? '';
    if (ssin === '17073003384') {
      response.writeHead(404).end();
    } else if (ssin === '98472899765' && busyOnce) {
      busyOnce = false;
      response.writeHead(503, { 'retry-after': '1' }).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ssin, found: true }));
    }
  }, 20);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const dir = await mkdtemp(join(tmpdir(), 'bcss-bulk-quick-start-'));
const file = join(dir, 'ssins.txt');
const ssins = ['85073003328', '17073003384', '98472899765', '01490700185'];
await writeFile(file, Array.from({ length: 10 }, () => ssins).flat().join('\n'));

const saved: string[] = [];
const run = createRun({
  input: createInterface({ input: createReadStream(file) }),
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  key: (ssin) => ssin,
  rejectBudget: false,
  // The stand-in server is not the BCSS, so this example may run during office hours. Against the
  // BCSS, leave the calendar on (the default): start() refuses office hours, or waits with waitForWindow.
  calendar: { enforce: false, override: { reason: 'loopback stand-in server, not the BCSS' } },
  // Against the BCSS, give the batch's announcement: { reference, announcedOn: 'YYYY-MM-DD' }, at least 7 days ahead.
  announcement: { override: { reason: 'loopback stand-in server, not a mass call to the BCSS' } },
  call: async (ssin, { signal }) => {
    const reply = await fetch(`${base}/persons/${ssin}`, { signal });
    if (!reply.ok) throw new HttpStatusError(reply.status, { retryAfter: reply.headers.get('retry-after') });
    return (await reply.json()) as { ssin: string; found: boolean };
  },
  onSuccess: (ssin) => {
    saved.push(ssin);
  },
});

run.on('reject', (r) => console.log(`reject ${r.key}: ${r.code} ${r.reason ?? ''}`));
run.on('retry', (r) => console.log(`retry  ${r.key}: ${r.code}, again in ${r.delayMs} ms`));
run.on('state', (s) => console.log(`state  ${s.from} → ${s.to} (${s.reason})`));
try {
  const summary = await run.start();
  const { read, succeeded, rejected, retries } = summary.totals;
  console.log(`done: read ${read}, succeeded ${succeeded}, rejected ${rejected}, retries ${retries}, saved ${saved.length}, peak ${peak} simultaneous calls`);
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
