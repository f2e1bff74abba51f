/**
 * The plan's text for the announcement, in French, Dutch and English: the key figures of a
 * hand-checked plan appear, written the way each language writes numbers, in Brussels time.
 */
import { describe, expect, it } from 'vitest';
import { planBatch, renderPlan } from '../../src/index.js';

// 5 760 000 rn calls at cap 4 and 250 ms (57 600/h) from Thursday 26 November 2026 17:00: 100 h over
// Thu night (15 h), the weekend (63 h), Mon night (15 h) and Tuesday 17:00–24:00 (7 h); see test/plan.test.ts.
const plan = planBatch({
  volumes: { rn: 5_760_000, pensions: 14_400 },
  sources: { rn: { kind: 'rn' }, pensions: { kind: 'authentic' } },
  latencyMs: { rn: 250, pensions: 500 },
  start: new Date('2026-11-26T16:00:00Z'),
});
const options = { reference: 'SD-2026-004211', batchName: 'pensions-2027', contact: 'ICT service, 02 123 45 67' };

describe('renderPlan', () => {
  it('French: figures with fr-BE separators, the windows, the end, and the office hours', () => {
    const text = renderPlan(plan, { language: 'fr', ...options });
    for (const expected of [
      'Traitement : pensions-2027',
      'Référence : SD-2026-004211',
      'Premier démarrage : jeudi 26/11/2026 17:00 (Europe/Brussels)',
      'rn (Registre national) : 5\u202f760\u202f000 appels, au plus 4 appels en parallèle',
      'temps de réponse supposé 250 ms ; plafond 57\u202f600 appels par heure ; 100,0 h',
      'pensions (source authentique) : 14\u202f400 appels, au plus 2 appels en parallèle',
      'plafond 14\u202f400 appels par heure ; 1,0 h',
      "Durée d'appels nécessaire : 100,0 h",
      'Plages autorisées utilisées : 4 (3 nuits, 1 week-end)',
      'du vendredi 27/11/2026 17:00 au lundi 30/11/2026 08:00 (week-end)',
      'Fin prévue : mercredi 02/12/2026 00:00 (Europe/Brussels)',
      'heures de bureau (du lundi au vendredi, de 08:00 à 17:00)',
      'Contact : ICT service, 02 123 45 67',
    ]) expect(text).toContain(expected);
  });

  it('Dutch: nl-BE separators and Dutch words', () => {
    const text = renderPlan(plan, { language: 'nl', ...options });
    for (const expected of [
      'Eerste start: donderdag 26/11/2026 17:00',
      'rn (Rijksregister): 5.760.000 oproepen, hoogstens 4 oproepen tegelijk',
      'plafond 57.600 oproepen per uur; 100,0 u',
      'Gebruikte toegelaten periodes: 4 (3 nachten, 1 weekend)',
      'Verwacht einde: woensdag 02/12/2026 00:00 (Europe/Brussels)',
      'kantooruren (maandag tot vrijdag, van 08:00 tot 17:00)',
    ]) expect(text).toContain(expected);
    expect(text).not.toMatch(/ :/);
  });

  it('English: en-GB separators, 24-hour times', () => {
    const text = renderPlan(plan, { language: 'en', ...options });
    for (const expected of [
      'First start: Thursday 26/11/2026 17:00 (Europe/Brussels)',
      'rn (National Register): 5,760,000 calls, at most 4 parallel calls; assumed latency 250 ms; ceiling 57,600 calls per hour; 100.0 h of calling',
      'Calling time needed: 100.0 h',
      'Allowed windows used: 4 (3 nights, 1 weekend)',
      'from Tuesday 01/12/2026 17:00 to Wednesday 02/12/2026 00:00 (night): 404,208 calls', // 7 % of the 5 774 400 calls of both sources, spread evenly
      'Expected end: Wednesday 02/12/2026 00:00 (Europe/Brussels)',
      'No call is sent during office hours (Monday to Friday, 08:00 to 17:00)',
    ]) expect(text).toContain(expected);
    expect(renderPlan(plan, { language: 'en' })).not.toContain('Reference');
    expect(renderPlan(plan, { language: 'en', reference: 'SD-1' })).toContain('Reference: SD-1');
  });

  it('says when the calls are limited by maxConcurrency, and when the calendar is off', () => {
    const shared = planBatch({ volumes: { rn: 57_600 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-11-26T16:00:00Z'), maxConcurrency: 2 });
    expect(renderPlan(shared, { language: 'en' })).toContain('Calling time needed: 2.0 h (sources in parallel), limited by 2 simultaneous calls in all.');
    const off = planBatch({ volumes: { rn: 10 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-11-26T09:00:00Z'), calendar: { enforce: false, override: { reason: 'acceptance environment' } } });
    expect(renderPlan(off, { language: 'fr' })).toContain('calendrier des heures de bureau est désactivé');
  });
});

describe('the announce-and-plan guide', () => {
  it("shows renderPlan's real output for its sample plan", async () => {
    const { readFile } = await import('node:fs/promises');
    const guide = await readFile(new URL('../../docs/announce-and-plan.md', import.meta.url), 'utf8');
    const section = guide.slice(guide.indexOf('## The capacity plan'));
    const sample = /```text\n([\s\S]*?)\n```/.exec(section)?.[1];
    const plan = planBatch({ volumes: { rn: 5_760_000 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start: new Date('2026-11-26T16:00:00Z') });
    expect(sample).toBe(renderPlan(plan, { language: 'en', reference: 'SD-2026-004211', batchName: 'pensions-2027' }));
  });
});
