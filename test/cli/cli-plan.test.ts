/**
 * `bcss-bulk plan`: the plan's text from the command line, local start times in Brussels, kinds
 * of sources, JSON, and the errors of bad arguments.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('bcss-bulk plan', () => {
  it('prints the French plan of two sources from a local start time', async () => {
    // rn: 120 000 calls at 57 600/h = 2.08 h; pensions (authentic, cap 2, 400 ms = 18 000/h): 8 000 calls = 0.44 h.
    const result = await cli('plan', '--volumes', 'rn=120000,pensions=8000', '--kind', 'pensions=authentic', '--latency', 'rn=250,pensions=400', '--start', '2026-11-30T17:00', '--lang', 'fr', '--reference', 'SD-2026-004211');
    expect(result.code).toBe(0);
    for (const expected of [
      'Référence : SD-2026-004211',
      'Premier démarrage : lundi 30/11/2026 17:00 (Europe/Brussels)',
      'rn (Registre national) : 120\u202f000 appels, au plus 4 appels en parallèle',
      'pensions (source authentique) : 8\u202f000 appels, au plus 2 appels en parallèle ; temps de réponse supposé 400 ms ; plafond 18\u202f000 appels par heure',
      'Plages autorisées utilisées : 1 (1 nuit, 0 week-end)',
      'Fin prévue : lundi 30/11/2026 19:05 (Europe/Brussels)',
    ]) expect(result.stdout).toContain(expected);
  });

  it('prints the plan as JSON, with one latency for all sources and an ISO start', async () => {
    const result = await cli('plan', '--volumes', 'rn=57600', '--latency', '250', '--start', '2026-11-30T16:00:00Z', '--json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { hours: number; end: string; sources: { ceilingPerHour: number }[] };
    expect([plan.hours, plan.end, plan.sources[0]!.ceilingPerHour]).toEqual([1, '2026-11-30T17:00:00.000Z', 57_600]);
  });

  it('names what is wrong: a source without kind, a bad number, a missing option, an unknown language', async () => {
    const noKind = await cli('plan', '--volumes', 'pensions=10', '--latency', '250', '--start', '2026-11-30T17:00');
    expect(noKind).toMatchObject({ code: 1, stderr: expect.stringContaining('kind.pensions: give the kind of source') });
    expect((await cli('plan', '--volumes', 'rn=lots', '--latency', '250', '--start', '2026-11-30T17:00')).stderr).toContain("volumes.rn: expected a number, got 'lots'");
    expect((await cli('plan', '--volumes', 'rn=10', '--start', '2026-11-30T17:00')).stderr).toContain('latency: --latency is required');
    expect((await cli('plan', '--volumes', 'rn=10', '--latency', '250', '--start', '2026-11-30T17:00', '--lang', 'de')).stderr).toContain("lang: expected fr, nl or en, got 'de'");
    expect((await cli('plan', '--volumes', 'rn=10', '--latency', '250', '--start', 'tomorrow')).stderr).toContain("start: expected YYYY-MM-DDTHH:mm (local time) or an ISO instant, got 'tomorrow'");
    expect((await cli('plan', '--volumes', 'rn=10', '--latency', '250', '--start', '2026-11-30T17:00', '--bogus')).code).toBe(2);
    expect((await cli('--help')).stdout).toContain('bcss-bulk plan --volumes SOURCE=COUNT');
  });
});
