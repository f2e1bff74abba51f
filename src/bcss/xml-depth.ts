/**
 * A linear pre-scan of an XML text's element nesting, run before the XML parser: a reply nested
 * deeper than any BCSS schema allows is refused at once, without building a tree for it.
 */

/** The deepest element nesting a reply may have by default (real BCSS replies nest about 10 deep, the SOAP envelope included). */
export const DEFAULT_MAX_REPLY_DEPTH = 64;

/**
 * True when the elements of `xml` nest deeper than `max` (the root element is depth 1). One
 * pass over the text, no allocation per tag: comments, CDATA sections, processing
 * instructions and declarations are skipped, self-closing tags do not nest, and a `>` inside
 * a quoted attribute value does not end its tag. It only counts: well-formedness is the
 * validator's business (an unterminated construct ends the scan).
 */
export function nestsDeeperThan(xml: string, max: number): boolean {
  let depth = 0;
  let at = xml.indexOf('<');
  while (at !== -1) {
    const next = xml.charCodeAt(at + 1);
    let end: number;
    if (next === 0x21 /* ! */) {
      if (xml.startsWith('<!--', at)) end = endOf(xml, '-->', at + 4);
      else if (xml.startsWith('<![CDATA[', at)) end = endOf(xml, ']]>', at + 9);
      else end = endOf(xml, '>', at + 2);
    } else if (next === 0x3f /* ? */) {
      end = endOf(xml, '?>', at + 2);
    } else if (next === 0x2f /* / */) {
      end = endOf(xml, '>', at + 2);
      depth--;
    } else {
      end = tagEnd(xml, at + 1);
      if (end !== -1 && xml.charCodeAt(end - 2) !== 0x2f /* / */) {
        depth++;
        if (depth > max) return true;
      }
    }
    if (end === -1) return false;
    at = xml.indexOf('<', end);
  }
  return false;
}

/** The index just past `marker` from `from`, or -1. */
function endOf(xml: string, marker: string, from: number): number {
  const found = xml.indexOf(marker, from);
  return found === -1 ? -1 : found + marker.length;
}

/** The index just past the `>` that ends a start tag, quoted attribute values skipped; -1 when there is none. */
function tagEnd(xml: string, from: number): number {
  let quote = 0;
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e /* > */) {
      return i + 1;
    }
  }
  return -1;
}
