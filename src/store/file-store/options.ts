/**
 * The options of {@link FileStore.open}: the interface, with the documentation and default of
 * each field, and the zod schema that validates it, checked against each other at compile time.
 */
import { z } from 'zod';
import type { Assert, SchemaMatches } from '../../util/type-checks.js';
import { nodeFileSystem, type FileSystem } from './fs.js';
import { DEFAULT_LEDGER, DEFAULT_TRIAGE_ROUTES, routeIssues, type TriageRoute } from './triage.js';

/** Options of {@link FileStore.open}. */
export interface FileStoreOptions {
  /**
   * Routing of rejects to named ledgers: the first route that matches a reject's code (and
   * outcome) wins.
   * @defaultValue {@link DEFAULT_TRIAGE_ROUTES} (`MSG00006` to `ssin-replaced`, `MSG00012` to `not-integrated`)
   */
  readonly routes?: readonly TriageRoute[] | undefined;
  /**
   * Ledger of the rejects no route matches.
   * @defaultValue `'rejects'` ({@link DEFAULT_LEDGER})
   */
  readonly defaultLedger?: string | undefined;
  /**
   * Keep keys unmasked in the ledgers (national numbers in keys are masked otherwise). Opt in
   * to re-run rejects by their national number; the files stay owner-only.
   * @defaultValue `false`
   */
  readonly keepNationalNumbers?: boolean | undefined;
  /**
   * Records between two checkpoints; the journal holds at most this many.
   * @defaultValue `1000`
   */
  readonly checkpointEvery?: number | undefined;
  /**
   * File operations (tests inject failures).
   * @defaultValue the real file system
   */
  readonly fs?: FileSystem | undefined;
}

const route = z.object({
  ledger: z.string({ message: 'expected a ledger name' }),
  code: z.union([z.string(), z.instanceof(RegExp)], { message: 'expected a code or a RegExp' }).optional(),
  outcome: z.enum(['reject', 'exhausted']).optional(),
});

const fileSystem = z.custom<FileSystem>((v) => typeof v === 'object' && v !== null, { message: 'expected a FileSystem' });

/** Schema of {@link FileStoreOptions}; the ledger names and routes are checked as a whole. */
export const fileStoreOptionsSchema = z
  .object({
    routes: z.array(route).readonly().default(DEFAULT_TRIAGE_ROUTES),
    defaultLedger: z.string().default(DEFAULT_LEDGER),
    keepNationalNumbers: z.boolean().default(false),
    checkpointEvery: z.custom<number>((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1, { message: 'expected a positive integer' }).default(1_000),
    fs: fileSystem.default(nodeFileSystem),
  })
  .superRefine((options, context) => {
    for (const issue of routeIssues(options.routes, options.defaultLedger)) context.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
  });

type _FileStoreOptionsAgree = Assert<SchemaMatches<z.input<typeof fileStoreOptionsSchema>, FileStoreOptions>>;
