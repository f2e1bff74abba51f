/**
 * The report's words in French, Dutch and English: the page's labels, the rules' names and
 * the sentence that says what was measured against what a rule allows.
 */

/** A language of the report. */
export type ReportLanguage = 'fr' | 'nl' | 'en';

/** The languages of the report. */
export const REPORT_LANGUAGES: readonly ReportLanguage[] = ['fr', 'nl', 'en'];

/** The figures a rule's verdict is written from, by name (e.g. `peak`, `cap`). */
export type RuleFacts = Readonly<Record<string, string | number>>;

interface Words {
  readonly title: string;
  readonly batch: string;
  readonly live: string;
  readonly ended: string;
  readonly verdicts: string;
  readonly kept: string;
  readonly broken: string;
  readonly override: string;
  readonly sources: string;
  readonly source: string;
  readonly cap: string;
  readonly policyCap: string;
  readonly peak: string;
  readonly calls: string;
  readonly callsPerHour: string;
  readonly officeHours: string;
  readonly inFlight: string;
  readonly timeline: string;
  readonly rejectsByCode: string;
  readonly planVersusActual: string;
  readonly planned: string;
  readonly actual: string;
  readonly hours: string;
  readonly none: string;
  readonly noPlan: string;
  readonly runs: string;
  readonly period: string;
  readonly pauses: string;
  readonly events: string;
  readonly at: string;
  readonly reason: string;
  readonly origin: string;
  readonly message: string;
  readonly resumedAt: string;
  readonly delay: string;
  readonly event: string;
  readonly states: Readonly<Record<string, string>>;
  readonly rules: Readonly<Record<string, string>>;
  readonly detail: (id: string, ok: boolean, facts: RuleFacts) => string;
}

const EN: Words = {
  title: 'Report for the BCSS',
  batch: 'Batch',
  live: 'run in progress: what happened so far',
  ended: 'ended',
  verdicts: 'Rules of the BCSS',
  kept: 'kept',
  broken: 'not kept',
  override: 'override',
  sources: 'Sources',
  source: 'Source',
  cap: 'Cap',
  policyCap: 'BCSS cap',
  peak: 'Peak in flight',
  calls: 'Calls',
  callsPerHour: 'Calls per hour (office hours shaded)',
  officeHours: 'office hours',
  inFlight: 'Calls in flight (peak per minute) against the cap',
  timeline: 'States, pauses and windows',
  rejectsByCode: 'Rejects by code',
  planVersusActual: 'Plan versus actual',
  planned: 'planned',
  actual: 'actual',
  hours: 'hours',
  none: 'none',
  noPlan: 'The run was given no plan.',
  runs: 'run starts',
  period: 'Period',
  pauses: 'Pauses',
  events: 'Overload cooldowns, stalls and the shared mode',
  at: 'At',
  reason: 'Reason',
  origin: 'Origin',
  message: 'Message',
  resumedAt: 'Resumed at',
  delay: 'Delay',
  event: 'Event',
  states: { running: 'running', waiting: 'waiting for its window', paused: 'paused', draining: 'draining' },
  rules: { announcement: 'Batch announced a week ahead', 'office-hours': 'No calls in office hours', cap: 'Simultaneous calls within the cap', 'min-pause': 'A delay between a pause and its resumption', 'reject-ratio': 'Rejects kept to a minimum' },
  detail: (id, ok, f) => {
    switch (id) {
      case 'announcement':
        return f.override !== undefined ? `not announced (override: ${f.override})` : `announced as ${f.reference} on ${f.announcedOn}, ${f.leadTimeDays} days before the start (at least ${f.leadDays})`;
      case 'office-hours':
        return `${f.calls} calls started in office hours (${f.hours})${f.override === undefined ? '' : `; calendar turned off (override: ${f.override})`}`;
      case 'cap':
        return `${f.source}: peak of ${f.peak} simultaneous calls, BCSS cap ${f.policyCap}${f.override === undefined ? '' : `; cap raised to ${f.cap} (override: ${f.override})`}`;
      case 'min-pause':
        return f.pauses === 0 ? 'no pause' : ok ? `${f.pauses} pause(s), each resumed after at least ${f.minPause}` : `${f.short} of ${f.pauses} pause(s) resumed sooner than ${f.minPause} (shortest ${f.shortest})`;
      default:
        return `${f.rejects} rejected of ${f.finished} items finished (${f.ratio}), at most ${f.max}`;
    }
  },
};

