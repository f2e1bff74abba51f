import { describe, expect, it, vi } from 'vitest';
import {
  classifyError,
  classifyHttpStatus,
  composeClassifiers,
  defaultClassifier,
  httpFacts,
  TRANSIENT_NETWORK_CODES,
  type Classifier,
  type ClassifyContext,
} from '../../src/policy/classify.js';
import { reasonOf } from '../../src/util/reason.js';
import { CallTimeoutError, HttpStatusError } from '../../src/policy/errors.js';

const NOW = Date.UTC(2026, 0, 5, 20, 0, 0);
const ctx: ClassifyContext = { now: NOW, timedOut: false };

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyHttpStatus', () => {
  it('makes 401 and 403 fatal (credentials refused)', () => {
    expect(classifyHttpStatus(401)).toEqual({ class: 'fatal', code: 'HTTP_401', reason: 'HTTP 401: credentials refused' });
    expect(classifyHttpStatus(403)).toEqual({ class: 'fatal', code: 'HTTP_403', reason: 'HTTP 403: credentials refused' });
  });

  it('makes 408, 429 and 5xx transient', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) {
      expect(classifyHttpStatus(status)).toStrictEqual({ class: 'transient', code: `HTTP_${status}`, reason: `HTTP ${status}` });
    }
  });

  it('carries the Retry-After delay of a transient status', () => {
    expect(classifyHttpStatus(429, 7_000)).toEqual({ class: 'transient', code: 'HTTP_429', reason: 'HTTP 429', retryAfterMs: 7_000 });
    expect(classifyHttpStatus(503, 0)).toEqual({ class: 'transient', code: 'HTTP_503', reason: 'HTTP 503', retryAfterMs: 0 });
  });

  it('makes the other 4xx a reject', () => {
    for (const status of [400, 404, 409, 410, 422]) {
      expect(classifyHttpStatus(status)).toEqual({ class: 'reject', code: `HTTP_${status}`, reason: `HTTP ${status}` });
    }
  });

  it('makes a status below 400 a success', () => {
    expect(classifyHttpStatus(200)).toEqual({ class: 'success', code: 'HTTP_200' });
    expect(classifyHttpStatus(304)).toEqual({ class: 'success', code: 'HTTP_304' });
  });
});

describe('httpFacts', () => {
  it('reads status and Retry-After from an HttpStatusError', () => {
    expect(httpFacts(new HttpStatusError(429, { retryAfter: '7' }))).toStrictEqual({ status: 429, retryAfter: '7' });
    expect(httpFacts(new HttpStatusError(404))).toStrictEqual({ status: 404 });
    expect(httpFacts(new HttpStatusError(503, { retryAfter: null }))).toStrictEqual({ status: 503 });
  });

  it('reads an axios-shaped error with plain headers', () => {
    const error = { response: { status: 503, headers: { 'retry-after': '7' } } };
    expect(httpFacts(error)).toStrictEqual({ status: 503, retryAfter: '7' });
  });

  it('reads headers through their get(name) method', () => {
    const get = vi.fn((name: string) => (name.toLowerCase() === 'retry-after' ? '9' : null));
    const error = { response: { status: 429, headers: { get } } };
    expect(httpFacts(error)).toStrictEqual({ status: 429, retryAfter: '9' });
    expect(get).toHaveBeenCalledWith('retry-after');
  });

  it('reads a fetch Headers object', () => {
    const error = { response: { status: 503, headers: new Headers({ 'Retry-After': '11' }) } };
    expect(httpFacts(error)).toStrictEqual({ status: 503, retryAfter: '11' });
  });

  it('finds Retry-After in a plain headers object whatever the case of its name', () => {
    // HTTP field names are case-insensitive (RFC 9110 §5.1).
    const error = { response: { status: 503, headers: { 'Retry-After': '7' } } };
    expect(httpFacts(error)).toStrictEqual({ status: 503, retryAfter: '7' });
  });

  it('has no retryAfter when the response has no such header', () => {
    expect(httpFacts({ response: { status: 502, headers: {} } })).toStrictEqual({ status: 502 });
    expect(httpFacts({ response: { status: 502 } })).toStrictEqual({ status: 502 });
    expect(httpFacts({ response: { status: 502, headers: new Headers() } })).toStrictEqual({ status: 502 });
  });

  it('reads a bare status or statusCode field in the HTTP range', () => {
    expect(httpFacts({ status: 503 })).toStrictEqual({ status: 503 });
    expect(httpFacts({ statusCode: 404 })).toStrictEqual({ status: 404 });
    expect(httpFacts(Object.assign(new Error('x'), { statusCode: 500 }))).toStrictEqual({ status: 500 });
  });

  it('ignores status fields outside 100-599 and non-numeric ones', () => {
    expect(httpFacts({ status: 42 })).toBeUndefined();
    expect(httpFacts({ status: 600 })).toBeUndefined();
    expect(httpFacts({ status: '503' })).toBeUndefined();
  });

  it('returns undefined for values carrying no HTTP status', () => {
    expect(httpFacts(new Error('boom'))).toBeUndefined();
    expect(httpFacts('boom')).toBeUndefined();
    expect(httpFacts(null)).toBeUndefined();
    expect(httpFacts(undefined)).toBeUndefined();
    expect(httpFacts({ response: { status: '503' } })).toBeUndefined();
  });
});

