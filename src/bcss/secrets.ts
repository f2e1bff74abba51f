/**
 * The client's secrets kept out of every text built from what a server sent. A server (or a
 * proxy, or a gateway in front of the BCSS) may echo the request's Authorization header or a
 * password in a fault string, an error page or a status description; that text then becomes an
 * error message, a run event, a ledger reason, a CSV line. The client builds one scrubber from
 * its configuration and passes every error it throws, and the status of every reply, through it.
 *
 * Pure functions.
 */
import { maskNationalNumbers } from '../util/privacy.js';

/** What replaces a secret. */
export const SECRET_MASK = '***';

/** Values shorter than this are not scrubbed (they would blank out ordinary words and numbers). */
export const MIN_SECRET_LENGTH = 3;

/** The credentials of a client's configuration. */
export interface ClientSecrets {
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /** The passphrase of the TLS key or PFX. */
  readonly passphrase?: string | undefined;
  /** The proxy URL, with its credentials (`http://user:password@host:port`). */
  readonly proxy?: string | undefined;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function xmlEscaped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The forms in which one value can appear in a server's text: as is, URL-encoded, XML- or JSON-escaped, national numbers masked. */
function formsOf(value: string): string[] {
  return [value, encodeURIComponent(value), xmlEscaped(value), JSON.stringify(value).slice(1, -1), maskNationalNumbers(value)];
}

/** A value's base64, with and without its padding. */
function base64Forms(text: string): string[] {
  const encoded = base64(text);
  return [encoded, encoded.replace(/=+$/, '')];
}

/** The forms of an HTTP Basic credential pair: the whole header value, the base64 of `user:password`, the pair and the password. */
function basicForms(username: string, password: string): string[] {
  const pair = `${username}:${password}`;
  return [`Basic ${base64(pair)}`, ...base64Forms(pair), ...formsOf(pair), ...formsOf(password), ...base64Forms(password)];
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every text to take out, longest first (so that `user:password` goes as a whole before `password`). */
export function secretForms(secrets: ClientSecrets): string[] {
  const forms: string[] = [];
  if (secrets.basicAuth !== undefined) forms.push(...basicForms(secrets.basicAuth.username, secrets.basicAuth.password));
  if (secrets.passphrase !== undefined) forms.push(...formsOf(secrets.passphrase), ...base64Forms(secrets.passphrase));
  if (secrets.proxy !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(secrets.proxy);
    } catch {
      url = undefined;
    }
    if (url !== undefined && (url.username !== '' || url.password !== '')) {
      // The proxy agent sends `Proxy-Authorization: Basic base64(user:password)`, decoded.
      forms.push(url.href, url.password, ...basicForms(decoded(url.username), decoded(url.password)));
    }
  }
  return [...new Set(forms)].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** The scrubber of a client without secrets: returns its text as is (callers may skip work for it). */
export const keepText = (text: string): string => text;

/** A function that replaces every form of every configured secret in a text by {@link SECRET_MASK}; {@link keepText} when there is none. */
export function secretScrubber(secrets: ClientSecrets): (text: string) => string {
  const forms = secretForms(secrets);
  if (forms.length === 0) return keepText;
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(SECRET_MASK);
    return out;
  };
}

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A copy of a value with every string in it (plain objects and arrays, any depth) scrubbed. */
export function scrubValue<V>(value: V, scrub: (text: string) => string, depth = 0): V {
  if (typeof value === 'string') return scrub(value) as V;
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubValue(item, scrub, depth + 1)) as V;
  if (isPlain(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = scrubValue(item, scrub, depth + 1);
    return copy as V;
  }
  return value;
}

/**
 * Scrubs an error the client made, in place: its message, stack and every field built from the
 * server's text (strings, plain objects and arrays of them: fault details, the SystemError...).
 */
export function scrubErrorInPlace<E extends Error>(error: E, scrub: (text: string) => string): E {
  for (const name of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (descriptor === undefined) continue;
    if ('value' in descriptor) {
      const value: unknown = descriptor.value;
      const scrubbed = scrubValue(value, scrub);
      if (scrubbed !== value && descriptor.configurable === true) Object.defineProperty(error, name, { ...descriptor, value: scrubbed });
    }
  }
  // The stack repeats the message; it may be an accessor (formatted lazily).
  if (typeof error.stack === 'string') {
    const stack = scrub(error.stack);
    if (stack !== error.stack) {
      try {
        error.stack = stack;
      } catch {
        // a read-only stack: nothing more to do
      }
    }
  }
  return error;
}
