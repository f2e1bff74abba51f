/**
 * The fake BCSS's XML toolkit: a namespace-aware reading of a document (fast-xml-parser keeps
 * prefixes; the namespaces are resolved here), a small content-model checker written from the
 * facts of the BCSS schemas (sequence, choice, cardinality, namespace of each element, simple
 * types), and an escaping writer for replies.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An element, its namespace resolved. */
export interface XmlNode {
  /** Namespace URI ('' when none). */
  readonly ns: string;
  readonly local: string;
  /** Attributes by their written name (`xmlns*` left out). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** The element's own text (text and CDATA sections, concatenated). */
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Raw = Record<string, unknown>;

/** Parses a document; `undefined` when it is not well-formed XML or carries a DOCTYPE. */
export function parseXml(text: string): XmlNode | undefined {
  if (/<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) return undefined;
  const top = parser.parse(text) as Raw[];
  const root = top.find((entry) => Object.keys(entry).some((key) => !key.startsWith('#') && key !== ':@'));
  return root === undefined ? undefined : toNode(root, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

function toNode(raw: Raw, outer: ReadonlyMap<string, string>): XmlNode | undefined {
  const name = Object.keys(raw).find((key) => key !== ':@' && !key.startsWith('#'));
  if (name === undefined) return undefined;
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const scope = new Map(outer);
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'xmlns') scope.set('', value);
    else if (key.startsWith('xmlns:')) scope.set(key.slice(6), value);
    else attributes[key] = value;
  }
  const colon = name.indexOf(':');
  const prefix = colon === -1 ? '' : name.slice(0, colon);
  const children: XmlNode[] = [];
  let text = '';
  for (const item of raw[name] as Raw[]) {
    if ('#text' in item) text += String(item['#text']);
    else if ('#cdata' in item) for (const part of item['#cdata'] as Raw[]) text += String(part['#text'] ?? '');
    else {
      const child = toNode(item, scope);
      if (child !== undefined) children.push(child);
    }
  }
  // An undeclared prefix keeps a namespace no schema has, so the element is never accepted.
  const ns = scope.get(prefix) ?? (prefix === '' ? '' : `urn:undeclared-prefix:${prefix}`);
  return { ns, local: colon === -1 ? name : name.slice(colon + 1), attributes, children, text };
}

/** `{ns}local`, as messages show an element. */
export function qname(node: { readonly ns: string; readonly local: string }): string {
  return node.ns === '' ? node.local : `{${node.ns}}${node.local}`;
}

/** The first child with this namespace and local name. */
export function childOf(node: XmlNode | undefined, ns: string, local: string): XmlNode | undefined {
  return node?.children.find((c) => c.ns === ns && c.local === local);
}

/** Follows a path of local names in one namespace; the trimmed text of the element found. */
export function textAt(node: XmlNode | undefined, ns: string, path: readonly string[]): string | undefined {
  let current = node;
  for (const step of path) current = childOf(current, ns, step);
  return current?.text.trim();
}

// ── Content models ───────────────────────────────────────────────────────────

/** A simple type: the facets the BCSS schemas use. */
export interface SimpleType {
  readonly pattern?: RegExp;
  readonly length?: number;
  readonly maxLength?: number;
  readonly values?: readonly string[];
  /** A name for messages, e.g. `t_SSIN`. */
  readonly name?: string;
}

/** An element of a content model. */
export interface ElementRule {
  readonly name: string;
  readonly ns: string;
  readonly min?: number;
  readonly max?: number;
  /** A simple type, a sequence of children, or `any` (one element, any content). */
  readonly type?: SimpleType | ContentModel | 'any';
}

/** A choice between sequences (e.g. `cbeNumber` or `sector` + `institution`). */
export interface ChoiceRule {
  readonly choice: readonly (readonly (ElementRule | ChoiceRule)[])[];
  readonly min?: number;
}

/** A sequence of elements and choices. */
export interface ContentModel {
  readonly sequence: readonly (ElementRule | ChoiceRule)[];
}

/** Why a document breaks its content model. */
export interface Violation {
  readonly kind: 'missing' | 'wrong-namespace' | 'unexpected' | 'invalid-value';
  /** Slash-separated local names from the checked root, e.g. `searchInformation/ssin`. */
  readonly path: string;
  readonly message: string;
  readonly value?: string;
}

const isChoice = (rule: ElementRule | ChoiceRule): rule is ChoiceRule => 'choice' in rule;
const isModel = (type: ElementRule['type']): type is ContentModel => typeof type === 'object' && 'sequence' in type;

/** Checks an element's children and text against its content model; the first violation, or undefined. */
export function checkElement(node: XmlNode, rule: ElementRule, path: string): Violation | undefined {
  const { type } = rule;
  if (type === 'any') return undefined;
  if (isModel(type)) {
    if (node.text.trim() !== '') return { kind: 'unexpected', path, message: `${path} has text where the schema expects child elements` };
    const [violation, next] = checkSequence(node.children, 0, type.sequence, path);
    if (violation !== undefined) return violation;
    const extra = node.children[next];
    if (extra !== undefined) return unexpected(extra, path);
    return undefined;
  }
  if (node.children.length > 0) return { kind: 'unexpected', path, message: `${path} has child elements where the schema expects text` };
  return checkValue(node.text, type ?? {}, path);
}

function unexpected(node: XmlNode, parentPath: string): Violation {
  return { kind: 'unexpected', path: `${parentPath}/${node.local}`, message: `${qname(node)} is not expected here in ${parentPath}` };
}

/** Whether an element is the one a rule names (`*` is a wildcard, as for `xs:any`). */
function matches(node: XmlNode, rule: ElementRule): boolean {
  return (rule.name === '*' || node.local === rule.name) && (rule.ns === '*' || node.ns === rule.ns);
}

function firstRule(items: readonly (ElementRule | ChoiceRule)[]): ElementRule | undefined {
  const first = items[0];
  if (first === undefined) return undefined;
  return isChoice(first) ? undefined : first;
}

function checkSequence(children: readonly XmlNode[], start: number, items: readonly (ElementRule | ChoiceRule)[], path: string): [Violation | undefined, number] {
  let index = start;
  for (const item of items) {
    if (isChoice(item)) {
      const child = children[index];
      const branch = item.choice.find((b) => {
        const rule = firstRule(b);
        return rule !== undefined && child !== undefined && matches(child, rule);
      });
      if (branch === undefined) {
        if ((item.min ?? 1) === 0) continue;
        const names = item.choice.map((b) => b.map((r) => (isChoice(r) ? '(choice)' : r.name)).join(' + ')).join(' or ');
        return [{ kind: 'missing', path, message: `${path} needs ${names}` }, index];
      }
      const [violation, next] = checkSequence(children, index, branch, path);
      if (violation !== undefined) return [violation, next];
      index = next;
      continue;
    }
    const min = item.min ?? 1;
    const max = item.max ?? 1;
    let count = 0;
    while (count < max) {
      const child = children[index];
      if (child === undefined || !matches(child, item)) break;
      const violation = checkElement(child, item, `${path}/${item.name}`);
      if (violation !== undefined) return [violation, index];
      index++;
      count++;
    }
    if (count < min) {
      const child = children[index];
      const childPath = `${path}/${item.name}`;
      if (child !== undefined && child.local === item.name) {
        const where = item.ns === '' ? 'no namespace' : `the namespace ${item.ns}`;
        return [{ kind: 'wrong-namespace', path: childPath, message: `${childPath} is in ${child.ns === '' ? 'no namespace' : `the namespace ${child.ns}`}; the schema puts it in ${where}` }, index];
      }
      return [{ kind: 'missing', path: childPath, message: `${childPath} is mandatory and missing${child === undefined ? '' : ` (found ${qname(child)})`}` }, index];
    }
  }
  return [undefined, index];
}

function checkValue(raw: string, type: SimpleType, path: string): Violation | undefined {
  const value = raw.trim();
  const bad = (why: string): Violation => ({ kind: 'invalid-value', path, value, message: `${path} '${value}' ${why}` });
  if (type.length !== undefined && [...value].length !== type.length) return bad(`must have ${type.length} characters${type.name === undefined ? '' : ` (${type.name})`}`);
  if (type.maxLength !== undefined && [...value].length > type.maxLength) return bad(`is longer than ${type.maxLength} characters`);
  if (type.values !== undefined && !type.values.includes(value)) return bad(`is not one of ${type.values.join(', ')}`);
  if (type.pattern !== undefined && !type.pattern.test(value)) return bad(`does not match ${type.name ?? 'its pattern'}`);
  return undefined;
}

// ── Writing ──────────────────────────────────────────────────────────────────

/** Escapes text for an element or a double-quoted attribute. */
export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<name>text</name>` with the text escaped, or '' when the text is undefined. */
export function el(name: string, text: string | undefined): string {
  return text === undefined ? '' : `<${name}>${esc(text)}</${name}>`;
}
