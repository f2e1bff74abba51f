/**
 * Request bodies: the caller's plain objects turned into XML elements, each in its namespace.
 *
 * A body is an object of child elements by name, in order. The namespace of an element is never
 * written by the caller as a prefix or an `xmlns` attribute (both are refused): the service
 * element says it (`namespace`, and `elementForm` for its children), and {@link inNamespace}
 * puts one element (and what it contains) in another namespace, e.g. the SSDN Common
 * `StartDate` of a ManageAccess `Period`. The client generates the prefixes (`ns1`, `ns2`, ...).
 */
import { BcssRequestError } from './errors.js';

/** A value of a request body: text, number, boolean, date (ISO 8601), nested element, repeated elements, or one of these in another namespace. */
export type XmlValue = string | number | boolean | bigint | Date | null | undefined | XmlElement | XmlInNamespace | readonly XmlValue[];
/**
 * An element's content: child elements by name, in order. A key `@_name` is an (unqualified)
 * attribute and `#text` the element's own text. `undefined` leaves the element out; `null`
 * writes it empty. Names are plain XML names: no prefix, no `xmlns` attribute (see {@link inNamespace}).
 */
export interface XmlElement {
  readonly [name: string]: XmlValue;
}

/** A value marked by {@link inNamespace}: the element that holds it is in `namespace`. */
export class XmlInNamespace {
  /** @internal */
  constructor(
    /** The namespace URI of the element. */
    readonly namespace: string,
    /** The element's value: text, an element (whose unmarked children share the namespace), or a list of them. */
    readonly value: XmlValue,
  ) {
    Object.freeze(this);
  }
}

/**
 * Puts the element that holds `value` in `namespace`; its child elements, unless marked
 * themselves, are in the same namespace (as with `elementFormDefault="qualified"`, the rule of
 * the SSDN schemas). A list puts every repeated element in the namespace.
 *
 * @example
 * ```ts
 * // ManageAccess: Period is a ManageAccess element, its dates are SSDN Common ones.
 * body: { SSIN: ssin, Purpose: 10, Period: { StartDate: inNamespace(SSDN_COMMON_NS, '2026-12-01') }, Action: 'REGISTER', ... }
 * ```
 * @throws {BcssRequestError} when `namespace` is empty.
 */
export function inNamespace(namespace: string, value: XmlValue): XmlInNamespace {
  if (typeof namespace !== 'string' || namespace === '') throw new BcssRequestError('inNamespace() needs a namespace URI');
  if (value instanceof XmlInNamespace) return new XmlInNamespace(namespace, value.value);
  return new XmlInNamespace(namespace, value);
}

/** How the children of a service's request element are named: in its namespace (`qualified`) or in none (`unqualified`). */
export type ElementForm = 'qualified' | 'unqualified';

/** A tree of strings for the XML builder. */
export type Tree = { [name: string]: string | Tree | Array<Tree | string> };

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Checks a plain XML name (no prefix); throws {@link BcssRequestError}. */
export function checkName(name: string, what: string): void {
  if (!XML_NAME.test(name)) throw new BcssRequestError(`${what} '${name}' is not a valid XML name`);
}

/** Prefixes of the namespaces of one request element, generated in order of use. */
export class Prefixes {
  private readonly byNamespace = new Map<string, string>();

  prefixOf(namespace: string): string {
    let prefix = this.byNamespace.get(namespace);
    if (prefix === undefined) {
      prefix = `ns${this.byNamespace.size + 1}`;
      this.byNamespace.set(namespace, prefix);
    }
    return prefix;
  }

  /** The `xmlns:nsN` attributes declaring every prefix used. */
  declarations(): Tree {
    const attributes: Tree = {};
    for (const [namespace, prefix] of this.byNamespace) attributes[`@_xmlns:${prefix}`] = namespace;
    return attributes;
  }
}

interface Scope {
  /** Namespace of unmarked child elements (`undefined`: none). */
  readonly childNamespace: string | undefined;
  /** True while a default namespace (`xmlns="..."`) is in scope, so that a no-namespace element must undeclare it. */
  readonly defaultInScope: boolean;
  readonly prefixes: Prefixes;
  readonly path: string;
}

function isElement(value: XmlValue): value is XmlElement {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof XmlInNamespace) && !Array.isArray(value);
}

