// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { describeSkips, explainSkips, skipBlock, tallySkips } from '../../src/cli/describeSkips';

describe('describeSkips', () => {
  it('lists the reasons with counts and first lines, the rest summed', () => {
    const skips = [
      { reason: 'r1', count: 9, firstLine: 4 },
      ...[2, 3, 4, 5, 6, 7, 8].map((n) => ({ reason: `r${n}`, count: 1, firstLine: n * 10 })),
    ];
    expect(describeSkips(skips)).toEqual([
      '  r1: 9 lines, the first is line 4',
      '  r2: 1 line, the first is line 20',
      '  r3: 1 line, the first is line 30',
      '  r4: 1 line, the first is line 40',
      '  r5: 1 line, the first is line 50',
      '  r6: 1 line, the first is line 60',
      '  other reasons: 2 lines',
    ]);
    expect(skipBlock('eval', skips)).toMatch(/^likewise eval: 16 lines skipped:\n {2}r1: 9 lines/);
    expect(skipBlock('eval', [])).toBe('');
  });

  it('hints at a semicolon-separated file only when lines were skipped', () => {
    const skips = [{ reason: 'wrong column count', count: 3, firstLine: 1 }];
    expect(describeSkips(skips, true).join('\n')).toContain('looks semicolon-separated');
    expect(describeSkips([], true)).toEqual([]);
  });

  it('says a file gave no events and what an event log is; nothing more when it gave some', () => {
    let text = '';
    const write = (t: string) => {
      text += t;
    };
    expect(explainSkips(write, 'train', 'x.csv', { length: 5, skips: [], semicolons: false })).toBe(
      true,
    );
    expect(text).toBe('');
    expect(explainSkips(write, 'train', 'x.csv', { length: 0, skips: [], semicolons: false })).toBe(
      false,
    );
    expect(text).toMatch(
      /^likewise train: no usable events in x\.csv \(it has no lines\): expected CSV/,
    );
  });

  it('tallies reasons given as messages', () => {
    const t = tallySkips();
    for (const [reason, line] of [
      ['b', 3],
      ['a', 5],
      ['b', 9],
    ] as const)
      t.add(reason, line);
    expect(t.list()).toEqual([
      { reason: 'b', count: 2, firstLine: 3 },
      { reason: 'a', count: 1, firstLine: 5 },
    ]);
  });
});