const FR: Words = {
  title: 'Rapport pour la BCSS',
  batch: 'Lot',
  live: 'exécution en cours : ce qui s’est passé jusqu’ici',
  ended: 'terminé',
  verdicts: 'Règles de la BCSS',
  kept: 'respectée',
  broken: 'non respectée',
  override: 'dérogation',
  sources: 'Sources',
  source: 'Source',
  cap: 'Plafond',
  policyCap: 'Plafond BCSS',
  peak: 'Pic d’appels simultanés',
  calls: 'Appels',
  callsPerHour: 'Appels par heure (heures de bureau grisées)',
  officeHours: 'heures de bureau',
  inFlight: 'Appels en cours (pic par minute) face au plafond',
  timeline: 'États, pauses et plages',
  rejectsByCode: 'Rejets par code',
  planVersusActual: 'Plan et réalité',
  planned: 'prévu',
  actual: 'réel',
  hours: 'heures',
  none: 'aucun',
  noPlan: 'Aucun plan n’a été donné à l’exécution.',
  runs: 'démarrages',
  period: 'Période',
  pauses: 'Pauses',
  events: 'Protections contre la surcharge, blocages et mode partagé',
  at: 'À',
  reason: 'Raison',
  origin: 'Origine',
  message: 'Message',
  resumedAt: 'Reprise à',
  delay: 'Délai',
  event: 'Événement',
  states: { running: 'en cours', waiting: 'attend sa plage', paused: 'en pause', draining: 'se vide' },
  rules: { announcement: 'Lot annoncé une semaine à l’avance', 'office-hours': 'Aucun appel pendant les heures de bureau', cap: 'Appels simultanés sous le plafond', 'min-pause': 'Un délai entre une pause et sa reprise', 'reject-ratio': 'Rejets limités au minimum' },
  detail: (id, ok, f) => {
    switch (id) {
      case 'announcement':
        return f.override !== undefined ? `non annoncé (dérogation : ${f.override})` : `annoncé sous ${f.reference} le ${f.announcedOn}, ${f.leadTimeDays} jours avant le démarrage (au moins ${f.leadDays})`;
      case 'office-hours':
        return `${f.calls} appels démarrés pendant les heures de bureau (${f.hours})${f.override === undefined ? '' : ` ; calendrier désactivé (dérogation : ${f.override})`}`;
      case 'cap':
        return `${f.source} : pic de ${f.peak} appels simultanés, plafond BCSS ${f.policyCap}${f.override === undefined ? '' : ` ; plafond relevé à ${f.cap} (dérogation : ${f.override})`}`;
      case 'min-pause':
        return f.pauses === 0 ? 'aucune pause' : ok ? `${f.pauses} pause(s), chacune reprise après au moins ${f.minPause}` : `${f.short} pause(s) sur ${f.pauses} reprise(s) avant ${f.minPause} (la plus courte : ${f.shortest})`;
      default:
        return `${f.rejects} rejets sur ${f.finished} éléments terminés (${f.ratio}), au plus ${f.max}`;
    }
  },
};

