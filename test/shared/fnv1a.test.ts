import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a, fnv1aUtf8, fnv1aUtf16 } from '../../src/shared/fnv1a';
import { fuzzRuns } from '../support/fuzzRuns';

describe('fnv1a', () => {
  it('matches the published FNV-1a 32 test vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(fnv1a(enc(''))).toBe(0x811c9dc5);
    expect(fnv1a(enc('a'))).toBe(0xe40c292c);
    expect(fnv1a(enc('foobar'))).toBe(0xbf9cf968);
    expect(fnv1a(enc('xfoobarx'), 1, 7)).toBe(0xbf9cf968);
  });

  it('hashes a string as the bytes TextEncoder writes, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        expect(fnv1aUtf8(s)).toBe(fnv1a(new TextEncoder().encode(s)));
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('hashes UTF-16 code units one step each', () => {
    expect(fnv1aUtf16('a') >>> 0).toBe(0xe40c292c);
    expect(fnv1aUtf16('foobar') >>> 0).toBe(0xbf9cf968);
  });
});
