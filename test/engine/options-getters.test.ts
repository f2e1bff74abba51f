/**
 * Options are the caller's code too: a getter that throws (or a proxy whose traps throw) gives
 * the library's typed ConfigError naming the option's path, the thrown error as its cause, in
 * every public factory that takes options: createRun, createBcssClient, FileStore.open,
 * startHeartbeat, createNotifier (and its attach).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackChannel, ConfigError, createBcssClient, createNotifier, createRun, FileStore, startHeartbeat, type RunOptions } from 'bcss-bulk';
import { FakeClock } from 'bcss-bulk/testing';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

const boom = (): never => {
  throw new Error('getter exploded for 85073003328');
};

/** What `action` threw (or rejected with). */
async function caught(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectNamed(error: unknown, where: readonly PropertyKey[]): void {
  expect(error).toBeInstanceOf(ConfigError);
  const config = error as ConfigError;
  expect(config.code).toBe('CONFIG_INVALID');
  expect(config.issues).toEqual([{ path: where, message: expect.stringMatching(/^reading this option threw: Error: getter exploded for 85\.07\.30-\*\*\*\.\*\*$/) }]);
  expect(config.message).toContain(where.map(String).join('.'));
  expect(config.message).not.toContain('85073003328');
  expect((config.cause as Error).message).toBe('getter exploded for 85073003328');
}

function runOptions(): RunOptions<number, number> {
  return {
    input: [1, 2, 3],
    source: 'rn',
    sources: { rn: { kind: 'rn' } },
    call: async (item) => item,
    clock: new FakeClock(),
    calendar: { enforce: false, override: { reason: 'unit test of the options, no service called' } },
    announcement: TEST_ANNOUNCEMENT,
  };
}

describe('createRun', () => {
  it('a top-level getter that throws', async () => {
    const options = Object.defineProperty(runOptions(), 'retry', { get: boom, enumerable: true });
    expectNamed(await caught(() => createRun(options)), ['retry']);
  });

  it('a nested getter that throws (sources.rn.cap)', async () => {
    const options = { ...runOptions(), sources: { rn: { kind: 'rn' as const, get cap(): number { return boom(); } } } };
    expectNamed(await caught(() => createRun(options)), ['sources', 'rn', 'cap']);
  });

  it('a getter on a field that is not an option: the strict check names it without reading it', async () => {
    const options = Object.defineProperty(runOptions(), 'caps', { get: boom, enumerable: true });
    const error = await caught(() => createRun(options));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/Unrecognized key: "caps"/);
  });

  it('options given as a class instance whose getter throws', async () => {
    class Options {
      readonly input = [1];
      readonly source = 'rn';
      readonly sources = { rn: { kind: 'rn' as const } };
      readonly call = async (item: number) => item;
      readonly announcement = TEST_ANNOUNCEMENT;
      get prefetch(): number {
        return boom();
      }
    }
    expectNamed(await caught(() => createRun(new Options() as unknown as RunOptions<number, number>)), ['prefetch']);
  });

  it('a proxy whose get trap throws', async () => {
    const options = new Proxy(runOptions(), {
      get: (target, key, receiver) => (key === 'timeoutMs' ? boom() : Reflect.get(target, key, receiver)),
    });
    expectNamed(await caught(() => createRun(options)), ['timeoutMs']);
  });
});

describe('the other factories', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bcss-options-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('createBcssClient', async () => {
    const options = { url: 'http://127.0.0.1:9/', customer: { get cbeNumber(): string { return boom(); } } };
    expectNamed(await caught(() => createBcssClient(options)), ['customer', 'cbeNumber']);
  });

  it('FileStore.open rejects with the ConfigError, and takes no lock', async () => {
    const runDir = path.join(dir, 'run');
    const options = Object.defineProperty({}, 'checkpointEvery', { get: boom, enumerable: true });
    expectNamed(await caught(() => FileStore.open(runDir, options)), ['checkpointEvery']);
    const store = await FileStore.open(runDir); // not locked by the refused open
    await store.close();
  });

  it('startHeartbeat', async () => {
    const run = createRun(runOptions());
    const options = Object.defineProperty({ target: () => undefined }, 'intervalMs', { get: boom, enumerable: true });
    expectNamed(await caught(() => startHeartbeat(run, options)), ['intervalMs']);
  });

  it('createNotifier and attach', async () => {
    const channel = callbackChannel('log', () => undefined);
    expectNamed(await caught(() => createNotifier(Object.defineProperty({ channels: [channel] }, 'timeoutMs', { get: boom, enumerable: true }))), ['timeoutMs']);
    const notifier = createNotifier({ channels: [channel] });
    const run = createRun(runOptions());
    expectNamed(await caught(() => notifier.attach(run, Object.defineProperty({}, 'events', { get: boom, enumerable: true }))), ['events']);
  });
});
