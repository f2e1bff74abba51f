/**
 * Measures what reading one large BCSS reply costs: the RSS it adds and the longest event-loop
 * block (validation + parse + reading, all synchronous), for replies of 1, 2, 4 and 15 MiB.
 * Each size runs in its own child process, so the RSS figures do not add up.
 *
 * Then, end to end over loopback HTTP: the client (default maxReplyBytes) called for a 15 MB
 * reply, chunked and with a Content-Length: how long the call takes, the RSS it adds and the
 * longest event-loop delay meanwhile (the reply is refused while it streams).
 *
 * The reply is a RetrieveTIGroups-shaped SOA reply whose `rrn_it_implicit` repeats a history
 * entry (a few nested elements with attributes) until the size is reached.
 *
 * Usage: node --import tsx scripts/measure-reply-size.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createBcssClient } from '../src/bcss/client.js';
import { RETRIEVE_TI_GROUPS_V2_NS } from '../src/bcss/contract.js';
import { readSoapReply } from '../src/bcss/soap-read.js';
import { startHostileServer } from '../test/support/hostile-server.js';

const self = fileURLToPath(import.meta.url);
const MIB = 1024 * 1024;

function reply(bytes: number): string {
  const head =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
    '<rtg:retrieveTIGroupsResponse xmlns:rtg="http://kszbcss.fgov.be/intf/RetrieveTIGroupsService/v2">' +
    '<informationCBSS><ticketCBSS>00000000-0000-4000-8000-000000000001</ticketCBSS></informationCBSS>' +
    '<status><value>DATA_FOUND</value><code>MSG00000</code></status><rrn_it_implicit>';
  const tail = '</rrn_it_implicit></rtg:retrieveTIGroupsResponse></soapenv:Body></soapenv:Envelope>';
  const entry =
    '<rn:Address xmlns:rn="urn:example:rn25" Type="001" Date="2001-01-01"><rn:Street><rn:Label>Rue de la Mesure</rn:Label></rn:Street>' +
    '<rn:Number>12</rn:Number><rn:PostalCode>1000</rn:PostalCode><rn:Municipality Code="21004">Bruxelles</rn:Municipality></rn:Address>';
  return head + entry.repeat(Math.ceil((bytes - head.length - tail.length) / entry.length)) + tail;
}

async function child(bytes: number): Promise<void> {
  const xml = reply(bytes);
  global.gc?.();
  const before = process.memoryUsage().rss;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const read = readSoapReply(xml, 'soa');
  const blockedMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 50));
  histogram.disable();
  const after = process.memoryUsage().rss;
  if (!('reply' in read)) throw new Error('expected a reply');
  console.log(JSON.stringify({ MiB: bytes / MIB, blockedMs: Math.round(blockedMs), maxLoopDelayMs: Math.round(histogram.max / 1e6), rssAddedMiB: Math.round((after - before) / MIB) }));
}

async function endToEnd(path: string): Promise<void> {
  const server = await startHostileServer();
  const client = createBcssClient({ url: server.url, customer: { cbeNumber: '0212344876' } });
  global.gc?.();
  const before = process.memoryUsage().rss;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // A second, plain gauge: the longest gap between ticks of a 10 ms interval.
  let last = performance.now();
  let longestGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  const outcome = await client
    .soa({ path, request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: {} }, legalContext: 'PCSA:SOCIAL_INQUIRY' })
    .then(
      () => 'reply',
      (error: Error) => `${error.name}: ${error.message}`,
    );
  const callMs = performance.now() - started;
  // Let the timers run once more: a block that ends with the call is only seen by the next tick.
  await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(ticker);
  histogram.disable();
  const after = process.memoryUsage().rss;
  client.close();
  await server.close();
  console.log(JSON.stringify({ path, callMs: Math.round(callMs), maxLoopDelayMs: Math.round(histogram.max / 1e6), longestTickGapMs: Math.round(longestGapMs), rssAddedMiB: Math.round((after - before) / MIB), outcome: outcome.slice(0, 120) }));
}

if (process.argv[2] === 'child') {
  await child(Number(process.argv[3]));
} else if (process.argv[2] === 'http') {
  await endToEnd(process.argv[3]!);
} else {
  for (const mib of [1, 2, 4, 15]) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, 'child', String(mib * MIB)], { encoding: 'utf8' });
    process.stdout.write(run.stdout || run.stderr);
  }
  for (const path of ['/large-chunked', '/large-length', '/large-gzip']) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, 'http', path], { encoding: 'utf8' });
    process.stdout.write(run.stdout || run.stderr);
  }
}
