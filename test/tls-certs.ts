/**
 * Test certificates made with the openssl command line (Node cannot create X.509 certificates):
 * a CA, a server certificate for 127.0.0.1 and a client certificate signed by the CA, as PEM,
 * an encrypted PEM key and a PFX. Written to a temp directory, removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly ca: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
  /** The client key encrypted with {@link passphrase}. */
  readonly clientKeyEncrypted: string;
  /** The client key and certificate as PKCS#12, protected by {@link passphrase}. */
  readonly clientPfx: Buffer;
  readonly passphrase: string;
  /** A second CA, unrelated to the first: a server signed by it is not trusted. */
  readonly otherCa: string;
  remove(): void;
}

export function makeCertificates(passphrase: string): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'bcss-bulk-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ca = (name: string) => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`);
  };
  const signed = (name: string, by: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${by}.crt`), '-CAkey', file(`${by}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`));
  };
  ca('test-ca');
  ca('other-ca');
  signed('server', 'test-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed('batch-client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  openssl('pkey', '-in', file('batch-client.key'), '-aes256', '-passout', `pass:${passphrase}`, '-out', file('batch-client.enc.key'));
  openssl('pkcs12', '-export', '-inkey', file('batch-client.key'), '-in', file('batch-client.crt'), '-passout', `pass:${passphrase}`, '-out', file('batch-client.p12'));
  const read = (name: string) => readFileSync(file(name), 'utf8');
  return {
    ca: read('test-ca.crt'),
    serverKey: read('server.key'),
    serverCert: read('server.crt'),
    clientKey: read('batch-client.key'),
    clientCert: read('batch-client.crt'),
    clientKeyEncrypted: read('batch-client.enc.key'),
    clientPfx: readFileSync(file('batch-client.p12')),
    passphrase,
    otherCa: read('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
