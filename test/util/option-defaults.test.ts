/**
 * Defaults are stated once: every field of every options interface of the public API has its
 * TSDoc `@defaultValue` (what an editor shows on hover), and where the field's schema has a
 * `.default()`, that tag states the very value the schema applies. The interfaces are read by
 * TypeScript's checker (inherited and picked fields included), the defaults from the schemas.
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bcssClientSchema } from '../../src/bcss/client-options.js';
import { blackoutSchema, calendarOptionsSchema, officeHoursSchema } from '../../src/calendar/calendar.js';
import { runCalendarSchema } from '../../src/calendar/run-calendar.js';
import { overloadSchema, rejectBudgetSchema, runOptionsSchema, stallSchema } from '../../src/engine/config.js';
import { retrySchema } from '../../src/policy/retry.js';
import { readCsvOptionsSchema, readLinesOptionsSchema } from '../../src/engine/input-files.js';
import { planInputSchema } from '../../src/plan/plan.js';
import { preflightSchema } from '../../src/plan/preflight.js';
import { errorMixSchema, simulateBatchSchema, simulatedSourceSchema } from '../../src/plan/simulate.js';
import { announcementSchema } from '../../src/policy/announcement.js';
import { sourceSchema } from '../../src/policy/source.js';
import { sharedSchema } from '../../src/shared/shared-options.js';
import { fileStoreOptionsSchema } from '../../src/store/file-store/options.js';
import { plannedFiguresSchema } from '../../src/store/records/format.js';
import { overrideSchema } from '../../src/util/options.js';
import { liveControlSchema } from '../../src/engine/control/control-options.js';
import { stopOnSignalsSchema } from '../../src/engine/control/signals.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = (file: string) => path.join(repoRoot, 'src', file);

type Shape = Readonly<Record<string, z.ZodType>>;

/** Each options interface, the file that declares it, and the fields of its schema (none: documented only). */
const OPTIONS: ReadonlyArray<readonly [name: string, file: string, shape: Shape | undefined]> = [
  ['CalendarOptions', 'calendar/calendar.ts', calendarOptionsSchema.shape],
  ['OfficeHours', 'calendar/calendar.ts', officeHoursSchema.shape],
  ['Blackout', 'calendar/calendar.ts', blackoutSchema.shape],
  ['RunCalendarConfig', 'calendar/run-calendar.ts', runCalendarSchema.shape],
  ['OverrideReason', 'util/options.ts', overrideSchema.shape],
  ['SourceConfig', 'policy/source.ts', sourceSchema.shape],
  ['AnnouncementConfig', 'policy/announcement.ts', announcementSchema.shape],
  ['SharedOptions', 'shared/shared-options.ts', sharedSchema.shape],
  ['RetryOptions', 'policy/retry.ts', retrySchema.shape],
  ['OverloadConfig', 'engine/run-options.ts', overloadSchema.shape],
  ['StallConfig', 'engine/run-options.ts', stallSchema.shape],
  ['RejectBudgetConfig', 'engine/run-options.ts', rejectBudgetSchema.shape],
  ['RunOptions', 'engine/run-options.ts', runOptionsSchema.shape],
  ['BcssClientOptions', 'bcss/client-options.ts', bcssClientSchema.shape],
  ['FileStoreOptions', 'store/file-store/options.ts', fileStoreOptionsSchema.shape],
  ['TriageRoute', 'store/file-store/triage.ts', undefined],
  ['PlanInput', 'plan/plan.ts', planInputSchema.shape],
  ['PreflightInput', 'plan/preflight.ts', { ...planInputSchema.shape, ...preflightSchema.shape }],
  ['SimulateBatchOptions', 'plan/simulate.ts', simulateBatchSchema.shape],
  ['SimulatedSource', 'plan/simulate.ts', simulatedSourceSchema.shape],
  ['ErrorMix', 'plan/simulate.ts', errorMixSchema.shape],
  ['ReadCsvOptions', 'engine/input-files.ts', readCsvOptionsSchema.shape],
  ['ReadLinesOptions', 'engine/input-files.ts', readLinesOptionsSchema.shape],
  ['InszOptions', 'policy/insz.ts', undefined],
  ['OverloadOptions', 'policy/overload.ts', undefined],
  ['MutationsAdviceInput', 'plan/mutations.ts', undefined],
  ['RenderPlanOptions', 'plan/plan-text.ts', undefined],
  ['CallOptions', 'bcss/client.ts', undefined],
  ['BcssClassifierOptions', 'bcss/classify.ts', undefined],
  ['RecordingServiceOptions', 'testing/recording-service.ts', undefined],
  ['FakeBcssOptions', 'testing/fake-bcss.ts', undefined],
  ['FakeClockOptions', 'util/fake-clock.ts', undefined],
  ['RunWithFakeTimersOptions', 'testing/fake-timers.ts', undefined],
  ['RepairOptions', 'store/file-store/repair.ts', undefined],
  ['PlannedFigures', 'store/records/format.ts', plannedFiguresSchema.shape],
  ['PlannedSource', 'store/records/format.ts', undefined],
  ['ReportHtmlOptions', 'report/html.ts', undefined],
  ['LiveControlOptions', 'engine/control/control-options.ts', liveControlSchema.shape],
  ['StopOnSignalsOptions', 'engine/control/signals.ts', stopOnSignalsSchema.shape],
  ['ControlRequest', 'engine/state-machine.ts', undefined],
];

