/**
 * The options of the BCSS client ({@link createBcssClient}): the interface, with the
 * documentation and default of each field, and the zod schema that validates it, checked
 * against each other at compile time.
 */
import { z } from 'zod';
import type { Assert, SchemaMatches } from '../util/type-checks.js';
import { positiveInt, positiveMs } from '../util/options.js';
import type { CustomerIdentification, SsdnAuthorizedUser } from './soap.js';
import { DEFAULT_MAX_REPLY_DEPTH } from './soap-read.js';
import type { BcssTransport } from './transport.js';

/**
 * The default of `maxReplyBytes`: 1 MiB. The largest reply recorded from the real service (a
 * full Tx25 / RetrieveTIGroups reply) is 26 KB; reading a 1 MiB reply blocks the event loop
 * about 0.5 s and adds about 33 MiB of RSS (4 MiB: 1.2 s, 68 MiB; 15 MiB: 3.1 s, 173 MiB).
 */
export const DEFAULT_MAX_REPLY_BYTES = 1024 * 1024;

/** The base URL of a client that has a `transport` but no `url` nor `environment`. */
export const BCSS_TRANSPORT_BASE_URL = 'http://bcss.invalid/';

/** The three BCSS environments. */
export const BCSS_ENVIRONMENTS = ['test', 'acceptance', 'production'] as const;
/** One of {@link BCSS_ENVIRONMENTS}. */
export type BcssEnvironment = (typeof BCSS_ENVIRONMENTS)[number];

const binary = z.union([z.string().min(1), z.instanceof(Buffer)], { message: 'expected a string or a Buffer' });
const cas = z.union([binary, z.array(binary)]).optional();

/**
 * Schema of the TLS settings: the client identity as a PFX (PKCS#12) file or a PEM key and
 * certificate, and the CA to trust; or only a CA, when the service needs no client certificate.
 */
export const bcssTlsSchema = z.union(
  [
    z.strictObject({ pfx: binary, passphrase: z.string().optional(), ca: cas }),
    z.strictObject({ key: binary, cert: binary, passphrase: z.string().optional(), ca: cas }),
    z.strictObject({ ca: z.union([binary, z.array(binary)]) }),
  ],
  { message: 'expected { pfx, passphrase?, ca? }, { key, cert, passphrase?, ca? } or { ca }' },
);

const urlString = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });

/** Schema of {@link BcssClientOptions}. */
export const bcssClientSchema = z
  .strictObject({
    environment: z.enum(BCSS_ENVIRONMENTS).optional(),
    endpoints: z.partialRecord(z.enum(BCSS_ENVIRONMENTS), urlString).optional(),
    url: urlString.optional(),
    tls: bcssTlsSchema.optional(),
    basicAuth: z.strictObject({ username: z.string().min(1), password: z.string() }).optional(),
    customer: z.union(
      [
        z.strictObject({ cbeNumber: z.string().regex(/^\d{10}$/, 'an enterprise number has 10 digits') }),
        z.strictObject({ sector: z.number().int().min(0).max(999), institution: z.number().int().min(0).max(999) }),
      ],
      { message: 'expected { cbeNumber } (10 digits) or { sector, institution } (0–999 each)' },
    ),
    ssdnUser: z
      .strictObject({
        userId: z.string().min(1),
        email: z.string().min(1),
        orgUnit: z.string().min(1),
        matrixId: z.union([z.string(), z.number()]),
        matrixSubId: z.union([z.string(), z.number()]),
      })
      .optional(),
    proxy: z
      .url({ protocol: /^http$/, message: 'expected an http:// proxy URL (the proxy opens a CONNECT tunnel; TLS runs end-to-end inside it)' })
      .optional(),
    transport: z.custom<BcssTransport>((v) => typeof v === 'function', { message: 'expected a function (request) => Promise<response>' }).optional(),
    maxSockets: positiveInt.default(4),
    timeoutMs: positiveMs.default(30_000),
    maxReplyBytes: positiveInt.default(DEFAULT_MAX_REPLY_BYTES),
    maxReplyDepth: positiveInt.max(10_000).default(DEFAULT_MAX_REPLY_DEPTH),
    /** The clock of `timestampSent` (ms since epoch; default `Date.now`). */
    now: z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function () => ms since epoch' }).optional(),
    /** Makes the caller's ticket of each call (default: a random UUID). */
    ticket: z.custom<() => string>((v) => typeof v === 'function', { message: 'expected a function () => string' }).optional(),
  })
  .superRefine((options, context) => {
    if (options.url !== undefined || options.transport !== undefined) return;
    if (options.environment === undefined) {
      context.addIssue({ code: 'custom', path: ['environment'], message: "give an environment ('test', 'acceptance' or 'production') with its endpoint, or an explicit url" });
    } else if (options.endpoints?.[options.environment] === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['endpoints', options.environment],
        message: `set your endpoint for '${options.environment}': bcss-bulk ships no BCSS addresses; take them from your BCSS onboarding documents`,
      });
    }
  });

