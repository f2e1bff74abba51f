/**
 * bcss-bulk's errors across two copies of the package in one process (its ESM and CJS builds,
 * two installed versions): `isBcssBulkError` and `instanceof` hold across them. Here the second
 * copy is the same module loaded again under another id, so its classes are other classes.
 * (The built ESM and CJS files, loaded together, are checked by test/install-from-git.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import * as utilErrors from '../../src/util/errors.js';
import * as policyErrors from '../../src/policy/errors.js';
import * as storeErrors from '../../src/store/errors.js';
import * as engineErrors from '../../src/engine/errors.js';
import { isNotFound, peerLoadError, requirePeer } from '../../src/util/peer.js';

// The errors live by concern (util: the base; policy, store, engine: their own errors).
const first = { ...utilErrors, ...policyErrors, ...storeErrors, ...engineErrors };
// A second copy of each module: other class objects, same source. (A subclass's second copy
// extends the first copy of its base: the base module is shared, as in two builds that share a chunk.)
const copy = async <M,>(file: string): Promise<M> => (await import(`${file}?second-copy`)) as M;
const second = {
  ...(await copy<typeof utilErrors>('../../src/util/errors.js')),
  ...(await copy<typeof policyErrors>('../../src/policy/errors.js')),
  ...(await copy<typeof storeErrors>('../../src/store/errors.js')),
  ...(await copy<typeof engineErrors>('../../src/engine/errors.js')),
};

describe('two copies of the errors module', () => {
  it('are different classes (the dual-package hazard is real here)', () => {
    expect(second.ConfigError).not.toBe(first.ConfigError);
    expect(Function.prototype[Symbol.hasInstance].call(first.ConfigError, new second.ConfigError([]))).toBe(false);
  });

  it('isBcssBulkError recognises the errors of either copy, and nothing else', () => {
    for (const error of [new first.ConfigError([]), new second.ConfigError([]), new second.RunFailedError('HTTP_401', 'refused'), new second.MissingPeerError('prom-client', '^15.1.3', 'x')]) {
      expect(first.isBcssBulkError(error)).toBe(true);
      expect(second.isBcssBulkError(error)).toBe(true);
    }
    for (const value of [new Error('plain'), { code: 'CONFIG_INVALID', name: 'ConfigError', message: 'look-alike' }, Object.assign(new Error('x'), { code: 'X' }), null, undefined, 'ConfigError', first.ConfigError]) {
      expect(first.isBcssBulkError(value)).toBe(false);
    }
  });

  it('instanceof holds across copies for the class and its ancestors, and never for another class', () => {
    const theirs = new second.InputChangedError('the input changed'); // InputChangedError extends RunFailedError
    expect(theirs instanceof first.InputChangedError).toBe(true);
    expect(theirs instanceof first.RunFailedError).toBe(true);
    expect(theirs instanceof first.BcssBulkError).toBe(true);
    expect(theirs instanceof Error).toBe(true);
    expect(theirs instanceof first.ConfigError).toBe(false);
    expect(theirs instanceof first.RunStateError).toBe(false);
    expect(new first.ConfigError([]) instanceof second.ConfigError).toBe(true);
    expect(new first.PolicyError([]) instanceof second.ConfigError).toBe(false);
  });

  it('instanceof within one copy is unchanged, and an unbranded error of the same name is no instance', () => {
    expect(new first.ConfigError([]) instanceof first.ConfigError).toBe(true);
    expect(new first.ConfigError([]) instanceof first.PolicyError).toBe(false);
    class ConfigError extends Error {}
    expect(new ConfigError('mine') instanceof first.ConfigError).toBe(false);
    expect(new ConfigError('mine') instanceof first.BcssBulkError).toBe(false);
  });

  it('the brand is the registered symbol bcss-bulk.error, not enumerable, and the errors keep their name and code', () => {
    const error = new second.ConfigError([{ path: ['retry', 'maxAttempts'], message: 'too small' }]);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('bcss-bulk.error')]).toBe(true);
    expect(Object.keys(error)).not.toContain(Symbol.for('bcss-bulk.error'));
    expect(JSON.stringify({ ...error })).not.toContain('bcss-bulk.error');
    expect([error.name, error.code]).toEqual(['ConfigError', 'CONFIG_INVALID']);
  });
});

describe('a missing optional peer', () => {
  it('requirePeer throws a MissingPeerError that says what to install, with the loader error as cause', () => {
    // ioredis and prom-client are installed here; a name that is not shows the path taken when one is missing.
    let caught: unknown;
    try {
      requirePeer('prom-client', 'bcss-bulk/metrics');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeUndefined();
    const loaderError = Object.assign(new Error("Cannot find module 'prom-client'\nRequire stack: ..."), { code: 'MODULE_NOT_FOUND' });
    const error = peerLoadError('prom-client', 'bcss-bulk/metrics', loaderError);
    expect(error).toBeInstanceOf(first.MissingPeerError);
    expect(error).toMatchObject({ code: 'PEER_MISSING', peer: 'prom-client', range: '^15.1.3', cause: loaderError });
    expect((error as Error).message).toContain('npm install prom-client@^15.1.3');
    expect((error as Error).message).toContain('bcss-bulk/metrics');
  });

  it('only a missing peer becomes a MissingPeerError: a missing dependency of the peer, or another failure, stays as it is', () => {
    const deeper = Object.assign(new Error("Cannot find module 'tdigest'"), { code: 'MODULE_NOT_FOUND' });
    expect(peerLoadError('prom-client', 'metrics', deeper)).toBe(deeper);
    const syntax = new SyntaxError('Unexpected token');
    expect(peerLoadError('ioredis', 'shared mode', syntax)).toBe(syntax);
    expect(isNotFound(Object.assign(new Error("Cannot find package 'ioredis' imported from /x.js"), { code: 'ERR_MODULE_NOT_FOUND' }), 'ioredis')).toBe(true);
  });
});
