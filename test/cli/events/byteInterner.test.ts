// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ByteInterner, fnv1a } from '../../../src/cli/events/byteInterner';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const intern = (t: ByteInterner, key: string) => {
  const b = bytes(key);
  return t.intern(b, 0, b.length, fnv1a(b, 0, b.length));
};

describe('ByteInterner', () => {
  it('gives each distinct key the next index and the same key the same index, short or long', () => {
    const t = new ByteInterner();
    const keys = [
      'a',
      'b',
      'a',
      'exactly-11b',
      'twelve-bytes',
      'a much longer key of forty bytes or so..',
      'b',
    ];
    expect(keys.map((k) => intern(t, k))).toEqual([0, 1, 0, 2, 3, 4, 1]);
    expect(t.count).toBe(5);
    expect(t.ids).toEqual([
      'a',
      'b',
      'exactly-11b',
      'twelve-bytes',
      'a much longer key of forty bytes or so..',
    ]);
    expect(t.internString('twelve-bytes')).toBe(3);
  });

  it('keeps apart keys differing in length, in a late byte or by a trailing NUL', () => {
    const t = new ByteInterner();
    const keys = [
      'x',
      'x\0',
      'x\0\0',
      'abcdefghijk',
      'abcdefghijl',
      `${'k'.repeat(30)}1`,
      `${'k'.repeat(30)}2`,
    ];
    const ids = keys.map((k) => intern(t, k));
    expect(new Set(ids).size).toBe(keys.length);
    expect(keys.map((k) => intern(t, k))).toEqual(ids);
  });

  it('grows past its reserve without losing a key, and calls onGrow for big tables only', () => {
    const t = new ByteInterner();
    let grown = 0;
    t.onGrow = () => grown++;
    for (let i = 0; i < 5000; i++) expect(intern(t, `user-${i}`)).toBe(i);
    for (let i = 0; i < 5000; i++) expect(intern(t, `user-${i}`)).toBe(i);
    expect(grown).toBe(0);
  });

  it("merges another table's keys: shared keys map to the existing index, new ones are appended", () => {
    const a = new ByteInterner();
    for (const k of ['p', 'q']) intern(a, k);
    const b = new ByteInterner();
    b.keepStrings = false;
    for (const k of ['q', 'r', 'p', 's']) intern(b, k);
    expect(b.ids).toEqual([]);
    expect([...a.merge(b.keyBytes())]).toEqual([1, 2, 0, 3]);
    expect(a.ids).toEqual(['p', 'q', 'r', 's']);
  });
});
