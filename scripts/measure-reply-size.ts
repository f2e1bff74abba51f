/**
 * Measures what reading one large BCSS reply costs: the RSS it adds and the longest event-loop
 * block (validation + parse + reading, all synchronous), for replies of 1, 2, 4 and 15 MiB.
 * Each size runs in its own child process, so the RSS figures do not add up.
 *
 * The reply is a RetrieveTIGroups-shaped SOA reply whose `rrn_it_implicit` repeats a history
 * entry (a few nested elements with attributes) until the size is reached.
 *
 * Usage: node --import tsx scripts/measure-reply-size.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readSoapReply } from '../src/bcss/soap-read.js';

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

if (process.argv[2] === 'child') {
  await child(Number(process.argv[3]));
} else {
  for (const mib of [1, 2, 4, 15]) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, 'child', String(mib * MIB)], { encoding: 'utf8' });
    process.stdout.write(run.stdout || run.stderr);
  }
}