describe('classifyError', () => {
  it('makes HttpStatusError 401/403 fatal', () => {
    expect(classifyError(new HttpStatusError(401), ctx)).toEqual({ class: 'fatal', code: 'HTTP_401', reason: 'HTTP 401: credentials refused' });
    expect(classifyError(new HttpStatusError(403), ctx)).toMatchObject({ class: 'fatal', code: 'HTTP_403' });
  });

  it('makes HttpStatusError 408/429/500/502/503/504 transient', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(classifyError(new HttpStatusError(status), ctx)).toStrictEqual({ class: 'transient', code: `HTTP_${status}`, reason: `HTTP ${status}` });
    }
  });

  it("parses the HttpStatusError's Retry-After in seconds", () => {
    expect(classifyError(new HttpStatusError(429, { retryAfter: '7' }), ctx)).toEqual({
      class: 'transient',
      code: 'HTTP_429',
      reason: 'HTTP 429',
      retryAfterMs: 7_000,
    });
  });

  it("parses the HttpStatusError's Retry-After as a date relative to context.now", () => {
    const context = { now: Date.UTC(2015, 9, 21, 7, 27, 0), timedOut: false };
    const error = new HttpStatusError(503, { retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    expect(classifyError(error, context)).toMatchObject({ class: 'transient', code: 'HTTP_503', retryAfterMs: 60_000 });
  });

  it('leaves retryAfterMs out when the Retry-After cannot be read', () => {
    const verdict = classifyError(new HttpStatusError(503, { retryAfter: 'soon' }), ctx);
    expect(verdict).toStrictEqual({ class: 'transient', code: 'HTTP_503', reason: 'HTTP 503' });
  });

  it('makes HttpStatusError 400/404/422 a reject', () => {
    for (const status of [400, 404, 422]) {
      expect(classifyError(new HttpStatusError(status), ctx)).toEqual({ class: 'reject', code: `HTTP_${status}`, reason: `HTTP ${status}` });
    }
  });

  it('never makes a thrown error a success, even one carrying a 2xx status', () => {
    const error = new HttpStatusError(200, { message: 'odd' });
    expect(classifyError(error, ctx)).toEqual({ class: 'transient', code: 'HTTP_200', reason: 'HttpStatusError: odd' });
  });

  it('reads an axios-shaped error with a retry-after header', () => {
    const error = { response: { status: 429, headers: { 'retry-after': '7' } } };
    expect(classifyError(error, ctx)).toEqual({ class: 'transient', code: 'HTTP_429', reason: 'HTTP 429', retryAfterMs: 7_000 });
  });

  it('reads an error whose headers have a get(name) method', () => {
    const headers = { get: (name: string) => (name === 'retry-after' ? '7' : null) };
    const error = Object.assign(new Error('Request failed with status code 503'), { response: { status: 503, headers } });
    expect(classifyError(error, ctx)).toEqual({ class: 'transient', code: 'HTTP_503', reason: 'HTTP 503', retryAfterMs: 7_000 });
  });

  it('prefers the HTTP status over an axios error code', () => {
    const error = Object.assign(withCode('Request failed with status code 404', 'ERR_BAD_REQUEST'), {
      response: { status: 404, headers: {} },
    });
    expect(classifyError(error, ctx)).toEqual({ class: 'reject', code: 'HTTP_404', reason: 'HTTP 404' });
    const credentials = Object.assign(withCode('Request failed with status code 401', 'ERR_BAD_REQUEST'), {
      response: { status: 401, headers: {} },
    });
    expect(classifyError(credentials, ctx)).toMatchObject({ class: 'fatal', code: 'HTTP_401' });
  });

  it('makes network errors transient by their code', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'ERR_NETWORK']) {
      expect(classifyError(withCode(`socket ${code}`, code), ctx)).toEqual({
        class: 'transient',
        code: `NET_${code}`,
        reason: `Error: socket ${code}`,
      });
    }
  });

  it('knows the usual Node, undici and axios network codes', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']) {
      expect(TRANSIENT_NETWORK_CODES.has(code)).toBe(true);
    }
  });

  it("makes Node fetch's TypeError('fetch failed') with an ECONNREFUSED cause transient, not a programmer error", () => {
    const error = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    expect(classifyError(error, ctx)).toEqual({ class: 'transient', code: 'NET_ECONNREFUSED', reason: 'TypeError: fetch failed' });
  });

  it('finds a network code a few causes deep', () => {
    const root = withCode('read ECONNRESET', 'ECONNRESET');
    const middle = new Error('socket hang up', { cause: root });
    const error = new TypeError('fetch failed', { cause: middle });
    expect(classifyError(error, ctx)).toMatchObject({ class: 'transient', code: 'NET_ECONNRESET' });
    const undici = new TypeError('fetch failed', { cause: withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT') });
    expect(classifyError(undici, ctx)).toMatchObject({ class: 'transient', code: 'NET_UND_ERR_CONNECT_TIMEOUT' });
  });

  it('ignores error codes that are not network failures', () => {
    expect(classifyError(withCode('nope', 'ENOENT'), ctx)).toEqual({ class: 'transient', code: 'UNKNOWN_ERROR', reason: 'Error: nope' });
  });

  it('makes plain TypeError, RangeError and ReferenceError fatal programmer errors', () => {
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'x')"), ctx)).toEqual({
      class: 'fatal',
      code: 'PROGRAMMER_ERROR',
      reason: "TypeError: Cannot read properties of undefined (reading 'x')",
    });
    expect(classifyError(new RangeError('Invalid array length'), ctx)).toEqual({
      class: 'fatal',
      code: 'PROGRAMMER_ERROR',
      reason: 'RangeError: Invalid array length',
    });
    expect(classifyError(new ReferenceError('foo is not defined'), ctx)).toEqual({
      class: 'fatal',
      code: 'PROGRAMMER_ERROR',
      reason: 'ReferenceError: foo is not defined',
    });
  });

  it('keeps a TypeError whose cause is not a network failure fatal', () => {
    const error = new TypeError('bad', { cause: { code: 'ENOENT' } });
    expect(classifyError(error, ctx)).toMatchObject({ class: 'fatal', code: 'PROGRAMMER_ERROR' });
  });

  it('makes a CallTimeoutError a transient CALL_TIMEOUT', () => {
    expect(classifyError(new CallTimeoutError(10_000), ctx)).toEqual({
      class: 'transient',
      code: 'CALL_TIMEOUT',
      reason: 'CallTimeoutError: The call did not finish within 10000 ms and was aborted',
    });
  });

  it('makes any error a transient CALL_TIMEOUT when the engine timed the call out', () => {
    const timedOut = { now: NOW, timedOut: true };
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyError(abort, timedOut)).toEqual({ class: 'transient', code: 'CALL_TIMEOUT', reason: 'AbortError: This operation was aborted' });
    // even what would otherwise be fatal
    expect(classifyError(new TypeError('x'), timedOut)).toMatchObject({ class: 'transient', code: 'CALL_TIMEOUT' });
    expect(classifyError(new HttpStatusError(401), timedOut)).toMatchObject({ class: 'transient', code: 'CALL_TIMEOUT' });
  });

  it('makes an AbortError transient', () => {
    const domAbort = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyError(domAbort, ctx)).toEqual({ class: 'transient', code: 'ABORTED', reason: 'AbortError: This operation was aborted' });
    const named = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(classifyError(named, ctx)).toEqual({ class: 'transient', code: 'ABORTED', reason: 'AbortError: aborted' });
  });

  it('makes an unknown Error a transient UNKNOWN_ERROR', () => {
    expect(classifyError(new Error('boom'), ctx)).toEqual({ class: 'transient', code: 'UNKNOWN_ERROR', reason: 'Error: boom' });
  });

  it('makes a thrown non-Error value a transient UNKNOWN_ERROR', () => {
    expect(classifyError('boom', ctx)).toEqual({ class: 'transient', code: 'UNKNOWN_ERROR', reason: 'thrown value: boom' });
    expect(classifyError(undefined, ctx)).toEqual({ class: 'transient', code: 'UNKNOWN_ERROR', reason: 'thrown value: undefined' });
  });

  it('masks national numbers in the reason', () => {
    const verdict = classifyError(new Error('lookup of 85073003328 failed'), ctx);
    expect(verdict).toEqual({ class: 'transient', code: 'UNKNOWN_ERROR', reason: 'Error: lookup of 85.07.30-***.** failed' });
  });
});

