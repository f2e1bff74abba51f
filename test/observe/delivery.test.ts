import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/index.js';
import { deliver, scrubText, scrubUrl } from '../../src/observe/delivery.js';
import { FakeClock } from '../../src/testing.js';
import { startHookServer, type HookServer } from '../support/hook-server.js';

const servers: HookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(mode: number | 'hang' = 204): Promise<HookServer> {
  const started = await startHookServer(mode);
  servers.push(started);
  return started;
}

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

/** Everything an error shows: message, own properties, JSON. */
const shown = (error: Error) => `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;

describe('scrubUrl and scrubText', () => {
  it('keep scheme, host, port and path; drop user, password, query string and fragment', () => {
    expect(scrubUrl('https://ops:s3cret@hooks.example.org:8443/notify/run?token=abc#x')).toBe('https://hooks.example.org:8443/notify/run');
    expect(scrubUrl('not a url')).toBe('(invalid URL)');
    expect(scrubText('POST to https://ops:s3cret@h.example/x?token=abc failed for 85073003328')).toBe('POST to https://h.example/x failed for 85.07.30-***.**');
  });
});

describe('deliver to an HTTP endpoint (real HTTP on loopback)', () => {
  it('sends the payload as a JSON body with the configured method and headers', async () => {
    const hooks = await server(204);
    const clock = new FakeClock();
    await deliver({ url: `${hooks.origin}/beat`, headers: { Authorization: 'Bearer t0ken' } }, { type: 'heartbeat', seq: 1 }, { clock, timeoutMs: 5000 });
    await deliver({ url: `${hooks.origin}/beat`, method: 'PUT' }, { seq: 2 }, { clock, timeoutMs: 5000 });
    expect(hooks.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/beat', { type: 'heartbeat', seq: 1 }],
      ['PUT', '/beat', { seq: 2 }],
    ]);
    expect(hooks.requests[0]!.headers['authorization']).toBe('Bearer t0ken');
    expect(hooks.requests[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(clock.pendingTimers()).toBe(0); // the timeout timer is cleared once the endpoint answered
  });

  it('a 500 answer is a DeliveryError with the status and a scrubbed URL; no header, password, query or body in it', async () => {
    const hooks = await server(500);
    const clock = new FakeClock();
    const url = `${hooks.origin.replace('http://', 'http://ops:s3cret@')}/beat?token=abc`;
    const error = await rejection(deliver({ url, headers: { Authorization: 'Bearer t0ken' } }, { seq: 1 }, { clock, timeoutMs: 5000 }));
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', errorCode: 'HTTP_500', status: 500, target: `POST ${hooks.origin}/beat` });
    expect(error.message).toBe(`POST ${hooks.origin}/beat answered HTTP 500`);
    expect(error.cause).toBeUndefined();
    for (const secret of ['s3cret', 'token=abc', 't0ken', 'Authorization', 'error page']) expect(shown(error)).not.toContain(secret);
    expect(hooks.requests).toHaveLength(1); // one attempt, no retry
  });

  it('an endpoint that never answers is aborted at the timeout of the clock: TIMEOUT, and the request is closed', async () => {
    const hooks = await server('hang');
    const clock = new FakeClock();
    const delivery = deliver({ url: `${hooks.origin}/beat`, timeoutMs: 2000 }, { seq: 1 }, { clock, timeoutMs: 5000 });
    let settled = false;
    void delivery.catch(() => undefined).finally(() => (settled = true));
    await hooks.received(1);
    await clock.advance(1999);
    expect(settled).toBe(false);
    await clock.advance(1); // the target's own timeoutMs wins over the default
    const error = await rejection(delivery);
    expect(error).toMatchObject({ errorCode: 'TIMEOUT', status: undefined });
    expect(error.message).toBe(`POST ${hooks.origin}/beat did not answer within 2000 ms`);
    await hooks.requests[0]!.aborted; // the hanging request does not stay open
  });

  it('a refused connection is a DeliveryError with the network code', async () => {
    const hooks = await server(204);
    const origin = hooks.origin;
    await hooks.close();
    servers.length = 0;
    const error = await rejection(deliver({ url: `${origin}/beat` }, { seq: 1 }, { clock: new FakeClock(), timeoutMs: 5000 }));
    expect(error.errorCode).toBe('ECONNREFUSED');
    expect(error.message).toBe(`POST ${origin}/beat failed: ECONNREFUSED`);
  });
});

describe('deliver to a callback', () => {
  it('passes the payload and a signal; a throw becomes a scrubbed CALLBACK_FAILED DeliveryError without cause', async () => {
    const clock = new FakeClock();
    const seen: unknown[] = [];
    await deliver((payload, { signal }) => void seen.push([payload, signal.aborted]), { seq: 1 }, { clock, timeoutMs: 5000 });
    expect(seen).toEqual([[{ seq: 1 }, false]]);
    const error = await rejection(
      deliver(
        () => {
          throw new Error('could not post to https://ops:s3cret@h.example/x?token=abc about 85073003328');
        },
        { seq: 2 },
        { clock, timeoutMs: 5000 },
      ),
    );
    expect(error).toMatchObject({ errorCode: 'CALLBACK_FAILED', target: 'callback' });
    expect(error.message).toBe('callback failed: Error: could not post to https://h.example/x about 85.07.30-***.**');
    expect(error.cause).toBeUndefined();
  });

  it('a callback that hangs is settled as TIMEOUT at the timeout, and its signal is aborted', async () => {
    const clock = new FakeClock();
    let signal: AbortSignal | undefined;
    const delivery = deliver((_payload, context) => ((signal = context.signal), new Promise<void>(() => undefined)), {}, { clock, timeoutMs: 5000 });
    delivery.catch(() => undefined); // observed below, after the clock moved
    await clock.advance(4999);
    expect(signal!.aborted).toBe(false);
    await clock.advance(1);
    expect((await rejection(delivery)).errorCode).toBe('TIMEOUT');
    expect(signal!.aborted).toBe(true);
  });

  it('an outer signal aborts the delivery', async () => {
    const clock = new FakeClock();
    const outer = new AbortController();
    const delivery = deliver(() => new Promise<void>(() => undefined), {}, { clock, timeoutMs: 5000, signal: outer.signal });
    outer.abort();
    expect((await rejection(delivery)).errorCode).toBe('TIMEOUT');
    expect(clock.pendingTimers()).toBe(0);
  });
});
