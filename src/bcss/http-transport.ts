/**
 * The client's own {@link BcssTransport}: axios over HTTP(S), a TLS client certificate,
 * keep-alive sockets sized to the source's cap, optionally through an HTTPS proxy (CONNECT
 * tunnel: the TLS session, client certificate included, runs end-to-end between the client and
 * the BCSS; the proxy only sees the tunnel).
 *
 * No error it throws carries axios' request config (certificate, key, passphrase, Authorization
 * header) nor the proxy's credentials.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { maskNationalNumbers } from '../util/privacy.js';
import { BcssReplyError, BcssTransportError } from './errors.js';
import { secretScrubber } from './secrets.js';
import { tlsFailureOf } from './tls-failure.js';
import type { BcssHttpRequest, BcssHttpResponse, BcssTransport } from './transport.js';


/** Settings of {@link createHttpTransport}. */
export interface HttpTransportSettings {
  readonly tls: object;
  readonly maxSockets: number;
  /** Largest reply body read, in bytes after decompression: reading stops as soon as it is passed. */
  readonly maxReplyBytes: number;
  /** The proxy URL (`http://user:password@host:port`), or `undefined` for a direct connection. */
  readonly proxy: string | undefined;
}

/** The axios transport, and how to close its sockets. */
export interface HttpTransport {
  readonly transport: BcssTransport;
  close(): void;
}

/**
 * A CONNECT-tunnel agent whose end-to-end TLS session uses the client's TLS settings
 * (certificate, key, CA). They are applied to the session with the BCSS only, never to the
 * connection with the proxy (an http:// URL).
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly tls: object,
    options: http.AgentOptions,
  ) {
    super(proxy, options);
  }

  override connect(request: http.ClientRequest, options: Parameters<HttpsProxyAgent<string>['connect']>[1]): Promise<Socket> {
    // The tunnel's TLS socket is made without `host`: check the certificate against the
    // target's host (name or IP), not Node's default 'localhost'.
    const host = typeof options.host === 'string' ? options.host.replace(/^\[|\]$/g, '') : undefined;
    const identity = host === undefined ? {} : { checkServerIdentity: (_name: string, certificate: PeerCertificate) => checkServerIdentity(host, certificate) };
    return super.connect(request, { ...options, ...identity, ...this.tls });
  }
}

/** Creates the axios transport. */
export function createHttpTransport(settings: HttpTransportSettings): HttpTransport {
  const agentOptions = { keepAlive: true, maxSockets: settings.maxSockets, maxFreeSockets: settings.maxSockets };
  // Through a proxy, one agent serves both schemes: https targets get a CONNECT tunnel with the
  // client's TLS settings (certificate, key, CA) applied to the end-to-end TLS session.
  const proxyAgent = settings.proxy === undefined ? undefined : new TunnelAgent(settings.proxy, settings.tls, agentOptions);
  const httpsAgent = proxyAgent ?? new https.Agent({ ...agentOptions, ...settings.tls });
  const httpAgent = proxyAgent ?? new http.Agent(agentOptions);
  const scrub = secretScrubber({ proxy: settings.proxy }); // the proxy's credentials, before a detail is cut to length
  // What tells a refused client certificate from a reset: has the BCSS ever answered this client?
  const tlsContext = { hasClientCertificate: 'pfx' in settings.tls || 'cert' in settings.tls, everAccepted: false };
  const instance: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    proxy: false, // never the environment's proxy variables: only the configured one, through the agent
    maxRedirects: 0,
    // No axios `timeout` (only a socket idle timeout): the client's deadline covers the whole
    // exchange through the request's signal. The body is read here, as a stream, so that its
    // size is checked while it arrives (readBody).
    maxContentLength: -1,
    responseType: 'stream',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });

  const transport: BcssTransport = async (request: BcssHttpRequest): Promise<BcssHttpResponse> => {
    const shown = displayOf(request.url);
    try {
      const response = await instance.post(request.url, request.body, { headers: { ...request.headers }, ...(request.signal === undefined ? {} : { signal: request.signal }) });
      tlsContext.everAccepted = true;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
        else if (Array.isArray(value)) headers[name.toLowerCase()] = value.join(', ');
      }
      const body = await readBody(response.data as Readable, response.status, headers, settings.maxReplyBytes, request.signal);
      return { status: response.status, headers, body };
    } catch (error) {
      if (error instanceof BcssReplyError) throw error;
      if (request.signal?.aborted) throw request.signal.reason ?? new BcssTransportError({ method: 'POST', url: shown, networkCode: 'ABORTED', detail: 'aborted', tls: false });
      throw transportError(error, shown, scrub, tlsContext);
    }
  };

  return {
    transport,
    close() {
      httpsAgent.destroy();
      if (httpAgent !== httpsAgent) httpAgent.destroy();
    },
  };
}

