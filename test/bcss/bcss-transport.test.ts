/**
 * The `transport` option: one HTTP exchange handed to the caller's function, its answer read by
 * the same code as the client's own HTTP path.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bcssClassifier } from '../../src/bcss/classify.js';
import { BCSS_TRANSPORT_BASE_URL, createBcssClient } from '../../src/bcss/client.js';
import { RETRIEVE_TI_GROUPS_V2_NS } from '../../src/bcss/contract.js';
import { BcssReplyError, BcssTransportError } from '../../src/bcss/errors.js';
import type { BcssHttpRequest, BcssTransport } from '../../src/bcss/transport.js';
import { ConfigError } from '../../src/util/errors.js';
import { HttpStatusError } from '../../src/policy/errors.js';
import { readReply } from '../support/reply-fixtures.js';

const PASSWORD = 'basic-SECRET-password';
const request = { path: 'RetrieveTIGroupsService/v2/retrieveTI', request: { name: 'retrieveTIGroupsRequest', namespace: RETRIEVE_TI_GROUPS_V2_NS, body: { searchInformation: { ssin: '85073003328' } } }, legalContext: 'PCSA:SOCIAL_INQUIRY' };

function clientWith(transport: BcssTransport, extra: object = {}) {
  return createBcssClient({ transport, customer: { cbeNumber: '0212344876' }, basicAuth: { username: 'batch', password: PASSWORD }, ...extra });
}

describe('transport option', () => {
  it('needs no url: the base URL is http://bcss.invalid/; the request carries the headers the client makes', async () => {
    const seen: BcssHttpRequest[] = [];
    const c = clientWith(async (r) => {
      seen.push(r);
      return { status: 200, headers: {}, body: readReply('soa-data-found.xml') };
    });
    expect(BCSS_TRANSPORT_BASE_URL).toBe('http://bcss.invalid/');
    expect(c.baseUrl).toBe('http://bcss.invalid/');
    const reply = await c.soa(request);
    expect(reply.status?.code).toBe('MSG00000');
    expect(seen[0]).toMatchObject({
      url: 'http://bcss.invalid/RetrieveTIGroupsService/v2/retrieveTI',
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://kszbcss.fgov.be/RetrieveTIGroupsService/retrieveTI"', authorization: `Basic ${Buffer.from(`batch:${PASSWORD}`).toString('base64')}` },
    });
    expect(seen[0]!.body).toContain('<searchInformation><ssin>85073003328</ssin></searchInformation>');
  });

  it('an explicit url still decides the base; tls and proxy are not loaded with a transport', async () => {
    const seen: string[] = [];
    const c = clientWith(
      async (r) => {
        seen.push(r.url);
        return { status: 200, headers: {}, body: readReply('soa-data-found.xml') };
      },
      { url: 'https://bcss.example/base/', tls: { ca: 'not a certificate' }, proxy: 'http://proxy.example:3128' },
    );
    await c.soa(request);
    expect(seen).toEqual(['https://bcss.example/base/RetrieveTIGroupsService/v2/retrieveTI']);
  });

  it('without a transport, url or environment is still required', () => {
    expect(() => createBcssClient({ customer: { cbeNumber: '0212344876' } })).toThrow(ConfigError);
    expect(() => createBcssClient({ customer: { cbeNumber: '0212344876' }, transport: 'nope' as never })).toThrow(/transport/);
  });

  it('statuses, faults and bodies are read as on the HTTP path', async () => {
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => clientWith(async () => ({ status, headers, body }));
    await expect(answer(503, 'busy', { 'retry-after': '7' }).soa(request)).rejects.toMatchObject({ constructor: HttpStatusError, status: 503, retryAfter: '7' });
    await expect(answer(500, readReply('fault-soa-SOA-01002.xml')).soa(request)).rejects.toMatchObject({ reasonCode: 'SOA-01002', httpStatus: 500 });
    await expect(answer(200, '<html>').soa(request)).rejects.toBeInstanceOf(BcssReplyError);
  });

  it('a transport that rejects is a BcssTransportError with its code, classified like a network error; no credential in it', async () => {
    const c = clientWith(async () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    const error = await c.soa(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BcssTransportError);
    expect(error).toMatchObject({ networkCode: 'ECONNRESET', url: 'http://bcss.invalid/RetrieveTIGroupsService/v2/retrieveTI' });
    expect(bcssClassifier()({ ok: false, error }, { now: 0, timedOut: false })).toBeUndefined(); // left to the default (transient network error)
    expect(inspect(error, { depth: 10, showHidden: true }) + JSON.stringify(error)).not.toContain(Buffer.from(`batch:${PASSWORD}`).toString('base64'));
  });

  it('an abort rejects with the signal reason, whatever the transport throws', async () => {
    const controller = new AbortController();
    const reason = new Error('engine timeout');
    const c = clientWith(
      (r) =>
        new Promise((_, reject) => {
          r.signal?.addEventListener('abort', () => reject(new Error('transport saw the abort')));
        }),
    );
    const call = c.soa(request, { signal: controller.signal });
    controller.abort(reason); // before the exchange started: the transport is not called
    await expect(call).rejects.toBe(reason);

    const later = new AbortController();
    let started!: () => void;
    const inExchange = new Promise<void>((resolve) => (started = resolve));
    let calls = 0;
    const d = clientWith((r) => {
      calls += 1;
      started();
      return new Promise((_, reject) => r.signal?.addEventListener('abort', () => reject(new Error('transport saw the abort'))));
    });
    const pending = d.soa(request, { signal: later.signal });
    await inExchange;
    later.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  describe("the call's deadline (timeoutMs) applies to an injected transport", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('a transport that never answers and ignores its signal: the call fails at timeoutMs with ETIMEDOUT, the signal it got aborted', async () => {
      vi.useFakeTimers();
      let given: AbortSignal | undefined;
      const c = clientWith((r) => {
        given = r.signal;
        return new Promise(() => undefined); // never settles, never looks at the signal
      });
      let settled: unknown;
      const call = c.soa(request).then(
        () => (settled = 'reply'),
        (error: unknown) => (settled = error),
      );
      await vi.advanceTimersByTimeAsync(29_999);
      expect(settled).toBeUndefined();
      expect(given?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await call;
      expect(settled).toBeInstanceOf(BcssTransportError);
      expect(settled).toMatchObject({ networkCode: 'ETIMEDOUT', url: 'http://bcss.invalid/RetrieveTIGroupsService/v2/retrieveTI', tls: false });
      expect((settled as Error).message).toContain("no complete reply within the call's deadline of 30000 ms (timeoutMs)");
      expect(given?.aborted).toBe(true);
      expect(given?.reason).toBe(settled);
    });

    it('a timeoutMs of the client; a transport that answers in time leaves no timer behind', async () => {
      vi.useFakeTimers();
      const slow = clientWith(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200, headers: {}, body: readReply('soa-data-found.xml') }), 300)), { timeoutMs: 250 });
      const late = slow.soa(request).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(250);
      expect(await late).toMatchObject({ networkCode: 'ETIMEDOUT' });
      const fast = clientWith(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200, headers: {}, body: readReply('soa-data-found.xml') }), 200)), { timeoutMs: 250 });
      const inTime = fast.soa(request);
      await vi.advanceTimersByTimeAsync(200);
      expect((await inTime).status?.code).toBe('MSG00000');
      await vi.advanceTimersByTimeAsync(300); // the slow transport's own timer
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('whatever the transport answers, a failure to read it is a BcssReplyError with its cause, never a plain error', async () => {
    const answer = (response: unknown) => clientWith(async () => response as never);
    for (const response of [{ status: 200, headers: {}, body: undefined }, { status: 200, headers: {}, body: 42 }, null]) {
      const error = await answer(response).soa(request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BcssReplyError);
      expect(bcssClassifier()({ ok: false, error }, { now: 0, timedOut: false })).toMatchObject({ class: 'transient', code: 'BCSS_REPLY_INVALID' });
    }
    const big = await answer({ status: 200, headers: {}, body: readReply('soa-data-found.xml') + ' '.repeat(1_048_576) }).soa(request).catch((e: unknown) => e);
    expect(big).toMatchObject({ code: 'BCSS_REPLY_INVALID', message: expect.stringContaining('larger than 1048576 bytes (maxReplyBytes)') });
  });
});
