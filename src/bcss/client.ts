/**
 * The BCSS client: SOAP over HTTPS with axios, a TLS client certificate, keep-alive sockets
 * sized to the source's cap, and typed outcomes.
 *
 * - A reply is a {@link BcssReply} (ticket, timestamps, status, body): the status is not judged
 *   here, {@link bcssClassifier} does that for the engine.
 * - A SOAP fault throws a {@link BcssFaultError}; an HTTP error status an {@link HttpStatusError}
 *   (with `Retry-After`); no answer a {@link BcssTransportError}; an unreadable reply a
 *   `BcssReplyError`; an abort through the signal rejects with the signal's reason.
 * - No error carries axios' request config: certificates, keys, passphrases, passwords and the
 *   Authorization header never leave the client.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { ConfigError, HttpStatusError } from '../errors.js';
import { maskNationalNumbers } from '../privacy.js';
import { BcssFaultError, BcssRequestError, BcssTransportError, displayUrl } from './errors.js';
import {
  buildSoaEnvelope,
  buildSsdnEnvelope,
  readSoapReply,
  soapFaultOf,
  type BcssReply,
  type CustomerIdentification,
  type ServiceElement,
  type SsdnAuthorizedUser,
} from './soap.js';

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
    maxSockets: z.number().int().positive().default(4),
    timeoutMs: z.number().int().positive().default(30_000),
    maxReplyBytes: z.number().int().positive().default(20 * 1024 * 1024),
    /** The clock of `timestampSent` (ms since epoch; default `Date.now`). */
    now: z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function () => ms since epoch' }).optional(),
    /** Makes the caller's ticket of each call (default: a random UUID). */
    ticket: z.custom<() => string>((v) => typeof v === 'function', { message: 'expected a function () => string' }).optional(),
  })
  .superRefine((options, context) => {
    if (options.url !== undefined) return;
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
  /** The environment to call; its base URL is taken from `endpoints`. */
  readonly environment?: BcssEnvironment;
  /** Base URLs per environment, from your BCSS onboarding documents (none is built in). */
  readonly endpoints?: Partial<Record<BcssEnvironment, string>>;
  /** An explicit base URL, instead of `environment` + `endpoints`. */
  readonly url?: string;
  /** The TLS client certificate: `{ pfx, passphrase? }` or `{ key, cert, passphrase? }`, with an optional `ca`; or `{ ca }` alone. */
  readonly tls?: z.input<typeof bcssTlsSchema>;
  /** HTTP Basic credentials, for the services that ask for them. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** The institution's identification: enterprise number, or sector and institution. */
  readonly customer: CustomerIdentification;
  /** The SSDN `AuthorizedUser`, needed for `ssdn()` calls. */
  readonly ssdnUser?: SsdnAuthorizedUser;
  /** Keep-alive sockets per host (default 4): the source's cap, so no call waits for a socket. */
  readonly maxSockets?: number;
  /** The client's own safety timeout per call, in ms (default 30 000); in a run, the engine's shorter timeout aborts first. */
  readonly timeoutMs?: number;
  /** Largest reply accepted, in bytes (default 20 MiB). */
  readonly maxReplyBytes?: number;
  /** Time source for `timestampSent` (ms since epoch); `Date.now` by default. */
  readonly now?: () => number;
  /** Ticket generator (at most 36 characters); a random UUID by default. */
  readonly ticket?: () => string;
}

/** An SOA (new style) request. */
export interface SoaRequest {
  /** Path of the service, resolved against the base URL (e.g. `RetrieveTIGroupsService/v2/retrieveTI`). */
  readonly path?: string;
  /** The `SOAPAction` header, when the service needs one. */
  readonly soapAction?: string;
  /** The service's request element and its body (the search criteria, e.g. `{ ssin }`). */
  readonly request: ServiceElement;
  readonly legalContext: string;
  /** Your own ticket for this call (a random UUID by default). */
  readonly ticket?: string;
}

/** An SSDN (`sendXML`) request. */
export interface SsdnRequest {
  readonly path?: string;
  readonly soapAction?: string;
  readonly serviceId: string;
  readonly version: string;
  readonly request: ServiceElement;
  /** The message reference (a random UUID by default). */
  readonly reference?: string;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call; pass the engine's `context.signal`. */
  readonly signal?: AbortSignal;
}

/** A BCSS client. */
export interface BcssClient {
  /** The base URL the client calls, without credentials. */
  readonly baseUrl: string;
  /** Calls an SOA (new style) service. */
  soa(request: SoaRequest, options?: CallOptions): Promise<BcssReply>;
  /** Calls an SSDN service through `sendXML`. */
  ssdn(request: SsdnRequest, options?: CallOptions): Promise<BcssReply>;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** Error codes that say the TLS set-up is wrong (certificate refused, unknown CA, ...): retrying will not help. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO$|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/**
 * Creates a BCSS client. Validates its configuration at once.
 *
 * @throws {ConfigError} a malformed field, with its path (never with the secret's value); a
 *   certificate, key or CA that cannot be loaded (wrong passphrase, damaged file).
 */
export function createBcssClient(options: BcssClientOptions): BcssClient {
  const parsed = bcssClientSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
      'BCSS client configuration',
    );
  }
  const config = parsed.data;
  const base = new URL(config.url ?? config.endpoints![config.environment!]!);
  const tls = config.tls ?? {};
  checkTlsMaterial(tls);
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets, maxFreeSockets: config.maxSockets };
  const httpsAgent = new https.Agent({ ...agentOptions, ...tls });
  const httpAgent = new http.Agent(agentOptions);
  const instance: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    proxy: false,
    maxRedirects: 0,
    timeout: config.timeoutMs,
    maxContentLength: config.maxReplyBytes,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    ...(config.basicAuth === undefined ? {} : { auth: { username: config.basicAuth.username, password: config.basicAuth.password } }),
  });
  const now = config.now ?? Date.now;
  const newTicket = config.ticket ?? randomUUID;

  async function post(path: string | undefined, soapAction: string | undefined, envelope: string, family: 'soa' | 'ssdn', signal: AbortSignal | undefined): Promise<BcssReply> {
    const url = path === undefined ? base : new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
    // The certificate and credentials go to the configured host only, never to one a path names.
    if (url.origin !== base.origin) throw new BcssRequestError(`the path '${path}' leaves the configured endpoint ${displayUrl(base)}`);
    if (soapAction !== undefined && !/^[\x20\x21\x23-\x7e]*$/.test(soapAction)) {
      throw new BcssRequestError('the SOAPAction must be printable ASCII without double quotes');
    }
    const shown = displayUrl(url);
    let response: AxiosResponse<unknown>;
    try {
      response = await instance.post(url.href, envelope, {
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction === undefined ? '""' : `"${soapAction}"` },
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? new BcssTransportError({ method: 'POST', url: shown, networkCode: 'ABORTED', detail: 'aborted', tls: false });
      throw transportError(error, shown);
    }
    const text = typeof response.data === 'string' ? response.data : '';
    const status = response.status;
    if (status >= 400) {
      const fault = soapFaultOf(text);
      if (fault !== undefined) throw new BcssFaultError(fault, status);
      const retryAfter = response.headers['retry-after'];
      throw new HttpStatusError(status, {
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        message: `The BCSS answered HTTP ${status} to POST ${shown}`,
      });
    }
    const read = readSoapReply(text, family, status);
    if ('fault' in read) throw new BcssFaultError(read.fault, status);
    return read.reply;
  }

  return {
    baseUrl: displayUrl(base),
    soa(request, callOptions = {}) {
      return Promise.resolve().then(() => {
        const envelope = buildSoaEnvelope({
          request: request.request,
          customer: config.customer,
          ticket: request.ticket ?? newTicket(),
          timestampSent: new Date(now()),
          legalContext: request.legalContext,
        });
        return post(request.path, request.soapAction, envelope, 'soa', callOptions.signal);
      });
    },
    ssdn(request, callOptions = {}) {
      return Promise.resolve().then(() => {
        if (config.ssdnUser === undefined) throw new BcssRequestError('ssdn() needs the ssdnUser option of the client (the SSDN AuthorizedUser)');
        const envelope = buildSsdnEnvelope({
          user: config.ssdnUser,
          reference: request.reference ?? newTicket(),
          timeRequest: new Date(now()),
          serviceId: request.serviceId,
          version: request.version,
          request: request.request,
        });
        return post(request.path, request.soapAction, envelope, 'ssdn', callOptions.signal);
      });
    },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

/**
 * Loads the certificate, key and CA once, so that a wrong passphrase or a damaged file is a
 * configuration error at once, not a failure of every call. OpenSSL's reason is kept (it never
 * quotes the secret); the material itself is not.
 */
function checkTlsMaterial(tls: object): void {
  try {
    createSecureContext(tls);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new ConfigError([{ path: ['tls'], message: `the TLS certificate, key or CA could not be loaded: ${reason}` }], 'BCSS client configuration');
  }
}

/** Our own error for a call that got no answer, from the facts of axios' error only. */
function transportError(error: unknown, url: string): BcssTransportError {
  const code = codeOf(error);
  const detail = error instanceof Error ? maskNationalNumbers(error.message.replace(/\s+/g, ' ').slice(0, 300)) : 'unknown failure';
  return new BcssTransportError({ method: 'POST', url, ...(code === undefined ? {} : { networkCode: code }), detail, tls: code !== undefined && TLS_CODE.test(code) });
}

/** The most specific error code: the cause's (Node's socket or OpenSSL error) before axios' own. */
function codeOf(error: unknown): string | undefined {
  const own = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: { code?: unknown } }).cause?.code : undefined;
  if (typeof cause === 'string') return cause;
  return typeof own === 'string' ? own : undefined;
}
