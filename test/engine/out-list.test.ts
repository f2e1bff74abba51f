import { describe, expect, it } from 'vitest';
import { OutList } from '../../src/engine/out-list.js';

const item = (name: string) => ({ name, outAt: -1 });

describe('OutList: the attempts out, added and removed at no hashing cost', () => {
  it('lists what was added and not removed, whatever the order of removal', () => {
    const list = new OutList<ReturnType<typeof item>>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(item) as [ReturnType<typeof item>, ReturnType<typeof item>, ReturnType<typeof item>, ReturnType<typeof item>];
    for (const x of [a, b, c, d]) list.add(x);
    list.delete(b); // from the middle: the last one takes its place
    list.delete(d); // the last one
    expect(list.snapshot().map((x) => x.name).sort()).toEqual(['a', 'c']);
    expect(list.size).toBe(2);
    expect(b.outAt).toBe(-1);
    list.delete(a);
    list.delete(c);
    expect(list.snapshot()).toEqual([]);
  });

  it('ignores adding an item already out and removing one not out', () => {
    const list = new OutList<ReturnType<typeof item>>();
    const a = item('a');
    list.add(a);
    list.add(a);
    expect(list.size).toBe(1);
    list.delete(a);
    list.delete(a);
    expect(list.size).toBe(0);
  });

  it('gives a snapshot that stays whole while the list changes under it (a stop cuts every attempt)', () => {
    const list = new OutList<ReturnType<typeof item>>();
    const items = ['a', 'b', 'c'].map(item);
    for (const x of items) list.add(x);
    const seen: string[] = [];
    for (const x of list.snapshot()) {
      seen.push(x.name);
      list.delete(x);
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(list.size).toBe(0);
  });
});
