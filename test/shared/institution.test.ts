/**
 * The institution's pauses as Redis holds them (a hash per namespace), read back: the whole
 * namespace, one source, and a damaged value that still counts as a pause (never lost).
 */
import { describe, expect, it } from 'vitest';
import { parsePauses } from '../../src/shared/institution.js';

describe('parsePauses', () => {
  it('reads the pause of the namespace and of each source', () => {
    const state = parsePauses({
      '*': JSON.stringify({ at: 1_000, by: 'ops pid 7', reason: 'BCSS desk' }),
      'source:rn': JSON.stringify({ at: 2_000, by: 'ops pid 8' }),
    });
    expect(state).toEqual({ all: { at: 1_000, by: 'ops pid 7', reason: 'BCSS desk' }, sources: { rn: { at: 2_000, by: 'ops pid 8' } } });
  });

  it('nothing paused: an empty hash', () => {
    expect(parsePauses({})).toEqual({ all: undefined, sources: {} });
  });

  it('a damaged value is still a pause, saying it is unreadable', () => {
    expect(parsePauses({ '*': 'oops' }).all).toEqual({ at: 0, by: 'unknown', reason: 'unreadable pause entry: oops' });
  });
});
