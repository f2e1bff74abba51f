/**
 * What a failed HTTPS exchange means for the TLS set-up, from the facts Node reports: the
 * error code (Node's, or OpenSSL's for a TLS alert), whether the handshake completed on the
 * socket, whether the reply had started, and whether the BCSS ever answered this client.
 *
 * How Node reports a refused client certificate (measured on Node 20, loopback):
 *
 * | server | TLS 1.2 | TLS 1.3 |
 * |---|---|---|
 * | requires a certificate, none sent (alert) | `EPROTO` "alert handshake failure" | `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED` |
 * | does not know the certificate, sends an alert | `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE`, ... | the same, often after the client's handshake "completed" |
 * | does not know the certificate, closes without an alert (Node's own servers) | `ECONNRESET` before the handshake completes | `ECONNRESET` "socket hang up" AFTER the handshake completed, before any reply byte |
 *
 * The last row looks like a reset. It is read as a refusal when nothing shows the BCSS ever
 * accepted this client: no reply byte on the exchange and no answer to any earlier call of the
 * client. Once the BCSS has answered the client, a reset is a network event (transient).
 *
 * Pure functions.
 */

/** What went wrong with TLS. */
export type BcssTlsFailure =
  /** The BCSS refused the client certificate (alert, or a close before any reply on a client it never accepted). */
  | 'client-certificate-refused'
  /** The BCSS's server certificate is not signed by a CA the client trusts. */
  | 'server-certificate-untrusted'
  /** The BCSS's server certificate has expired or is not yet valid. */
  | 'server-certificate-expired'
  /** The BCSS's server certificate is for another host name. */
  | 'hostname-mismatch'
  /** Another TLS handshake failure (protocol, cipher, ...). */
  | 'handshake-failed';

/** The facts of one failed exchange. */
export interface TlsFailureFacts {
  /** Node's or OpenSSL's error code. */
  readonly code: string | undefined;
  /** Node's message (OpenSSL's reason for an alert). */
  readonly message: string;
  /** The exchange went over TLS (an https URL). */
  readonly overTls: boolean;
  /** The TLS handshake completed on the socket ('secureConnect'). */
  readonly handshakeDone: boolean;
  /** The reply had started (status line received) when the exchange failed. */
  readonly replyStarted: boolean;
  /** The BCSS has answered at least one earlier exchange of this client. */
  readonly everAccepted: boolean;
  /** A client certificate is configured (`tls.pfx` or `tls.key`/`cert`). */
  readonly hasClientCertificate: boolean;
}

/** The verdict: what failed, and a sentence for the operator. */
export interface TlsVerdict {
  readonly failure: BcssTlsFailure;
  readonly explanation: string;
}

/** OpenSSL alert codes by which a server refuses the client certificate. */
const REFUSED_ALERT = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|(SSLV3|TLSV1)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)|PEER_DID_NOT_RETURN_A_CERTIFICATE)$/;
/** Node's codes for a server certificate the client does not trust. */
const UNTRUSTED = /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE|CERT_REJECTED|INVALID_CA|CERT_REVOKED|UNABLE_TO_DECRYPT_CERT_SIGNATURE|UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)$/;
const EXPIRED = /^(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERROR_IN_CERT_NOT_BEFORE_FIELD|ERROR_IN_CERT_NOT_AFTER_FIELD)$/;
const HOSTNAME = /^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/;
/** Other codes that say the TLS set-up is wrong: retrying will not help. */
const OTHER_TLS = /^(ERR_SSL_|ERR_TLS_|ERR_OSSL_|CERT_|UNABLE_TO_|EPROTO$)/;
/** A connection that closed under the exchange. */
const RESET = /^(ECONNRESET|EPIPE|ECONNABORTED)$/;

/** What to check when the BCSS refused the client certificate. */
function refusedHint(hasClientCertificate: boolean): string {
  return hasClientCertificate
    ? 'check tls.pfx (or tls.key/tls.cert) and that the BCSS knows this certificate (registered for this environment, not expired or revoked)'
    : 'no client certificate is configured: set tls.pfx (or tls.key/tls.cert)';
}

/**
 * The TLS meaning of a failed exchange, or `undefined` when it is not a TLS set-up failure (a
 * reset after the BCSS accepted the client, a refused connection, DNS, a timeout...).
 */
export function tlsFailureOf(facts: TlsFailureFacts): TlsVerdict | undefined {
  const code = facts.code ?? '';
  if (REFUSED_ALERT.test(code) || (code === 'EPROTO' && /alert (handshake failure|bad certificate|certificate required|unknown ca)/i.test(facts.message))) {
    const alert = /alert ([a-z ]+)/i.exec(facts.message)?.[1]?.trim() ?? code.replace(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/, '').replace(/_/g, ' ').toLowerCase();
    const what = alert === 'handshake failure' ? 'the BCSS refused the TLS handshake, most often because it requires a client certificate it did not get or does not accept' : 'the BCSS refused the client certificate';
    return { failure: 'client-certificate-refused', explanation: `${what} (TLS alert: ${alert}): ${refusedHint(facts.hasClientCertificate)}` };
  }
  if (UNTRUSTED.test(code)) {
    return {
      failure: 'server-certificate-untrusted',
      explanation: "the BCSS's server certificate is not signed by a trusted CA (unknown CA): check tls.ca (the CA chain of the BCSS for this environment) and the endpoint URL",
    };
  }
  if (EXPIRED.test(code)) {
    return {
      failure: 'server-certificate-expired',
      explanation: "the BCSS's server certificate has expired or is not yet valid: check the endpoint URL and this machine's clock",
    };
  }
  if (HOSTNAME.test(code)) {
    return { failure: 'hostname-mismatch', explanation: "the BCSS's server certificate is for another host name: check the endpoint URL" };
  }
  if (OTHER_TLS.test(code)) {
    return { failure: 'handshake-failed', explanation: 'the TLS handshake with the BCSS failed: check the tls settings and the endpoint URL' };
  }
  if (facts.overTls && RESET.test(code) && !facts.replyStarted && !facts.everAccepted) {
    const when = facts.handshakeDone ? 'right after the TLS handshake, before any reply' : 'during the TLS handshake';
    return {
      failure: 'client-certificate-refused',
      explanation: `the BCSS refused the client certificate (it closed the connection ${when}, and has never answered this client; TLS alert: certificate required / unknown CA, or none): ${refusedHint(facts.hasClientCertificate)}`,
    };
  }
  return undefined;
}
