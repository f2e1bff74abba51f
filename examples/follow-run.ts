/**
 * Following a night batch: a progress bar, a liveness heartbeat to a monitoring endpoint, and
 * notices through a webhook with a fallback channel. The batch (12 persons, 5 h per call in simulated time, cap 4)
 * starts on Monday at 21:00 in Brussels, is cut by the office hours at 08:00, waits, and
 * completes on Tuesday evening; the fake clock of bcss-bulk/testing runs the 26 hours in a few
 * seconds. The monitor and the webhook are real HTTP servers on loopback; the webhook answers
 * 500, so each notice falls back to the operator's log, and every delivery has its status.
 *
 * Run it: npx tsx examples/follow-run.ts
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attach, callbackChannel, createRun, heartbeat, isFinal, notifier, progressBar, webhookChannel, type HeartbeatPayload } from 'bcss-bulk';
import { FakeClock, RecordingService } from 'bcss-bulk/testing';

/** A loopback HTTP server that answers `status` and hands each JSON body to `onBody`. */
async function endpoint(status: number, onBody: (body: unknown) => void): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      onBody(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const beats: HeartbeatPayload[] = [];
const monitor = await endpoint(204, (body) => beats.push(body as HeartbeatPayload));
const teams = await endpoint(500, () => undefined); // the preferred channel is down tonight

const clock = new FakeClock(new Date('2026-11-23T20:00:00Z')); // Monday 21:00 in Brussels
const local = (iso: string) => new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/Brussels', weekday: 'short', hour: '2-digit', minute: '2-digit' });
const service = new RecordingService<number, number>({ clock, latencyMs: 5 * 3600_000 });
const run = createRun<number, number>({
  name: 'pensions-2026-11',
  input: Array.from({ length: 12 }, (_, i) => i),
  source: 'rn',
  sources: { rn: { kind: 'rn' } },
  call: service.call,
  clock,
  timeoutMs: 6 * 3600_000,
  announcement: { reference: 'SD-2026-004219', announcedOn: '2026-11-13' }, // to the BCSS service desk, 10 days ahead
});

// A bar per source, redrawn in place on a terminal; into a log (as here, when a test runs the
// example), one plain line at most every 4 hours of the run's clock. The rate is measured over a
// day (calls of 5 hours), and the ETA skips the office hours still to come.
// Every observer attaches the same way: attach(run, observer) returns the function that detaches it.
attach(run, progressBar({ stream: process.stdout, total: 12, plainIntervalMs: 4 * 3600_000, windowMs: 24 * 3600_000 }));

// Beats and notices are named after the run (its option `name`).
const pulse = heartbeat({ target: { url: `${monitor.url}/beat` }, clock, intervalMs: 3600_000, host: 'batch-01' });
attach(run, pulse);
const notices = notifier({
  channels: [
    webhookChannel({ name: 'teams', url: `${teams.url}/ops`, headers: { Authorization: 'Bearer example-token' }, clock }),
    callbackChannel('log', (notice) => console.log(`[${local(notice.at)}] ${notice.severity.toUpperCase()} ${notice.title}: ${notice.message}`)),
  ],
  clock,
});
attach(run, notices);

const done = run.start();
// Simulated time, from one timer to the next; the real HTTP deliveries settle between two steps.
await clock.advance(0);
while (!isFinal(run.state)) {
  await pulse.flush();
  await notices.flush();
  await clock.advanceTo(clock.nextTimerAt() ?? clock.now());
}
await pulse.flush();
await notices.flush();
const summary = await done;

console.log(`\nrun ${summary.state}: ${summary.totals.succeeded} of ${summary.totals.read} succeeded`);
const byState = new Map<string, number>();
for (const beat of beats) byState.set(beat.state, (byState.get(beat.state) ?? 0) + 1);
console.log(`monitor: ${beats.length} beats (${[...byState].map(([state, count]) => `${state} ${count}`).join(', ')}), last one ${beats.at(-1)?.state} at ${local(beats.at(-1)!.at)}`);
console.log(`heartbeat status: sent ${pulse.status().sent}, failed ${pulse.status().failed}, skipped ${pulse.status().skipped}`);
console.log('deliveries:');
for (const record of notices.deliveries()) console.log(`  ${record.noticeId} ${record.kind.padEnd(11)} ${record.channel.padEnd(5)} ${record.status}${record.error === undefined ? '' : ` (${record.error.replace(teams.url, 'http://teams')})`}`);
monitor.close();
teams.close();