describe('defaultClassifier', () => {
  it('makes a returned value a success', () => {
    expect(defaultClassifier({ ok: true, value: { status: 'DATA_FOUND' } }, ctx)).toEqual({ class: 'success' });
    expect(defaultClassifier({ ok: true, value: undefined }, ctx)).toEqual({ class: 'success' });
  });

  it('classifies a thrown error like classifyError', () => {
    expect(defaultClassifier({ ok: false, error: new HttpStatusError(404) }, ctx)).toEqual({ class: 'reject', code: 'HTTP_404', reason: 'HTTP 404' });
    expect(defaultClassifier({ ok: false, error: new HttpStatusError(403) }, ctx)).toMatchObject({ class: 'fatal', code: 'HTTP_403' });
    expect(defaultClassifier({ ok: false, error: new RangeError('r') }, ctx)).toMatchObject({ class: 'fatal', code: 'PROGRAMMER_ERROR' });
    expect(defaultClassifier({ ok: false, error: new CallTimeoutError(5) }, ctx)).toMatchObject({ class: 'transient', code: 'CALL_TIMEOUT' });
  });
});

describe('reasonOf', () => {
  it('names the error and its message', () => {
    expect(reasonOf(new RangeError('out of range'))).toBe('RangeError: out of range');
    expect(reasonOf(new HttpStatusError(503))).toBe('HttpStatusError: HTTP status 503');
  });

  it('describes a thrown non-Error value', () => {
    expect(reasonOf(42)).toBe('thrown value: 42');
    expect(reasonOf(null)).toBe('thrown value: null');
  });

  it('masks national numbers, with or without separators', () => {
    expect(reasonOf(new Error('SSIN 85073003328 not integrated'))).toBe('Error: SSIN 85.07.30-***.** not integrated');
    expect(reasonOf(new Error('SSIN 85.07.30-033.28 replaced by 17073003384'))).toBe(
      'Error: SSIN 85.07.30-***.** replaced by 17.07.30-***.**',
    );
    expect(reasonOf('85073003328')).toBe('thrown value: 85.07.30-***.**');
  });

  it('puts the reason on one line', () => {
    expect(reasonOf(new Error('first line\n   second\tline\r\n'))).toBe('Error: first line second line');
  });

  it('masks a national number split over lines', () => {
    expect(reasonOf(new Error('ssin 85 07 30\n033 28'))).toBe('Error: ssin 85.07.30-***.**');
  });

  it('truncates long messages to 500 characters ending with an ellipsis', () => {
    const reason = reasonOf(new Error('a'.repeat(600)));
    expect(reason).toHaveLength(500);
    expect(reason).toBe(`Error: ${'a'.repeat(492)}…`);
  });

  it('keeps a message of exactly 500 characters whole', () => {
    const text = 'b'.repeat(493); // "Error: " is 7 characters
    expect(reasonOf(new Error(text))).toBe(`Error: ${text}`);
    expect(reasonOf(new Error(`${text}c`))).toBe(`Error: ${'b'.repeat(492)}…`);
  });

  it('masks before truncating, so no whole national number survives', () => {
    const reason = reasonOf(new Error(`${'x'.repeat(480)} 85073003328 and more`));
    expect(reason).not.toMatch(/\d{11}/);
    expect(reason).toContain('85.07.30-');
    expect(reason).toHaveLength(500);
  });
});

