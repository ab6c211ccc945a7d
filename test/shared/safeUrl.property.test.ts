import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeUrl } from '../../src/shared/safeUrl';
import { fuzzRuns } from '../support/fuzzRuns';

/** Pieces of hostile URLs: schemes in any case, control and space characters, encodings. */
const piece = fc.oneof(
  fc.constantFrom(
    'javascript:',
    'JaVaScRiPt:',
    'data:',
    'vbscript:',
    'http:',
    'https:',
    'file:',
    'blob:',
  ),
  fc.constantFrom(' ', '\t', '\n', '\r', '\x00', '\x01', '\x1f', '\u00a0', '\u2028', '\ufeff'),
  fc.constantFrom(
    '//',
    '/',
    '\\',
    '%0a',
    '%09',
    '&#x3a;',
    'java',
    'script',
    ':',
    'alert(1)',
    '@',
    '#',
    '?',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const hostile = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
const base = fc.constantFrom('https://shop.example/p/1', 'http://localhost:8080/');

describe('safeUrl under fuzzed input (fast-check)', () => {
  it('never throws, and returns only absolute http(s) URLs', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.anything()), base, (raw, b) => {
        const out = safeUrl(raw, b);
        if (out === undefined) return;
        expect(typeof out).toBe('string');
        const url = new URL(out);
        expect(['http:', 'https:']).toContain(url.protocol);
        // What reaches href is the parser's own serialisation: no raw control characters.
        expect([...out].every((ch) => ch.charCodeAt(0) > 0x20)).toBe(true);
        expect(out.toLowerCase().startsWith('http')).toBe(true);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});
