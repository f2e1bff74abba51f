import { describe, expect, it } from 'vitest';
import { POLICY_CAPS, resolveCap, SOURCE_KINDS } from '../../src/policy/caps.js';

describe('POLICY_CAPS', () => {
  it('allows 4 calls for BCSS and National Register data, 2 for other authentic sources', () => {
    expect(POLICY_CAPS).toEqual({ bcss: 4, rn: 4, authentic: 2 });
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(POLICY_CAPS)).toBe(true);
    expect(() => {
      (POLICY_CAPS as Record<string, number>)['rn'] = 10;
    }).toThrow(TypeError);
    expect(POLICY_CAPS.rn).toBe(4);
  });

  it('names the three kinds of source', () => {
    expect([...SOURCE_KINDS]).toEqual(['bcss', 'rn', 'authentic']);
  });
});

describe('resolveCap', () => {
  it('uses the policy cap of the kind when no cap is asked for', () => {
    expect(resolveCap('rn', { kind: 'rn' })).toStrictEqual({ ok: true, value: { cap: 4, policyCap: 4 } });
    expect(resolveCap('bcss', { kind: 'bcss' })).toStrictEqual({ ok: true, value: { cap: 4, policyCap: 4 } });
    expect(resolveCap('onem', { kind: 'authentic' })).toStrictEqual({ ok: true, value: { cap: 2, policyCap: 2 } });
    expect(resolveCap('rn', { kind: 'rn', cap: undefined })).toStrictEqual({ ok: true, value: { cap: 4, policyCap: 4 } });
  });

  it('accepts a cap at or below the policy', () => {
    expect(resolveCap('rn', { kind: 'rn', cap: 4 })).toStrictEqual({ ok: true, value: { cap: 4, policyCap: 4 } });
    expect(resolveCap('rn', { kind: 'rn', cap: 1 })).toStrictEqual({ ok: true, value: { cap: 1, policyCap: 4 } });
    expect(resolveCap('onem', { kind: 'authentic', cap: 2 })).toStrictEqual({ ok: true, value: { cap: 2, policyCap: 2 } });
    expect(resolveCap('onem', { kind: 'authentic', cap: 1 })).toStrictEqual({ ok: true, value: { cap: 1, policyCap: 2 } });
  });

  it('does not mark a lower cap as an override even when an override is given', () => {
    const resolved = resolveCap('rn', { kind: 'rn', cap: 3, override: { reason: 'agreement 2026-001' } });
    expect(resolved).toStrictEqual({ ok: true, value: { cap: 3, policyCap: 4 } });
  });

  it('refuses a cap above the policy without an override', () => {
    const resolved = resolveCap('registre', { kind: 'rn', cap: 5 });
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.issue.path).toEqual(['sources', 'registre', 'cap']);
    expect(resolved.issue.message).toContain('cap 5');
    expect(resolved.issue.message).toContain('limit of 4');
    expect(resolved.issue.message).toContain("'rn'");
    expect(resolved.issue.message).toContain('override');
  });

  it('names the limit of the kind of source in the refusal', () => {
    const resolved = resolveCap('onem', { kind: 'authentic', cap: 3 });
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.issue.path).toEqual(['sources', 'onem', 'cap']);
    expect(resolved.issue.message).toContain('cap 3');
    expect(resolved.issue.message).toContain('limit of 2');
    expect(resolved.issue.message).not.toContain('limit of 4');
  });

  it('refuses a bcss source at 5 but not an authentic-source cap of 2', () => {
    expect(resolveCap('b', { kind: 'bcss', cap: 5 }).ok).toBe(false);
    expect(resolveCap('a', { kind: 'authentic', cap: 2 }).ok).toBe(true);
    expect(resolveCap('a', { kind: 'authentic', cap: 4 }).ok).toBe(false);
  });

  it('accepts a higher cap with an override and returns its reason', () => {
    const resolved = resolveCap('rn', { kind: 'rn', cap: 8, override: { reason: 'BCSS agreement 2026-017' } });
    expect(resolved).toStrictEqual({
      ok: true,
      value: { cap: 8, policyCap: 4, overrideReason: 'BCSS agreement 2026-017' },
    });
    const authentic = resolveCap('onem', { kind: 'authentic', cap: 3, override: { reason: 'ONEM ok' } });
    expect(authentic).toStrictEqual({ ok: true, value: { cap: 3, policyCap: 2, overrideReason: 'ONEM ok' } });
  });
});