/**
 * Reads a reply body as UTF-8 text, at most `maxBytes` of it (counted after decompression): a
 * `Content-Length` that announces more fails before reading, a body that passes the limit
 * fails as soon as it does; either way the stream (and its socket) is destroyed. The signal
 * destroys the stream too (axios stops watching it once the headers are in).
 */
async function readBody(stream: Readable, status: number, headers: Readonly<Record<string, string>>, maxBytes: number, signal: AbortSignal | undefined): Promise<string> {
  const announced = Number(headers['content-length']);
  if (headers['content-encoding'] === undefined && Number.isFinite(announced) && announced > maxBytes) {
    stream.destroy();
    throw new BcssReplyError(status, `the reply announces ${announced} bytes (Content-Length), more than maxReplyBytes (${maxBytes}); not read`);
  }
  const onAbort = () => stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      size += bytes.length;
      if (size > maxBytes) {
        stream.destroy();
        throw new BcssReplyError(status, `the reply is larger than maxReplyBytes (${maxBytes} bytes); reading stopped at ${size} bytes`);
      }
      chunks.push(bytes);
    }
    const text = Buffer.concat(chunks, size).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function displayOf(url: string): string {
  const parsed = new URL(url);
  return maskNationalNumbers(`${parsed.protocol}//${parsed.host}${parsed.pathname}`);
}

/** What the transport knows of the client when a call fails: see {@link tlsFailureOf}. */
export interface TransportErrorContext {
  /** A client certificate is configured. */
  readonly hasClientCertificate: boolean;
  /** The BCSS has answered at least one earlier call of this client. */
  readonly everAccepted: boolean;
}

/**
 * Our own error for a call that got no answer, from the facts of the error only. A TLS set-up
 * failure (certificate refused, unknown CA, expired, host name) is `tls: true` with a sentence
 * that says what to check; a reset is one too when it can only be a refused certificate (see
 * {@link tlsFailureOf}).
 */
export function transportError(error: unknown, url: string, scrub: (text: string) => string = (text) => text, context?: TransportErrorContext): BcssTransportError {
  if (error instanceof BcssTransportError) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ') : 'unknown failure';
  const exchange = exchangeOf(error);
  const verdict = tlsFailureOf({
    code,
    message,
    overTls: url.startsWith('https:'),
    handshakeDone: exchange.handshakeDone,
    replyStarted: exchange.replyStarted,
    // Without the client's history (a caller's own transport), a reset is never read as a refusal.
    everAccepted: context?.everAccepted ?? true,
    hasClientCertificate: context?.hasClientCertificate ?? false,
  });
  const text = verdict === undefined ? message : `${verdict.explanation} [${message}]`;
  const detail = maskNationalNumbers(scrub(text).slice(0, 500));
  return new BcssTransportError({
    method: 'POST',
    url,
    ...(code === undefined ? {} : { networkCode: code }),
    detail,
    tls: verdict !== undefined,
    ...(verdict === undefined ? {} : { tlsFailure: verdict.failure }),
  });
}

/** What the failed exchange's socket says: did its TLS handshake complete, had the reply started? */
function exchangeOf(error: unknown): { handshakeDone: boolean; replyStarted: boolean } {
  const request = typeof error === 'object' && error !== null ? (error as { request?: { socket?: unknown; res?: unknown } }).request : undefined;
  const socket = request?.socket as { authorized?: unknown; encrypted?: unknown } | null | undefined;
  return {
    handshakeDone: socket?.encrypted === true && socket.authorized === true,
    replyStarted: request?.res !== undefined && request.res !== null,
  };
}

/** The most specific error code: the cause's (Node's socket or OpenSSL error) before axios' own. */
function codeOf(error: unknown): string | undefined {
  const own = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: { code?: unknown } }).cause?.code : undefined;
  if (typeof cause === 'string') return cause;
  return typeof own === 'string' ? own : undefined;
}