function textOf(value: XmlValue, path: string): string {
  if (value === null) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new BcssRequestError(`'${path}' is an invalid date`);
    return value.toISOString();
  }
  if (Array.isArray(value)) throw new BcssRequestError(`'${path}' nests a list directly in a list`);
  if (value instanceof XmlInNamespace) throw new BcssRequestError(`'${path}': inNamespace() marks an element, not a list item; wrap the whole list: inNamespace(ns, [...])`);
  return String(value);
}

/** One element (`name` holding `value`), in `namespace` (or none). */
function elementOf(value: XmlValue, namespace: string | undefined, scope: Scope, path: string): Tree | string {
  const reset = namespace === undefined && scope.defaultInScope;
  const inner: Scope = { ...scope, childNamespace: namespace, defaultInScope: scope.defaultInScope && !reset, path };
  if (isElement(value)) {
    const tree = contentOf(value, inner);
    return reset ? { '@_xmlns': '', ...tree } : tree;
  }
  const text = textOf(value, path);
  return reset ? { '@_xmlns': '', '#text': text } : text;
}

/** The content of an element: its attributes, text and child elements. */
export function contentOf(element: XmlElement, scope: Scope): Tree {
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(element)) {
    const path = `${scope.path}.${name}`;
    if (name === '#text') {
      if (raw !== undefined) tree['#text'] = textOf(raw, path);
      continue;
    }
    if (name.startsWith('@_')) {
      const attribute = name.slice(2);
      if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) {
        throw new BcssRequestError(`'${path}': namespaces are not written as attributes; give the service element's namespace, or use inNamespace(ns, value)`);
      }
      checkName(attribute, `the attribute of '${scope.path}'`);
      if (raw !== undefined) tree[name] = textOf(raw, path);
      continue;
    }
    if (name.includes(':')) throw new BcssRequestError(`'${path}': prefixed names are refused; the client writes the prefixes; use inNamespace(ns, value) for an element in another namespace`);
    checkName(name, `a child of '${scope.path}':`);
    if (raw === undefined) continue;
    const marked = raw instanceof XmlInNamespace;
    const namespace = marked ? raw.namespace : scope.childNamespace;
    const value = marked ? raw.value : raw;
    if (value === undefined) continue;
    const qname = namespace === undefined ? name : `${scope.prefixes.prefixOf(namespace)}:${name}`;
    if (qname in tree) throw new BcssRequestError(`'${path}' appears twice in the same namespace`);
    if (Array.isArray(value)) {
      const items = (value as readonly XmlValue[]).filter((item) => item !== undefined);
      tree[qname] = items.map((item) => {
        const built = elementOf(item, namespace, scope, path);
        return typeof built === 'string' && items.some(isElement) ? { '#text': built } : built;
      });
    } else {
      tree[qname] = elementOf(value, namespace, scope, path);
    }
  }
  return tree;
}

/**
 * The tree of a service's request element: `<nsN:name xmlns:nsN="...">` with its body; the
 * children in the element's namespace (`qualified`) or in none (`unqualified`). `head` comes
 * first (e.g. the SOA `informationCustomer` and `legalContext`, which are always unqualified).
 */
export function serviceElementTree(
  request: { readonly name: string; readonly namespace: string; readonly body: XmlElement; readonly elementForm?: ElementForm },
  options: { readonly form: ElementForm; readonly defaultInScope: boolean; readonly head?: Tree },
): Tree {
  checkName(request.name, 'the request element');
  if (typeof request.namespace !== 'string' || request.namespace === '') throw new BcssRequestError(`the request element '${request.name}' needs its namespace`);
  if (!isElement(request.body)) throw new BcssRequestError(`the body of '${request.name}' must be an object of child elements`);
  const prefixes = new Prefixes();
  const prefix = prefixes.prefixOf(request.namespace);
  const form = request.elementForm ?? options.form;
  const scope: Scope = { childNamespace: form === 'qualified' ? request.namespace : undefined, defaultInScope: options.defaultInScope, prefixes, path: request.name };
  const body = contentOf(request.body, scope);
  for (const reserved of Object.keys(options.head ?? {})) {
    if (reserved in body || `${prefix}:${reserved}` in body) throw new BcssRequestError(`the body must not contain '${reserved}': the client writes it`);
  }
  // The head is written unqualified where no default namespace is in scope (the SOA envelope).
  const head = options.head ?? {};
  return { [`${prefix}:${request.name}`]: { ...prefixes.declarations(), ...head, ...body } };
}