/** Configuration of {@link createBcssClient}. */
export interface BcssClientOptions {
  /**
   * The environment to call; its base URL is taken from `endpoints`.
   * @defaultValue none: give `environment` + `endpoints`, `url` or `transport`
   */
  readonly environment?: BcssEnvironment | undefined;
  /**
   * Base URLs per environment, from your BCSS onboarding documents (none is built in).
   * @defaultValue none
   */
  readonly endpoints?: Partial<Record<BcssEnvironment, string>> | undefined;
  /**
   * An explicit base URL, instead of `environment` + `endpoints`.
   * @defaultValue none; with a `transport`, {@link BCSS_TRANSPORT_BASE_URL}
   */
  readonly url?: string | undefined;
  /**
   * The TLS client certificate: `{ pfx, passphrase? }` or `{ key, cert, passphrase? }`, with an
   * optional `ca`; or `{ ca }` alone. Loaded when the client is created.
   * @defaultValue none: no client certificate, Node's built-in CAs
   */
  readonly tls?: z.input<typeof bcssTlsSchema> | undefined;
  /**
   * An HTTP proxy to reach the BCSS through, e.g. `http://user:password@proxy.example:3128`. The
   * client opens a CONNECT tunnel through it; TLS (with the client certificate) runs end-to-end
   * between the client and the BCSS inside the tunnel. Its credentials never appear in errors.
   * The environment's `HTTPS_PROXY` variables are never used.
   *
   * @defaultValue none: a direct connection
   */
  readonly proxy?: string | undefined;
  /**
   * Makes each HTTP exchange instead of the client's own axios transport, e.g. the in-process
   * fake BCSS of `bcss-bulk/testing` (`createBcssClient({ transport: fake.transport, ... })`).
   * With a transport, `url` and `environment` may be left out (the base URL is then
   * {@link BCSS_TRANSPORT_BASE_URL}), and `tls`, `proxy` and `maxSockets` do not apply.
   * `timeoutMs` does: the transport gets a signal that aborts at the deadline, and the call
   * fails then even if the transport ignores it. `maxReplyBytes` and `maxReplyDepth` apply to
   * the body it returns.
   *
   * @defaultValue the client's axios transport
   */
  readonly transport?: BcssTransport | undefined;
  /**
   * HTTP Basic credentials, for the services that ask for them (sent preemptively).
   * @defaultValue none: no Authorization header
   */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /**
   * The institution's identification: enterprise number, or sector and institution.
   * @defaultValue none: required
   */
  readonly customer: CustomerIdentification;
  /**
   * The SSDN `AuthorizedUser`, needed for `ssdn()` calls.
   * @defaultValue none: `ssdn()` throws a `BcssRequestError`
   */
  readonly ssdnUser?: SsdnAuthorizedUser | undefined;
  /**
   * Keep-alive sockets per host: give the source's cap, so no call waits for a socket.
   * @defaultValue 4
   */
  readonly maxSockets?: number | undefined;
  /**
   * The deadline of each call, in ms: the whole exchange (connection, TLS handshake, request,
   * and the complete reply) must be over by then, however the server trickles its bytes. At
   * the deadline the request is torn down (socket closed) and the call fails with a
   * {@link BcssTransportError} of `networkCode` `ETIMEDOUT` (transient). It applies to an
   * injected `transport` too. In a run (the call gets the engine's `context.signal`), the
   * request is never torn down before the engine lets it: the client's deadline is then at least
   * the source's hard deadline (`hardDeadlineMs`) plus a second, since a request the client gave up
   * on would still run at the BCSS and count against the cap; the engine counts the attempt as
   * timed out at the source's `timeoutMs`. At most 2147483647 (a Node timer's limit).
   * @defaultValue 30000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Largest reply accepted, in bytes (after decompression). The client's transport stops
   * reading as soon as the reply passes it (or at once when its `Content-Length` announces
   * more) and the call fails with a `BcssReplyError`, before anything is parsed. Real BCSS
   * replies are a few KB (the largest recorded, a full Tx25, is 26 KB).
   * @defaultValue 1048576 (1 MiB, {@link DEFAULT_MAX_REPLY_BYTES})
   */
  readonly maxReplyBytes?: number | undefined;
  /**
   * Deepest element nesting accepted in a reply (SOAP envelope, fault, and the SSDN `xmlString`
   * document each), checked by a linear pre-scan before the XML parser runs: a deeper reply is
   * a `BcssReplyError`. Real BCSS replies nest about 10 deep. At most 10000.
   * @defaultValue 64 ({@link DEFAULT_MAX_REPLY_DEPTH})
   */
  readonly maxReplyDepth?: number | undefined;
  /**
   * Time source for `timestampSent` and `TimeRequest` (ms since epoch): give a `FakeClock`'s `() => clock.now()` in tests.
   * @defaultValue `Date.now`
   */
  readonly now?: (() => number) | undefined;
  /**
   * Ticket generator (at most 36 characters).
   * @defaultValue a random UUID
   */
  readonly ticket?: (() => string) | undefined;
}

type _ClientOptionsAgree = Assert<SchemaMatches<z.input<typeof bcssClientSchema>, BcssClientOptions>>;
