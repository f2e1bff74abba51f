/**
 * What an editor shows on hover over an option: the TSDoc of the field and its `@defaultValue`,
 * asked of TypeScript's language service (the service editors use) on a consumer's code.
 * Zod-inferred types showed nothing there; the options are interfaces now.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const consumerFile = path.join(repoRoot, 'test', '__hover_consumer__.ts');
const consumerSource = `
import { createRun, type RunOptions } from '../src/index.js';

const options: RunOptions<string, string> = {
  input: ['a'],
  call: async (item) => item,
  source: 'rn',
  sources: { rn: { kind: 'rn', cap: 2 } },
  retry: { maxAttempts: 3, baseDelayMs: 500 },
  announcement: { reference: 'SD-2026-000001', announcedOn: '2026-11-02' },
  calendar: { timeZone: 'Europe/Brussels' },
  shared: { redis: 'redis://127.0.0.1:6379', namespace: 'inst', runName: 'night', lockMs: 30000 },
  onSuccess: (_item, _value, info) => {
    void info.key;
  },
};
createRun(options);
`;

function languageService(): ts.LanguageService {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [consumerFile],
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => {
      if (file === consumerFile) return ts.ScriptSnapshot.fromString(consumerSource);
      return existsSync(file) ? ts.ScriptSnapshot.fromString(readFileSync(file, 'utf8')) : undefined;
    },
    getCurrentDirectory: () => repoRoot,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (file) => file === consumerFile || ts.sys.fileExists(file),
    readFile: (file) => (file === consumerFile ? consumerSource : ts.sys.readFile(file)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return ts.createLanguageService(host, ts.createDocumentRegistry());
}

const service = languageService();

/** The hover text at the first `name` in the consumer's code: the doc and the tags. */
function hover(name: string): { doc: string; tags: Record<string, string> } {
  const at = consumerSource.indexOf(`${name}`) + 1;
  const info = service.getQuickInfoAtPosition(consumerFile, at);
  if (info === undefined) throw new Error(`no quick info at ${name}`);
  const tags = Object.fromEntries((info.tags ?? []).map((tag) => [tag.name, ts.displayPartsToString(tag.text)]));
  return { doc: ts.displayPartsToString(info.documentation), tags };
}

describe('hover documentation of the options', () => {
  it('retry.maxAttempts: what it is, and its default', () => {
    const { doc, tags } = hover('maxAttempts');
    expect(doc).toContain('Most attempts per item');
    expect(tags.defaultValue).toContain('5');
  });

  it.each([
    ['baseDelayMs', 'exponential backoff', '1000'],
    ['announcedOn', 'date the batch was announced', 'required unless `override`'],
    ['reference', 'reference of the announcement', 'required unless `override`'],
    ['cap', 'simultaneous calls', 'policy cap'],
    ['timeZone', 'IANA time zone', 'Europe/Brussels'],
    ['lockMs', 'run lock', '30000'],
    ['retry', 'Retry policy', 'maxAttempts: 5'],
    ['calendar', 'office-hours calendar', 'Mon–Fri 08:00–17:00'],
  ])('%s', (name, docText, defaultText) => {
    const { doc, tags } = hover(`${name}:`);
    expect(doc).toContain(docText);
    expect(tags.defaultValue).toContain(defaultText);
  });

  it('SuccessInfo.key has its doc', () => {
    expect(hover('key;').doc).toContain("The item's key");
  });

  it('the consumer code type-checks (the hovers are of a valid program)', () => {
    const diagnostics = [...service.getSyntacticDiagnostics(consumerFile), ...service.getSemanticDiagnostics(consumerFile)];
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });
});
