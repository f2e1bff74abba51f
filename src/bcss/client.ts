/**
 * The BCSS client: SOAP over HTTPS with axios, a TLS client certificate, keep-alive sockets
 * sized to the source's cap, an optional HTTPS proxy, and typed outcomes. Every call is ONE
 * exchange through a {@link BcssTransport}: the client's own (axios), or the one given in the
 * `transport` option (e.g. the in-process fake BCSS of `bcss-bulk/testing`); the same code
 * turns its answer into a reply or a typed error.
 *
 * - A reply is a {@link BcssReply} (ticket, timestamps, status, body): the status is not judged
 *   here, {@link bcssClassifier} does that for the engine.
 * - A SOAP fault throws a {@link BcssFaultError}; an HTTP error status an {@link HttpStatusError}
 *   (with `Retry-After`); no answer a {@link BcssTransportError}; an unreadable reply a
 *   `BcssReplyError`; an abort through the signal rejects with the signal's reason.
 * - No error carries axios' request config: certificates, keys, passphrases, passwords, proxy
 *   credentials and the Authorization header never leave the client.
 */
import { randomUUID } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { BcssBulkError, ConfigError } from '../util/errors.js';
import { parseOptions } from '../util/options.js';
import { HttpStatusError } from '../policy/errors.js';
import { assertReadableOptions } from '../util/options-guard.js';
import { knownSoaSoapAction, SSDN_SEND_XML_SOAP_ACTION } from './contract.js';
import { BcssFaultError, BcssReplyError, BcssRequestError, displayUrl } from './errors.js';
import { withDeadline } from './deadline.js';
import { engineDeadlineMs } from '../engine/call-slot.js';
import { MAX_TIMER_MS } from '../util/time.js';

/** In a run, how long after the engine's hard deadline the client's own deadline falls: the engine's abort comes first. */
const ENGINE_ABORT_LEAD_MS = 1_000;
import { createHttpTransport } from './http-transport.js';
import { buildSoaEnvelope, buildSsdnEnvelope, type ServiceElement } from './soap.js';
import { DEFAULT_MAX_REPLY_DEPTH, readSoapReply, soapFaultOf, type BcssReply } from './soap-read.js';
import { keepText, scrubErrorInPlace, scrubValue, secretScrubber } from './secrets.js';
import type { BcssHttpResponse, BcssTransport } from './transport.js';
import { BCSS_TRANSPORT_BASE_URL, bcssClientSchema, type BcssClientOptions } from './client-options.js';

export { BCSS_ENVIRONMENTS, BCSS_TRANSPORT_BASE_URL, bcssClientSchema, bcssTlsSchema, DEFAULT_MAX_REPLY_BYTES } from './client-options.js';
export type { BcssClientOptions, BcssEnvironment } from './client-options.js';


/** An SOA (new style) request. */
export interface SoaRequest {
  /** Path of the service, resolved against the base URL (e.g. `RetrieveTIGroupsService/v2/retrieveTI`). */
  readonly path?: string;
  /**
   * The `SOAPAction` header.
   *
   * @defaultValue the one the service's WSDL declares when the client knows the request element
   *   (`retrieveTIGroupsRequest` v2: {@link RETRIEVE_TI_GROUPS_V2_SOAP_ACTION}), else empty (`""`)
   */
  readonly soapAction?: string;
  /** The service's request element and its body, e.g. `{ name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation: { ssin, language: 'fr' } } }`. */
  readonly request: ServiceElement;
  /** The legal context, e.g. `PCSA:SOCIAL_INQUIRY` (1 to 64 characters). */
  readonly legalContext: string;
  /** Your own ticket for this call (a random UUID by default). */
  readonly ticket?: string;
}

