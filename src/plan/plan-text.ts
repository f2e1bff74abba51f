/**
 * The capacity plan as plain text, ready to paste into the announcement of a batch to the BCSS
 * service desk, in French, Dutch or English: the batch, its first start, the sources with their
 * calls and parallel calls, the assumed latency, the ceiling per hour, the hours needed, the
 * windows (nights, weekends), the expected end, and that calls keep out of office hours.
 * Numbers and dates are written the way each language writes them (fr-BE, nl-BE, en-GB), in the
 * calendar's zone (Europe/Brussels by default), 24-hour clock.
 */
import type { WeekDay } from '../calendar/calendar.js';
import type { SourceKind } from '../policy/caps.js';
import type { BatchPlan } from './plan.js';

/** Languages of the plan's text. */
export type PlanLanguage = 'fr' | 'nl' | 'en';

/** Options of {@link renderPlan}. */
export interface RenderPlanOptions {
  /**
   * The language of the text: `fr`, `nl` or `en`.
   * @defaultValue none: required
   */
  readonly language: PlanLanguage;
  /**
   * The service-desk reference of the announcement, if there is one already.
   * @defaultValue none: the text leaves a place for it
   */
  readonly reference?: string;
  /**
   * Name of the batch.
   * @defaultValue none
   */
  readonly batchName?: string;
  /**
   * Who to call about the batch (a name, a phone number, an address).
   * @defaultValue none
   */
  readonly contact?: string;
}

const LOCALES: Readonly<Record<PlanLanguage, string>> = { fr: 'fr-BE', nl: 'nl-BE', en: 'en-GB' };

