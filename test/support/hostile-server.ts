/**
 * A loopback HTTP server that answers like a broken or hostile BCSS, one behaviour per path:
 * replies nested 1,000 deep, reserved names (`__proto__`, `constructor`) in the SOAP body, a
 * fault or an SSDN `xmlString`, 15 MB replies (with a Content-Length, chunked, gzipped) and a
 * reply that trickles one byte every 500 ms forever. It records how each answer ended, so a
 * test can check that the client tore the exchange down instead of reading on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { readReply } from './reply-fixtures.js';

const MB = 1_000_000;
/** The size of the large replies: the 15 MB of issue 15. */
export const LARGE_REPLY_BYTES = 15 * MB;

/** How an answer ended at the server. */
export interface AnswerEnd {
  readonly path: string;
  /** Body bytes written before the answer ended. */
  readonly bytesWritten: number;
  /** True when the whole answer was written; false when the client closed the connection first. */
  readonly completed: boolean;
  /** When the server saw the answer end (`Date.now()`). */
  readonly at: number;
}

/** The hostile server. */
export interface HostileServer {
  readonly url: string;
  readonly ends: AnswerEnd[];
  /** Resolves when the answer to `path` has ended (the client closed it or it was written). */
  ended(path: string): Promise<AnswerEnd>;
  close(): Promise<void>;
}

/** A valid SOA reply (our RetrieveTIGroups fixture) with `inside` put in the reply element, after the status. */
export function soaReplyWith(inside: string): string {
  const reply = readReply('soa-data-found.xml');
  const at = reply.indexOf('</rtg:retrieveTIGroupsResponse>');
  return reply.slice(0, at) + inside + reply.slice(at);
}

/** An SSDN reply (our IdentifyPerson fixture) with `inside` (unescaped XML) put in the SSDNReply's ServiceReply. */
export function ssdnReplyWith(inside: string): string {
  const reply = readReply('ssdn-ok.xml');
  const escaped = inside.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return reply.replace('&lt;/ServiceReply&gt;', `${escaped}&lt;/ServiceReply&gt;`);
}

/** Our CBSS fault (MSG00003) with `inside` put in its `detail`. */
export function faultWith(inside: string): string {
  const fault = readReply('fault-cbss-MSG00003.xml');
  return fault.replace('</detail>\n    </soapenv:Fault>', `${inside}</detail>\n    </soapenv:Fault>`);
}

const nested = (depth: number): string => '<level>'.repeat(depth) + 'x' + '</level>'.repeat(depth);

/** The fixed answers: path → [status, body]. */
const FIXED: Readonly<Record<string, readonly [number, string]>> = {
  '/deep': [200, soaReplyWith(nested(1_000))],
  '/deep-ssdn': [200, ssdnReplyWith(nested(1_000))],
  '/deep-fault': [500, faultWith(nested(1_000))],
  '/proto-body': [200, soaReplyWith('<__proto__><polluted>yes</polluted></__proto__>')],
  '/proto-prefixed': [200, soaReplyWith('<x:__proto__ xmlns:x="urn:x"><polluted>yes</polluted></x:__proto__>')],
  '/constructor-body': [200, soaReplyWith('<constructor><prototype>yes</prototype></constructor>')],
  '/proto-fault': [500, faultWith('<__proto__><polluted>yes</polluted></__proto__>')],
  '/proto-ssdn': [200, ssdnReplyWith('<__proto__><polluted>yes</polluted></__proto__>')],
  '/proto-attributes': [200, soaReplyWith('<extra __proto__="yes" constructor="yes" prototype="yes">x</extra>')],
};

/** The 15 MB SOA reply: a valid envelope whose `rrn_it_implicit` repeats an address. */
function largeReplyParts(): { head: string; entry: string; tail: string; count: number } {
  const reply = soaReplyWith('<rrn_it_implicit>@@</rrn_it_implicit>');
  const [head, tail] = reply.split('@@') as [string, string];
  const entry = '<Address Type="001"><Street>Rue de la Mesure</Street><Number>12</Number><PostalCode>1000</PostalCode></Address>';
  return { head, entry, tail, count: Math.ceil((LARGE_REPLY_BYTES - head.length - tail.length) / entry.length) };
}

/** Writes the large reply in 64 KiB pieces, with backpressure, until done or the client goes away. */
function writeLarge(response: ServerResponse, count: (n: number) => void): void {
  const { head, entry, tail, count: entries } = largeReplyParts();
  const piece = entry.repeat(Math.floor(65_536 / entry.length));
  const perPiece = Math.floor(65_536 / entry.length);
  let left = entries;
  const write = (text: string): boolean => {
    count(Buffer.byteLength(text));
    return response.write(text);
  };
  write(head);
  const pump = (): void => {
    while (left > 0 && !response.destroyed) {
      const n = Math.min(perPiece, left);
      left -= n;
      if (!write(n === perPiece ? piece : entry.repeat(n))) {
        response.once('drain', pump);
        return;
      }
    }
    if (!response.destroyed) {
      write(tail);
      response.end();
    }
  };
  pump();
}

/** The exact byte length of the large reply. */
function largeLength(): number {
  const { head, entry, tail, count } = largeReplyParts();
  return Buffer.byteLength(head) + Buffer.byteLength(entry) * count + Buffer.byteLength(tail);
}

/** Starts the hostile server on a free loopback port. */
export async function startHostileServer(): Promise<HostileServer> {
  const ends: AnswerEnd[] = [];
  const waiters = new Map<string, Array<(end: AnswerEnd) => void>>();
  const trickles = new Set<NodeJS.Timeout>();

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    let bytesWritten = 0;
    response.on('close', () => {
      const end = { path, bytesWritten, completed: response.writableFinished, at: Date.now() };
      ends.push(end);
      for (const resolve of waiters.get(path) ?? []) resolve(end);
      waiters.delete(path);
    });
    const fixed = FIXED[path];
    if (fixed !== undefined) {
      const [status, body] = fixed;
      bytesWritten = Buffer.byteLength(body);
      response.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }).end(body);
      return;
    }
    if (path === '/large-length' || path === '/large-chunked') {
      const headers: Record<string, string | number> = { 'content-type': 'text/xml; charset=utf-8' };
      if (path === '/large-length') headers['content-length'] = largeLength();
      response.writeHead(200, headers);
      writeLarge(response, (n) => (bytesWritten += n));
      return;
    }
    if (path === '/large-gzip') {
      // 15 MB of reply in a small gzip body: the limit counts the bytes after decompression.
      const { head, entry, tail, count } = largeReplyParts();
      const body = gzipSync(head + entry.repeat(count) + tail);
      bytesWritten = body.length;
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
      return;
    }
    if (path === '/trickle') {
      // A valid beginning, then one byte every 500 ms, forever: never idle, never complete.
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      response.write('<');
      bytesWritten = 1;
      const timer = setInterval(() => {
        if (response.destroyed) return;
        response.write(' ');
        bytesWritten++;
      }, 500);
      trickles.add(timer);
      response.on('close', () => {
        clearInterval(timer);
        trickles.delete(timer);
      });
      return;
    }
    response.writeHead(404).end();
  }

  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => handle(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    ends,
    ended(path) {
      const done = ends.find((end) => end.path === path);
      if (done !== undefined) return Promise.resolve(done);
      return new Promise((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve]));
    },
    async close() {
      for (const timer of trickles) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
