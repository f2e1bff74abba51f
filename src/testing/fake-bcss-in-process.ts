/**
 * The fake BCSS in process: the same core as {@link startFakeBcss}, behind a
 * {@link BcssTransport} instead of a socket. Its latency runs on the clock you give it (the
 * run's `FakeClock`), so a night of calls runs in milliseconds and a call of 5 s takes exactly
 * 5 s of fake time. Plug it into the client: `createBcssClient({ transport: fake.transport, ... })`.
 */
import type { BcssTransport } from '../bcss/transport.js';
import { createFakeBcssCore, recordsOf, type FakeBcssCoreOptions, type FakeBcssRecords } from './fake-bcss-core.js';

/** Settings of {@link createFakeBcss}: those of the HTTP fake but the port and TLS. */
export type InProcessFakeBcssOptions = FakeBcssCoreOptions;

/** A fake BCSS in process. */
export interface InProcessFakeBcss extends FakeBcssRecords {
  /** The transport to give to `createBcssClient({ transport })`. */
  readonly transport: BcssTransport;
  /** A base URL to give the client alongside the transport (never resolved: no socket is opened). */
  readonly url: string;
}

/**
 * Creates a fake BCSS in process, on a clock.
 *
 * @example
 * const clock = new FakeClock();
 * const bcss = createFakeBcss({ clock, latencyMs: 5_000, outcomes: { '85073003328': 'not-found' } });
 * const client = createBcssClient({ url: bcss.url, transport: bcss.transport, customer: { cbeNumber: '0123456789' } });
 */
export function createFakeBcss(options: InProcessFakeBcssOptions = {}): InProcessFakeBcss {
  const core = createFakeBcssCore(options);
  const transport: BcssTransport = async (request) => {
    const url = new URL(request.url);
    // Lower-case names, as a server sees them.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    if (url.username !== '' && headers['authorization'] === undefined) {
      headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    const answer = await core.answer({ path: url.pathname, headers, body: request.body, ...(request.signal === undefined ? {} : { signal: request.signal }) });
    return { status: answer.status, headers: answer.headers, body: answer.body };
  };
  return {
    transport,
    url: 'https://fake-bcss.invalid',
    ...recordsOf(core),
  };
}
