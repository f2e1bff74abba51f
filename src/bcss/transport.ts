/**
 * The seam between the BCSS client and the wire: one HTTP exchange, request text in, reply text
 * out. The client uses axios over HTTP(S) by default; `createBcssClient({ transport })` swaps in
 * another one, e.g. the in-process fake BCSS of `bcss-bulk/testing`, which answers on a fake
 * clock without a socket. A transport never judges a reply: status, headers and body go back to
 * the client as they came.
 */

/** One HTTP exchange as the client makes it: always a POST of a SOAP envelope. */
export interface BcssHttpRequest {
  /** The absolute URL of the service (base URL + the call's `path`), without credentials. */
  readonly url: string;
  readonly method: 'POST';
  /** Request headers, lower-case names (`content-type`, `soapaction`, `authorization`, ...). */
  readonly headers: Readonly<Record<string, string>>;
  /** The SOAP envelope, UTF-8 text. */
  readonly body: string;
  /** Aborts the exchange; the transport then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The reply of one HTTP exchange, whatever its status. */
export interface BcssHttpResponse {
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The reply body, UTF-8 text. */
  readonly body: string;
}

/** Makes one HTTP exchange. Rejects only when there is no answer (or when aborted). */
export type BcssTransport = (request: BcssHttpRequest) => Promise<BcssHttpResponse>;