/** An SSDN request (operation `sendXML` of the web-service connector). */
export interface SsdnRequest {
  /** Path of the connector, resolved against the base URL (e.g. `connectors/webservice/KSZBCSSWebServiceConnectorPort`). */
  readonly path?: string;
  /**
   * The `SOAPAction` header.
   *
   * @defaultValue {@link SSDN_SEND_XML_SOAP_ACTION}, as `WebServiceConnector.wsdl` declares
   */
  readonly soapAction?: string;
  /** E.g. `OCMWCPASIdentifyPerson`. */
  readonly serviceId: string;
  /** The service version, 8 characters, e.g. `20050930`. */
  readonly version: string;
  /** The service's request element, e.g. `{ name: 'IdentifyPersonRequest', namespace: IDENTIFY_PERSON_NS, body: { SearchCriteria: { SSIN: ssin } } }`. */
  readonly request: ServiceElement;
  /** The message reference (a random UUID by default). */
  readonly reference?: string;
}

/** Per-call options. */
export interface CallOptions {
  /**
   * Aborts the call; pass the engine's `context.signal`.
   * @defaultValue none: the call is aborted by its deadline only
   */
  readonly signal?: AbortSignal;
}

/** A BCSS client. */
export interface BcssClient {
  /** The base URL the client calls, without credentials. */
  readonly baseUrl: string;
  /** Calls an SOA (new style) service. `B` is the type you expect in `reply.body` (not checked). */
  soa<B = Record<string, unknown>>(request: SoaRequest, options?: CallOptions): Promise<BcssReply<B>>;
  /** Calls an SSDN service. `B` is the type you expect in `reply.body` (not checked). */
  ssdn<B = Record<string, unknown>>(request: SsdnRequest, options?: CallOptions): Promise<BcssReply<B>>;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/**
 * Creates a BCSS client. Validates its configuration at once.
 *
 * @throws {ConfigError} a malformed field, with its path (never with the secret's value); a
 *   certificate, key or CA that cannot be loaded (wrong passphrase, damaged file).
 */
export function createBcssClient(options: BcssClientOptions): BcssClient {
  assertReadableOptions(options, 'BCSS client configuration');
  const config = parseOptions(bcssClientSchema, options, 'BCSS client configuration');
  const base = new URL(config.url ?? (config.environment === undefined ? BCSS_TRANSPORT_BASE_URL : config.endpoints![config.environment]!));
  let transport: BcssTransport;
  let close: () => void;
  if (config.transport !== undefined) {
    transport = config.transport;
    close = () => undefined;
  } else {
    const tls = config.tls ?? {};
    checkTlsMaterial(tls);
    const own = createHttpTransport({ tls, maxSockets: config.maxSockets, maxReplyBytes: config.maxReplyBytes, proxy: config.proxy });
    transport = own.transport;
    close = own.close;
  }
  const authorization = config.basicAuth === undefined ? undefined : `Basic ${Buffer.from(`${config.basicAuth.username}:${config.basicAuth.password}`, 'utf8').toString('base64')}`;
  const now = config.now ?? Date.now;
  const newTicket = config.ticket ?? randomUUID;
  // The configured secrets never reach an error, event or ledger, even when a server echoes them.
  const scrub = secretScrubber({ basicAuth: config.basicAuth, passphrase: config.tls !== undefined && 'passphrase' in config.tls ? config.tls.passphrase : undefined, proxy: config.proxy });
  // Without secrets (the usual mTLS-only client) a reply is passed on as is: no copy per call.
  const scrubbedReply = <B>(reply: BcssReply<B>): BcssReply<B> => (scrub === keepText || reply.status === undefined ? reply : { ...reply, status: scrubValue(reply.status, scrub) });
  const scrubbedError = (error: unknown): never => {
    throw error instanceof BcssBulkError && scrub !== keepText ? scrubErrorInPlace(error, scrub) : error;
  };

  async function post(path: string | undefined, soapAction: string, envelope: string, family: 'soa' | 'ssdn', signal: AbortSignal | undefined): Promise<BcssReply> {
    const url = path === undefined ? base : new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
    // The certificate and credentials go to the configured host only, never to one a path names.
    if (url.origin !== base.origin) throw new BcssRequestError(`the path '${path}' leaves the configured endpoint ${displayUrl(base)}`);
    if (!/^[\x20\x21\x23-\x7e]*$/.test(soapAction)) throw new BcssRequestError('the SOAPAction must be printable ASCII without double quotes');
    const shown = displayUrl(url);
    const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` };
    if (authorization !== undefined) headers['authorization'] = authorization;
    // Aborted before the exchange starts (e.g. while the envelope was built): no request at all.
    signal?.throwIfAborted();
    // In a run, the engine decides when the request is torn down (its hard deadline): the
    // client's own deadline never comes earlier, so the request keeps its slot at the BCSS.
    const engineMs = engineDeadlineMs(signal);
    const deadlineMs = engineMs === undefined ? config.timeoutMs : Math.min(Math.max(config.timeoutMs, engineMs + ENGINE_ABORT_LEAD_MS), MAX_TIMER_MS);
    const response = await withDeadline(deadlineMs, shown, signal, (combined) =>
      transport({ url: url.href, method: 'POST', headers, body: envelope, signal: combined }),
    );
    return replyOf(response, family, shown, config.maxReplyBytes, config.maxReplyDepth);
  }

  return {
    baseUrl: displayUrl(base),
    soa<B>(request: SoaRequest, callOptions: CallOptions = {}) {
      return Promise.resolve().then(() => {
        const envelope = buildSoaEnvelope({
          request: request.request,
          customer: config.customer,
          ticket: request.ticket ?? newTicket(),
          timestampSent: new Date(now()),
          legalContext: request.legalContext,
        });
        const soapAction = request.soapAction ?? knownSoaSoapAction(request.request) ?? '';
        return post(request.path, soapAction, envelope, 'soa', callOptions.signal) as Promise<BcssReply<B>>;
      }).then(scrubbedReply, scrubbedError);
    },
    ssdn<B>(request: SsdnRequest, callOptions: CallOptions = {}) {
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
        return post(request.path, request.soapAction ?? SSDN_SEND_XML_SOAP_ACTION, envelope, 'ssdn', callOptions.signal) as Promise<BcssReply<B>>;
      }).then(scrubbedReply, scrubbedError);
    },
    close,
  };
}

/**
 * The one way an HTTP answer becomes a reply or a typed error, whatever the transport: a SOAP
 * fault (any status) is a {@link BcssFaultError}; another status of 400 or more an
 * {@link HttpStatusError} (with `Retry-After`); a 2xx/3xx body that is no readable SOAP reply
 * of the family, larger than `maxReplyBytes` or nested deeper than `maxReplyDepth` a
 * {@link BcssReplyError}. Nothing else escapes: any other failure while reading is a
 * `BcssReplyError` with the failure as its cause.
 */
export function replyOf(
  response: BcssHttpResponse,
  family: 'soa' | 'ssdn',
  shownUrl: string,
  maxReplyBytes = Number.POSITIVE_INFINITY,
  maxReplyDepth = DEFAULT_MAX_REPLY_DEPTH,
): BcssReply {
  const status = typeof response?.status === 'number' ? response.status : 0;
  try {
    const { body } = response;
    if (typeof body !== 'string') throw new BcssReplyError(status, `the transport gave a body of type ${body === null ? 'null' : typeof body}, not a string`);
    if (body.length > maxReplyBytes || Buffer.byteLength(body, 'utf8') > maxReplyBytes) {
      throw new BcssReplyError(status, `the reply is larger than ${maxReplyBytes} bytes (maxReplyBytes)`);
    }
    if (status >= 400) {
      const fault = soapFaultOf(body, status, { maxDepth: maxReplyDepth });
      if (fault !== undefined) throw new BcssFaultError(fault, status);
      const retryAfter = response.headers?.['retry-after'];
      throw new HttpStatusError(status, { retryAfter, message: `The BCSS answered HTTP ${status} to POST ${shownUrl}` });
    }
    const read = readSoapReply(body, family, status, { maxDepth: maxReplyDepth });
    if ('fault' in read) throw new BcssFaultError(read.fault, status);
    return read.reply;
  } catch (error) {
    if (error instanceof BcssReplyError || error instanceof BcssFaultError || error instanceof HttpStatusError) throw error;
    const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : String(error);
    throw new BcssReplyError(status, `unexpected failure while reading it (${reason})`, { cause: error });
  }
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
