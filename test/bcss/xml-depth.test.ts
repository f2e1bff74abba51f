/**
 * The nesting pre-scan that runs before the XML parser: it must count what the parser would
 * nest, no more (comments, CDATA, processing instructions, `>` in attribute values and
 * self-closing tags do not nest) and no less.
 */
import { describe, expect, it } from 'vitest';
import { readSoapReply } from '../../src/bcss/soap-read.js';
import { BcssReplyError } from '../../src/bcss/errors.js';
import { DEFAULT_MAX_REPLY_DEPTH, nestsDeeperThan } from '../../src/bcss/xml-depth.js';
import { readReply, REPLY_FIXTURES } from '../support/reply-fixtures.js';

const nest = (depth: number, inner = 'x'): string => '<e>'.repeat(depth) + inner + '</e>'.repeat(depth);

describe('nestsDeeperThan', () => {
  it('counts element nesting: max levels pass, max + 1 do not', () => {
    expect(nestsDeeperThan(nest(64), 64)).toBe(false);
    expect(nestsDeeperThan(nest(65), 64)).toBe(true);
    expect(nestsDeeperThan('<a><b/><b/><b></b></a>', 2)).toBe(false);
    expect(nestsDeeperThan('<a><b><c/></b></a>', 2)).toBe(false);
    expect(nestsDeeperThan('<a><b><c>1</c></b></a>', 2)).toBe(true);
  });

  it('siblings do not add up: closing tags bring the depth back', () => {
    expect(nestsDeeperThan('<r>' + nest(10).repeat(1_000) + '</r>', 11)).toBe(false);
  });

  it('comments, CDATA, processing instructions and declarations do not nest, even with tags inside', () => {
    const noise = `<?xml version="1.0"?><!-- <a><a><a> --><r><![CDATA[<a><a><a><a>]]><?pi <a><a>?></r>`;
    expect(nestsDeeperThan(noise, 1)).toBe(false);
  });

  it('a > in a quoted attribute value does not end the tag; a self-closing tag with attributes does not nest', () => {
    expect(nestsDeeperThan(`<r a="x>y" b='1>2'><s c=">"/><s c="/>"></s></r>`, 2)).toBe(false);
    expect(nestsDeeperThan(`<r a="/"><s c="/"><t/></s></r>`, 2)).toBe(false);
    expect(nestsDeeperThan(`<r a="/"><s c="/"><t>1</t></s></r>`, 2)).toBe(true);
  });

  it('is linear: 10 MB of flat elements in well under a second', () => {
    const flat = '<r>' + '<v a="1">x</v>'.repeat(700_000) + '</r>';
    const started = performance.now();
    expect(nestsDeeperThan(flat, 64)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('every reply fixture (written from the real replies) passes the default of 64', () => {
    expect(DEFAULT_MAX_REPLY_DEPTH).toBe(64);
    for (const fixture of REPLY_FIXTURES) expect(nestsDeeperThan(readReply(fixture.file), DEFAULT_MAX_REPLY_DEPTH), fixture.file).toBe(false);
  });
});

describe('readSoapReply limits', () => {
  it('maxDepth is checked before parsing and reported as a BcssReplyError', () => {
    const reply = readReply('soa-data-found.xml');
    expect(() => readSoapReply(reply, 'soa', 200, { maxDepth: 4 })).toThrow(BcssReplyError);
    expect(() => readSoapReply(reply, 'soa', 200, { maxDepth: 4 })).toThrow('the reply nests elements deeper than 4 levels (maxReplyDepth)');
    expect(readSoapReply(reply, 'soa', 200, { maxDepth: 8 })).toHaveProperty('reply');
  });
});
