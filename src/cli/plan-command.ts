/**
 * `bcss-bulk plan`: the capacity plan of a batch from the command line, as the text of its
 * announcement (French, Dutch or English) or as JSON.
 *
 *     bcss-bulk plan --volumes rn=120000,pensions=8000 --kind pensions=authentic --latency 250 --start 2026-11-30T17:00 --lang fr
 */
import { parseArgs } from 'node:util';
import { SOURCE_KINDS, type SourceKind } from '../policy/caps.js';
import type { SourceConfig } from '../policy/source.js';
import { ConfigError } from '../util/errors.js';
import { planBatch } from '../plan/plan.js';
import { renderPlan, type PlanLanguage } from '../plan/plan-text.js';
import { toInstant } from '../calendar/zone.js';

/** The usage lines of the command. */
export const PLAN_USAGE = `  bcss-bulk plan --volumes SOURCE=COUNT,... --latency MS|SOURCE=MS,... --start YYYY-MM-DDTHH:mm
                 [--kind SOURCE=rn|bcss|authentic]... [--lang fr|nl|en] [--reference REF] [--name NAME]
                 [--contact TEXT] [--max-concurrency N] [--retry-ratio R] [--time-zone ZONE] [--json]
      The capacity plan of a batch, as the text of its announcement to the BCSS service desk.
      A source named rn, bcss or authentic has that kind; give --kind for the others. The start
      is local time in the zone (Europe/Brussels by default), or an ISO instant with Z or an offset.
`;

/** `a=1,b=2` as pairs; the usage error names the option. */
function pairs(option: string, text: string): [string, string][] {
  return text.split(',').map((part) => {
    const [name, value, ...extra] = part.split('=');
    if (name === undefined || name === '' || value === undefined || value === '' || extra.length > 0) {
      throw new ConfigError([{ path: [option], message: `expected NAME=VALUE[,NAME=VALUE...], got '${part}'` }], 'plan arguments');
    }
    return [name.trim(), value.trim()];
  });
}

function number(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError([{ path: [option], message: `expected a number, got '${text}'` }], 'plan arguments');
  return value;
}

/** A local `YYYY-MM-DDTHH:mm` in the zone, or an ISO instant with `Z` or an offset. */
function startOf(text: string, timeZone: string): Date {
  const local = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(text);
  if (local !== null) {
    const [y, mo, d, h, mi] = local.slice(1).map(Number) as [number, number, number, number, number];
    return new Date(toInstant(timeZone, Date.UTC(y, mo - 1, d, h, mi), 'first'));
  }
  const instant = /(Z|[+-]\d\d:\d\d)$/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(instant.getTime())) throw new ConfigError([{ path: ['start'], message: `expected YYYY-MM-DDTHH:mm (local time) or an ISO instant, got '${text}'` }], 'plan arguments');
  return instant;
}

/** Runs `bcss-bulk plan` with its arguments; returns the text to print. */
export function planCommand(args: string[]): string {
  const { values } = parseArgs({
    args,
    options: {
      volumes: { type: 'string' },
      latency: { type: 'string' },
      start: { type: 'string' },
      kind: { type: 'string', multiple: true },
      lang: { type: 'string', default: 'en' },
      reference: { type: 'string' },
      name: { type: 'string' },
      contact: { type: 'string' },
      'max-concurrency': { type: 'string' },
      'retry-ratio': { type: 'string' },
      'time-zone': { type: 'string', default: 'Europe/Brussels' },
      json: { type: 'boolean' },
    },
    allowPositionals: false,
    strict: true,
  });
  const missing = (['volumes', 'latency', 'start'] as const).filter((option) => values[option] === undefined);
  if (missing.length > 0) throw new ConfigError(missing.map((option) => ({ path: [option], message: `--${option} is required` })), 'plan arguments');
  const language = values.lang;
  if (language !== 'fr' && language !== 'nl' && language !== 'en') throw new ConfigError([{ path: ['lang'], message: `expected fr, nl or en, got '${language}'` }], 'plan arguments');

  const volumes = Object.fromEntries(pairs('volumes', values.volumes!).map(([name, count]) => [name, number(`volumes.${name}`, count)]));
  const kinds = new Map(values.kind === undefined ? [] : pairs('kind', values.kind.join(',')));
  const sources: Record<string, SourceConfig> = {};
  for (const name of Object.keys(volumes)) {
    const kind = kinds.get(name) ?? name;
    if (!(SOURCE_KINDS as readonly string[]).includes(kind)) {
      throw new ConfigError([{ path: ['kind', name], message: `give the kind of source '${name}': --kind ${name}=rn|bcss|authentic` }], 'plan arguments');
    }
    sources[name] = { kind: kind as SourceKind };
  }
  const latencyText = values.latency!;
  const latencyMs = latencyText.includes('=') ? Object.fromEntries(pairs('latency', latencyText).map(([name, ms]) => [name, number(`latency.${name}`, ms)])) : number('latency', latencyText);
  const timeZone = values['time-zone'];
  const plan = planBatch({
    volumes,
    sources,
    latencyMs,
    start: startOf(values.start!, timeZone),
    calendar: { timeZone },
    ...(values['max-concurrency'] === undefined ? {} : { maxConcurrency: number('max-concurrency', values['max-concurrency']) }),
    ...(values['retry-ratio'] === undefined ? {} : { retryRatio: number('retry-ratio', values['retry-ratio']) }),
  });
  if (values.json === true) return `${JSON.stringify(plan, null, 2)}\n`;
  return `${renderPlan(plan, {
    language: language as PlanLanguage,
    ...(values.reference === undefined ? {} : { reference: values.reference }),
    ...(values.name === undefined ? {} : { batchName: values.name }),
    ...(values.contact === undefined ? {} : { contact: values.contact }),
  })}\n`;
}
