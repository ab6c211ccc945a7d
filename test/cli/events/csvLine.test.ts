// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { parseLines } from './parseLines';

const S = 1_700_000_000;

describe('csvLine', () => {
  it('reads plain lines and their general-path variants (CRLF, ISO time, quotes) to the same rows', () => {
    const plain = parseLines('csv', [`u1,i1,${S},view`, `u2,i2,${S + 1},purchase`]);
    expect(plain).toEqual({
      rows: [
        ['u1', 'i1', 0, S * 1000],
        ['u2', 'i2', 4, (S + 1) * 1000],
      ],
      skipped: 0,
    });
    const general = parseLines('csv', [
      `"u1",i1,${new Date(S * 1000).toISOString()},view\r`,
      `u2,"i2",${S + 1}.0,purchase`,
    ]);
    expect(general).toEqual(plain);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    expect(parseLines('csv', [`"a,b","say ""hi""",${S},click`]).rows).toEqual([
      ['a,b', 'say "hi"', 1, S * 1000],
    ]);
  });

  it('reads columns in the order of the header, every row a view without a type column', () => {
    expect(parseLines('csv', [`i9,u9,${S}`], 'item,user,time').rows).toEqual([
      ['u9', 'i9', 0, S * 1000],
    ]);
  });

  it('counts short lines, empty ids, unknown types and broken quotes as skipped; ignores empty lines', () => {
    const r = parseLines('csv', [
      `u1,i1,${S}`,
      `,i1,${S},view`,
      `u1,,${S},view`,
      `u1,i1,${S},wishlist`,
      `"u1,i1,${S},view`,
      '',
      `u1,i1,${S},view`,
    ]);
    expect(r.skipped).toBe(5);
    expect(r.rows).toEqual([['u1', 'i1', 0, S * 1000]]);
  });
});