const program = ts.createProgram([...new Set(OPTIONS.map(([, file]) => src(file)))], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true });
const checker = program.getTypeChecker();

/** The fields of an interface and the text of each one's `@defaultValue` (undefined: no tag). */
function documentedDefaults(name: string, file: string): Map<string, string | undefined> {
  const source = program.getSourceFile(src(file));
  if (source === undefined) throw new Error(`no source ${file}`);
  let declaration: ts.InterfaceDeclaration | undefined;
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) declaration = node;
  });
  if (declaration === undefined) throw new Error(`no interface ${name} in ${file}`);
  const type = checker.getTypeAtLocation(declaration.name);
  const fields = new Map<string, string | undefined>();
  for (const property of checker.getPropertiesOfType(type)) {
    const tag = property.getJsDocTags(checker).find((t) => t.name === 'defaultValue');
    fields.set(property.name, tag === undefined ? undefined : ts.displayPartsToString(tag.text));
  }
  return fields;
}

/** The primitive values a default is made of (what its `@defaultValue` must state). */
function leaves(value: unknown): Array<string | number | boolean> {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [value];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value instanceof RegExp) return [value.source];
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(leaves);
  return [];
}

/** True when the tag's text states `leaf`: a number as a whole word (`1000` is not in `10000`), a string as written. */
function states(text: string, leaf: string | number | boolean): boolean {
  if (typeof leaf === 'string') return text.includes(leaf);
  return new RegExp(`(^|[^\\d.])${String(leaf).replace('.', '\\.')}(?![\\d.]*\\d)`).test(text);
}

/**
 * True when a default is an options object made of its own fields' defaults (`retry`: `{}`
 * resolved): those defaults are checked in the row of its own interface.
 */
function isOwnFieldsDefaults(schema: z.ZodDefault<z.ZodType>, value: unknown): boolean {
  const inner = schema.def.innerType;
  const candidates = inner instanceof z.ZodUnion ? (inner.def.options as readonly z.ZodType[]) : [inner];
  return candidates.some((candidate) => candidate instanceof z.ZodObject && isDeepStrictEqual(candidate.safeParse({}).data, value));
}

describe('every options interface states the default of every field', () => {
  it.each(OPTIONS.map(([name, file]) => [name, file] as const))('%s: each field has a @defaultValue', (name, file) => {
    const fields = documentedDefaults(name, file);
    expect(fields.size).toBeGreaterThan(0);
    expect([...fields].filter(([, tag]) => tag === undefined).map(([field]) => field)).toEqual([]);
  });

  it.each(OPTIONS.filter(([, , shape]) => shape !== undefined).map(([name, file, shape]) => [name, file, shape!] as const))(
    '%s: the interface has the fields of its schema, and each schema default is the documented one',
    (name, file, shape) => {
      const fields = documentedDefaults(name, file);
      expect([...fields.keys()].sort()).toEqual(Object.keys(shape).sort());
      const disagreeing: string[] = [];
      for (const [field, schema] of Object.entries(shape)) {
        if (!(schema instanceof z.ZodDefault)) continue;
        const value: unknown = (schema as z.ZodDefault<z.ZodType>).def.defaultValue;
        if (isOwnFieldsDefaults(schema as z.ZodDefault<z.ZodType>, value)) continue;
        const text = fields.get(field) ?? '';
        const unstated = leaves(value).filter((leaf) => !states(text, leaf));
        if (unstated.length > 0) disagreeing.push(`${field}: the schema's default has ${unstated.map(String).join(', ')}, the doc says '${text}'`);
      }
      expect(disagreeing).toEqual([]);
    },
  );

  it('a default the doc does not state is caught (the check can fail)', () => {
    expect(leaves({ maxAttempts: 5, days: ['mon'], on: false })).toEqual([5, 'mon', false]);
    expect(states('`10000`', 1000)).toBe(false);
    expect(states('`1000`', 1000)).toBe(true);
    expect(states('`0.5`', 5)).toBe(false);
    expect(states('`{ maxRatio: 0.1 }`', 0.1)).toBe(true);
  });
});
