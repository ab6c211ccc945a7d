import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a, fnv1aUtf8 } from '../../src/shared/fnv1a';
import { fnv1aUtf16 } from '../../src/shared/fnv1aUtf16';
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

  it('hashes UTF-16 code units one step each, with the same offset basis and prime', () => {
    expect(fnv1aUtf16('') >>> 0).toBe(0x811c9dc5);
    expect(fnv1aUtf16('a') >>> 0).toBe(0xe40c292c);
    expect(fnv1aUtf16('foobar') >>> 0).toBe(0xbf9cf968);
    // On ASCII a code unit is a byte: the two hashes agree (its own copy of the parameters).
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (s) => {
        expect(fnv1aUtf16(s) >>> 0).toBe(fnv1a(new TextEncoder().encode(s)));
      }),
      { numRuns: fuzzRuns() },
    );
    // One step per unit: a character outside the BMP is two steps, not its UTF-8 bytes.
    expect(fnv1aUtf16('😀') >>> 0).not.toBe(fnv1aUtf8('😀'));
  });
});