interface Words {
  readonly title: string;
  readonly batch: string;
  readonly reference: string;
  readonly firstStart: string;
  readonly sources: string;
  readonly kinds: Readonly<Record<SourceKind, string>>;
  readonly source: (calls: string, cap: string, latency: string, perHour: string, hours: string) => string;
  readonly retries: (percent: string) => string;
  readonly needed: (hours: string) => string;
  readonly sharedSlots: (slots: string) => string;
  readonly windows: (count: number, nights: number, weekends: number) => string;
  readonly windowKinds: Readonly<Record<'night' | 'weekend' | 'always', string>>;
  readonly windowLine: (from: string, to: string, kind: string, calls: string) => string;
  readonly end: string;
  readonly officeHours: (days: string, from: string, to: string) => string;
  readonly noCalendar: string;
  readonly weekdays: Readonly<Record<WeekDay, string>>;
  readonly monToFri: string;
  readonly assumption: string;
  readonly contact: string;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
/** French keeps the singular for 0 and 1. */
const pluralFr = (n: number, one: string, many: string) => (n <= 1 ? one : many);

const WORDS: Readonly<Record<PlanLanguage, Words>> = {
  fr: {
    title: 'Plan de charge du traitement de masse',
    batch: 'Traitement',
    reference: 'Référence',
    firstStart: 'Premier démarrage',
    sources: 'Sources authentiques consultées',
    kinds: { rn: 'Registre national', bcss: 'BCSS', authentic: 'source authentique' },
    source: (calls, cap, latency, perHour, hours) =>
      `${calls} appels, au plus ${cap} appels en parallèle ; temps de réponse supposé ${latency} ms ; plafond ${perHour} appels par heure ; ${hours} h d'appels`,
    retries: (percent) => `Nouvelles tentatives prévues : ${percent} % des appels en plus.`,
    needed: (hours) => `Durée d'appels nécessaire : ${hours} h (sources traitées en parallèle)`,
    sharedSlots: (slots) => `, limitée par ${slots} appels simultanés au total`,
    windows: (count, nights, weekends) =>
      `Plages autorisées utilisées : ${count} (${nights} ${pluralFr(nights, 'nuit', 'nuits')}, ${weekends} ${pluralFr(weekends, 'week-end', 'week-ends')})`,
    windowKinds: { night: 'nuit', weekend: 'week-end', always: 'sans interruption' },
    windowLine: (from, to, kind, calls) => `du ${from} au ${to} (${kind}) : ${calls} appels`,
    end: 'Fin prévue',
    officeHours: (days, from, to) => `Aucun appel n'est envoyé pendant les heures de bureau (${days}, de ${from} à ${to}) : les appels s'interrompent à ${from} et reprennent à ${to}.`,
    noCalendar: "Le calendrier des heures de bureau est désactivé pour ce traitement (environnement de test) : les appels peuvent avoir lieu à toute heure.",
    weekdays: { mon: 'lundi', tue: 'mardi', wed: 'mercredi', thu: 'jeudi', fri: 'vendredi', sat: 'samedi', sun: 'dimanche' },
    monToFri: 'du lundi au vendredi',
    assumption: "Estimation : chaque appel occupe une place pendant le temps de réponse supposé et toutes les places sont occupées en permanence (loi de Little) ; la durée réelle peut être plus longue.",
    contact: 'Contact',
  },
  nl: {
    title: 'Capaciteitsplan van de massale verwerking',
    batch: 'Verwerking',
    reference: 'Referentie',
    firstStart: 'Eerste start',
    sources: 'Geraadpleegde authentieke bronnen',
    kinds: { rn: 'Rijksregister', bcss: 'KSZ', authentic: 'authentieke bron' },
    source: (calls, cap, latency, perHour, hours) =>
      `${calls} oproepen, hoogstens ${cap} oproepen tegelijk; veronderstelde antwoordtijd ${latency} ms; plafond ${perHour} oproepen per uur; ${hours} u oproepen`,
    retries: (percent) => `Voorziene herhalingen: ${percent} % extra oproepen.`,
    needed: (hours) => `Benodigde oproeptijd: ${hours} u (bronnen parallel verwerkt)`,
    sharedSlots: (slots) => `, beperkt tot ${slots} gelijktijdige oproepen in totaal`,
    windows: (count, nights, weekends) =>
      `Gebruikte toegelaten periodes: ${count} (${nights} ${plural(nights, 'nacht', 'nachten')}, ${weekends} ${plural(weekends, 'weekend', 'weekends')})`,
    windowKinds: { night: 'nacht', weekend: 'weekend', always: 'doorlopend' },
    windowLine: (from, to, kind, calls) => `van ${from} tot ${to} (${kind}): ${calls} oproepen`,
    end: 'Verwacht einde',
    officeHours: (days, from, to) => `Tijdens de kantooruren (${days}, van ${from} tot ${to}) worden geen oproepen verstuurd: de oproepen stoppen om ${from} en hernemen om ${to}.`,
    noCalendar: 'De kalender van de kantooruren is voor deze verwerking uitgeschakeld (testomgeving): oproepen kunnen op elk uur plaatsvinden.',
    weekdays: { mon: 'maandag', tue: 'dinsdag', wed: 'woensdag', thu: 'donderdag', fri: 'vrijdag', sat: 'zaterdag', sun: 'zondag' },
    monToFri: 'maandag tot vrijdag',
    assumption: 'Raming: elke oproep bezet een plaats gedurende de veronderstelde antwoordtijd en alle plaatsen zijn voortdurend bezet (wet van Little); de werkelijke duur kan langer zijn.',
    contact: 'Contactpersoon',
  },
  en: {
    title: 'Capacity plan of the mass call',
    batch: 'Batch',
    reference: 'Reference',
    firstStart: 'First start',
    sources: 'Authentic sources called',
    kinds: { rn: 'National Register', bcss: 'BCSS', authentic: 'authentic source' },
    source: (calls, cap, latency, perHour, hours) =>
      `${calls} calls, at most ${cap} parallel calls; assumed latency ${latency} ms; ceiling ${perHour} calls per hour; ${hours} h of calling`,
    retries: (percent) => `Retries expected: ${percent} % more calls.`,
    needed: (hours) => `Calling time needed: ${hours} h (sources in parallel)`,
    sharedSlots: (slots) => `, limited by ${slots} simultaneous calls in all`,
    windows: (count, nights, weekends) => `Allowed windows used: ${count} (${nights} ${plural(nights, 'night', 'nights')}, ${weekends} ${plural(weekends, 'weekend', 'weekends')})`,
    windowKinds: { night: 'night', weekend: 'weekend', always: 'uninterrupted' },
    windowLine: (from, to, kind, calls) => `from ${from} to ${to} (${kind}): ${calls} calls`,
    end: 'Expected end',
    officeHours: (days, from, to) => `No call is sent during office hours (${days}, ${from} to ${to}): calls stop at ${from} and resume at ${to}.`,
    noCalendar: 'The office-hours calendar is turned off for this batch (a test environment): calls may run at any hour.',
    weekdays: { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' },
    monToFri: 'Monday to Friday',
    assumption: 'Estimate: each call holds a slot for the assumed latency and every slot is always busy (Little\'s law); the real duration may be longer.',
    contact: 'Contact',
  },
};

/** `jeudi 26/11/2026 17:00`: weekday, date and 24-hour time in the zone, the way the language writes them. */
function dateTime(language: PlanLanguage, timeZone: string, instant: Date): string {
  const parts = new Intl.DateTimeFormat(LOCALES[language], {
    timeZone,
    weekday: 'long',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const p = Object.fromEntries(parts.map((part) => [part.type, part.value]));
  return `${p['weekday']} ${p['day']}/${p['month']}/${p['year']} ${p['hour']}:${p['minute']}`;
}

function officeDays(words: Words, days: readonly WeekDay[]): string {
  const weekdays: readonly WeekDay[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
  if (days.length === 5 && weekdays.every((d) => days.includes(d))) return words.monToFri;
  return days.map((d) => words.weekdays[d]).join(', ');
}

/**
 * The plan as a plain-text block for the announcement email, in French, Dutch or English.
 *
 * @example
 * renderPlan(planBatch({ volumes: { rn: 120_000 }, sources: { rn: { kind: 'rn' } }, latencyMs: 250, start }), { language: 'fr', reference: 'SD-2026-004211' })
 */
export function renderPlan(plan: BatchPlan, options: RenderPlanOptions): string {
  const { language } = options;
  const words = WORDS[language];
  const integer = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(LOCALES[language], { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const hours = (h: number) => decimal.format(Math.ceil(h * 10) / 10); // rounded up: never promise less
  const when = (d: Date) => dateTime(language, plan.timeZone, d);

  const lines: string[] = [words.title, ''];
  if (options.batchName !== undefined) lines.push(`${words.batch} : ${options.batchName}`);
  if (options.reference !== undefined) lines.push(`${words.reference} : ${options.reference}`);
  lines.push(`${words.firstStart} : ${when(plan.start)} (${plan.timeZone})`, '', `${words.sources} :`);
  for (const source of plan.sources) {
    const text = words.source(integer.format(source.calls), integer.format(source.cap), integer.format(source.latencyMs), integer.format(source.ceilingPerHour), hours(source.hours));
    lines.push(`- ${source.source} (${words.kinds[source.kind]}) : ${text}`);
  }
  if (plan.retryRatio > 0) lines.push(words.retries(decimal.format(plan.retryRatio * 100)));
  lines.push('', `${words.needed(hours(plan.hours))}${plan.boundBy === 'maxConcurrency' && plan.maxConcurrency !== undefined ? words.sharedSlots(integer.format(plan.maxConcurrency)) : ''}.`);
  lines.push(`${words.windows(plan.windows.length, plan.nights, plan.weekends)} :`);
  for (const window of plan.windows) {
    lines.push(`- ${words.windowLine(when(window.start), when(window.end), words.windowKinds[window.kind], integer.format(window.calls))}`);
  }
  lines.push(`${words.end} : ${when(plan.end)} (${plan.timeZone})`, '');
  lines.push(plan.officeHours === undefined ? words.noCalendar : words.officeHours(officeDays(words, plan.officeHours.days), plan.officeHours.from, plan.officeHours.to));
  lines.push(words.assumption);
  if (options.contact !== undefined) lines.push('', `${words.contact} : ${options.contact}`);
  const text = lines.join('\n');
  // French puts a space before the colon; Dutch and English do not.
  return language === 'fr' ? text : text.replace(/ :(?= |\n|$)/g, ':');
}