describe('composeClassifiers', () => {
  const reject: Classifier = () => ({ class: 'reject', code: 'MSG00005', reason: 'SSIN does not exist' });
  const pass: Classifier = () => undefined;

  it('uses the first classifier that gives a verdict', () => {
    const third = vi.fn<Classifier>(() => ({ class: 'fatal', code: 'X', reason: 'x' }));
    const classify = composeClassifiers(pass, reject, third);
    expect(classify({ ok: true, value: 1 }, ctx)).toEqual({ class: 'reject', code: 'MSG00005', reason: 'SSIN does not exist' });
    expect(third).not.toHaveBeenCalled();
  });

  it('passes the attempt and the context to each classifier', () => {
    const spy = vi.fn<Classifier>(() => undefined);
    const result = { ok: false as const, error: new Error('e') };
    composeClassifiers(spy)(result, ctx);
    expect(spy).toHaveBeenCalledWith(result, ctx);
  });

  it('falls back to the default classifier when none decides', () => {
    const classify = composeClassifiers(pass, undefined, pass);
    expect(classify({ ok: true, value: 'x' }, ctx)).toEqual({ class: 'success' });
    expect(classify({ ok: false, error: new HttpStatusError(404) }, ctx)).toEqual({ class: 'reject', code: 'HTTP_404', reason: 'HTTP 404' });
    expect(classify({ ok: false, error: new TypeError('t') }, ctx)).toMatchObject({ class: 'fatal', code: 'PROGRAMMER_ERROR' });
  });

  it('is the default classifier when given nothing', () => {
    const classify = composeClassifiers();
    expect(classify({ ok: true, value: 1 }, ctx)).toEqual({ class: 'success' });
    expect(classify({ ok: false, error: new HttpStatusError(503, { retryAfter: '2' }) }, ctx)).toEqual({
      class: 'transient',
      code: 'HTTP_503',
      reason: 'HTTP 503',
      retryAfterMs: 2_000,
    });
  });

  it('lets a custom classifier turn a returned business status into a reject and leave the rest to the default', () => {
    const business: Classifier<{ status: string }> = (result) =>
      result.ok && result.value.status === 'NO_RESULT' ? { class: 'reject', code: 'MSG00005', reason: 'no result' } : undefined;
    const classify = composeClassifiers(business);
    expect(classify({ ok: true, value: { status: 'NO_RESULT' } }, ctx)).toMatchObject({ class: 'reject', code: 'MSG00005' });
    expect(classify({ ok: true, value: { status: 'DATA_FOUND' } }, ctx)).toEqual({ class: 'success' });
    expect(classify({ ok: false, error: withCode('reset', 'ECONNRESET') }, ctx)).toMatchObject({ class: 'transient', code: 'NET_ECONNRESET' });
  });

  it('lets an earlier classifier override the default for an error', () => {
    const softNotFound: Classifier = (result) =>
      !result.ok && result.error instanceof HttpStatusError && result.error.status === 404
        ? { class: 'success', code: 'NOT_FOUND_OK' }
        : undefined;
    const classify = composeClassifiers(softNotFound);
    expect(classify({ ok: false, error: new HttpStatusError(404) }, ctx)).toEqual({ class: 'success', code: 'NOT_FOUND_OK' });
    expect(classify({ ok: false, error: new HttpStatusError(400) }, ctx)).toMatchObject({ class: 'reject', code: 'HTTP_400' });
  });
});

describe('reasons of HTTP errors', () => {
  const ctx = { now: Date.UTC(2026, 10, 23, 20, 0, 0), timedOut: false };

  it("adds the error's own message when it says more than the status, masked", () => {
    const error = new HttpStatusError(404, { message: 'no person with number 85073003328' });
    expect(classifyError(error, ctx)).toEqual({ class: 'reject', code: 'HTTP_404', reason: 'HTTP 404: no person with number 85.07.30-***.**' });
  });

  it("leaves out a message that only repeats the status (axios' default message)", () => {
    const error = Object.assign(new Error('Request failed with status code 503'), { response: { status: 503, headers: {} } });
    expect(classifyError(error, ctx)).toEqual({ class: 'transient', code: 'HTTP_503', reason: 'HTTP 503' });
  });
});
