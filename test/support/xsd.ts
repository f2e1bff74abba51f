/**
 * XML Schema validation for tests, with Debian's `xmllint` (package libxml2-utils; `.ci/run`
 * installs it). The schemas are the project's own fixtures in `test/fixtures/xsd/`, written from
 * the facts of the BCSS's published schemas.
 *
 * - {@link validateXml}: validates a document against a named schema. The document's root
 *   element must be declared by that schema (xmllint refuses an undeclared root), so validating
 *   a service element alone is a STRICT check of its name and namespace.
 * - {@link xpathText}: the text of a part of a document (e.g. the SSDN `xmlString`, to validate
 *   the SSDNRequest it carries); {@link expandedName}: the namespace and name of an element.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the schema fixtures. */
export const XSD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'xsd');

/** The names of the schema fixtures (file names without `.xsd`). */
export type XsdName =
  | 'bcss-all'
  | 'soap-envelope'
  | 'ws-connector'
  | 'ssdn-common'
  | 'ssdn-person'
  | 'ssdn-service'
  | 'identify-person'
  | 'manage-access'
  | 'cbss-common-v3'
  | 'retrieve-ti-groups-v2-types'
  | 'retrieve-ti-groups-v2'
  | 'soa-system-error';

/** Every schema fixture on disk, by name. */
export function xsdNames(): string[] {
  return readdirSync(XSD_DIR)
    .filter((name) => name.endsWith('.xsd'))
    .map((name) => name.slice(0, -4));
}

/** The verdict of {@link validateXml}. */
export interface XsdVerdict {
  readonly valid: boolean;
  /** xmllint's messages (line numbers refer to the document), empty when valid. */
  readonly errors: readonly string[];
}

function xmllint(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('xmllint', args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) {
    throw new Error(`xmllint could not be started (install the Debian package libxml2-utils): ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Validates `xml` against the schema fixture `schema` (`xmllint --noout --schema`). */
export function validateXml(xml: string, schema: XsdName): XsdVerdict {
  const { status, stderr } = xmllint(['--noout', '--nonet', '--schema', join(XSD_DIR, `${schema}.xsd`), '-'], xml);
  const errors = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.endsWith(' validates'));
  return { valid: status === 0, errors: status === 0 ? [] : errors };
}

/** Throws with xmllint's messages when `xml` does not validate against `schema`. */
export function assertValidXml(xml: string, schema: XsdName): void {
  const verdict = validateXml(xml, schema);
  if (!verdict.valid) throw new Error(`not valid against ${schema}.xsd:\n${verdict.errors.join('\n')}\n--- document ---\n${xml}`);
}

/** The string value of an XPath expression over `xml` (entities and CDATA resolved). */
export function xpathText(xml: string, expression: string): string {
  const { status, stdout, stderr } = xmllint(['--nonet', '--xpath', `string(${expression})`, '-'], xml);
  if (status !== 0) throw new Error(`xmllint --xpath failed: ${stderr}`);
  // xmllint ends what it prints with one newline of its own.
  return stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout;
}

/**
 * The expanded name `{namespace}local` of the first element an XPath expression selects, or ''
 * when none. A lax wildcard (soap:Body, SSDN ServiceRequest) validates only elements its schemas
 * declare: check the expanded name too, so that an element in the wrong namespace cannot slip
 * through unvalidated.
 */
export function expandedName(xml: string, expression: string): string {
  const local = xpathText(xml, `local-name((${expression})[1])`);
  if (local === '') return '';
  return `{${xpathText(xml, `namespace-uri((${expression})[1])`)}}${local}`;
}

/** XPath of an element by local name, whatever its prefix: `el('Body')` → `*[local-name()="Body"]`. */
export function el(localName: string): string {
  return `*[local-name()="${localName}"]`;
}