const NL: Words = {
  title: 'Rapport voor de KSZ',
  batch: 'Batch',
  live: 'uitvoering bezig: wat er tot nu toe gebeurde',
  ended: 'beëindigd',
  verdicts: 'Regels van de KSZ',
  kept: 'nageleefd',
  broken: 'niet nageleefd',
  override: 'afwijking',
  sources: 'Bronnen',
  source: 'Bron',
  cap: 'Plafond',
  policyCap: 'KSZ-plafond',
  peak: 'Piek gelijktijdige oproepen',
  calls: 'Oproepen',
  callsPerHour: 'Oproepen per uur (kantooruren gearceerd)',
  officeHours: 'kantooruren',
  inFlight: 'Lopende oproepen (piek per minuut) tegenover het plafond',
  timeline: 'Toestanden, pauzes en vensters',
  rejectsByCode: 'Weigeringen per code',
  planVersusActual: 'Plan tegenover werkelijkheid',
  planned: 'gepland',
  actual: 'werkelijk',
  hours: 'uren',
  none: 'geen',
  noPlan: 'De uitvoering kreeg geen plan.',
  runs: 'starts',
  period: 'Periode',
  pauses: 'Pauzes',
  events: 'Overbelastingsbeveiliging, blokkeringen en gedeelde modus',
  at: 'Om',
  reason: 'Reden',
  origin: 'Oorsprong',
  message: 'Bericht',
  resumedAt: 'Hervat om',
  delay: 'Wachttijd',
  event: 'Gebeurtenis',
  states: { running: 'loopt', waiting: 'wacht op zijn venster', paused: 'gepauzeerd', draining: 'loopt leeg' },
  rules: { announcement: 'Batch een week vooraf aangekondigd', 'office-hours': 'Geen oproepen tijdens de kantooruren', cap: 'Gelijktijdige oproepen binnen het plafond', 'min-pause': 'Een wachttijd tussen een pauze en de hervatting', 'reject-ratio': 'Weigeringen tot een minimum beperkt' },
  detail: (id, ok, f) => {
    switch (id) {
      case 'announcement':
        return f.override !== undefined ? `niet aangekondigd (afwijking: ${f.override})` : `aangekondigd als ${f.reference} op ${f.announcedOn}, ${f.leadTimeDays} dagen voor de start (minstens ${f.leadDays})`;
      case 'office-hours':
        return `${f.calls} oproepen gestart tijdens de kantooruren (${f.hours})${f.override === undefined ? '' : `; kalender uitgeschakeld (afwijking: ${f.override})`}`;
      case 'cap':
        return `${f.source}: piek van ${f.peak} gelijktijdige oproepen, KSZ-plafond ${f.policyCap}${f.override === undefined ? '' : `; plafond verhoogd tot ${f.cap} (afwijking: ${f.override})`}`;
      case 'min-pause':
        return f.pauses === 0 ? 'geen pauze' : ok ? `${f.pauses} pauze(s), elk hervat na minstens ${f.minPause}` : `${f.short} van ${f.pauses} pauze(s) vroeger hervat dan ${f.minPause} (kortste ${f.shortest})`;
      default:
        return `${f.rejects} geweigerd van ${f.finished} afgewerkte items (${f.ratio}), hoogstens ${f.max}`;
    }
  },
};

/** The words of a language. */
export function wordsOf(language: ReportLanguage): Words {
  return language === 'fr' ? FR : language === 'nl' ? NL : EN;
}

/** A rule's name in a language (`cap:<source>` gets the source's name after it). */
export function ruleName(id: string, language: ReportLanguage): string {
  const words = wordsOf(language);
  return id.startsWith('cap:') ? `${words.rules.cap} (${id.slice(4)})` : (words.rules[id] ?? id);
}

/** A rule's detail in a language. */
export function ruleDetail(id: string, ok: boolean, facts: RuleFacts, language: ReportLanguage): string {
  return wordsOf(language).detail(id.startsWith('cap:') ? 'cap' : id, ok, facts);
}

/** A verdict's detail in a language. */
export function ruleDetailOf(rule: { readonly id: string; readonly ok: boolean; readonly facts: RuleFacts }, language: ReportLanguage): string {
  return ruleDetail(rule.id, rule.ok, rule.facts, language);
}
