/**
 * Loading of the optional peer dependencies (prom-client, ioredis): only by the features that
 * need them, and with a {@link MissingPeerError} that says what to install when one is absent,
 * never a bare "Cannot find module".
 */
import { createRequire } from 'node:module';
import { MissingPeerError } from './errors.js';

/** The optional peers, with the versions bcss-bulk works with (as in its peerDependencies). */
export const OPTIONAL_PEERS = { 'prom-client': '^15.1.3', ioredis: '^6.0.0' } as const;

/** An optional peer's name. */
export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/** True when `error` says that `name` itself (not one of its own dependencies) cannot be found. */
export function isNotFound(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && (message.includes(`'${name}'`) || message.includes(`"${name}"`));
}

/** The error for a peer that could not be loaded: a {@link MissingPeerError} when it is absent, else the loader's own error. */
export function peerLoadError(name: OptionalPeer, feature: string, error: unknown): unknown {
  return isNotFound(error, name) ? new MissingPeerError(name, OPTIONAL_PEERS[name], feature, { cause: error }) : error;
}

/**
 * Loads a CommonJS peer synchronously, resolved from bcss-bulk's own location (so the
 * consumer's copy, the one its own `import` or `require` of the package gets).
 *
 * @throws {MissingPeerError} the package is not installed.
 */
export function requirePeer<T>(name: OptionalPeer, feature: string): T {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch (error) {
    throw peerLoadError(name, feature, error);
  }
}
